"""A real Dovecot for tests: its own config, ports, users, Maildir and TLS certificates.

``Dovecot`` writes ``dovecot.conf`` in a private temporary directory (base_dir,
state_dir, log, Maildir all inside it), listens on free loopback ports only,
and is started as ``dovecot -F -c dovecot.conf``. The plain listener offers
STARTTLS when TLS is on; a second listener speaks implicit TLS with a server
certificate signed by a throwaway CA (``openssl req``), so verification against
``ca_file`` succeeds and against the system store fails. With an
:class:`~tests.support.oauth.OAuthServer`, XOAUTH2/OAUTHBEARER logins are
checked by Dovecot's ``passdb oauth2`` against its introspection endpoint.

Fixtures (registered as a pytest plugin, or imported by a conftest):
``dovecot_binary`` (session; skips when Dovecot is missing), ``dovecot_certs``
(session), ``oauth_server`` and ``dovecot`` (function-scoped, with OAuth).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from imapclient import IMAPClient

from tests.support.oauth import OAuthServer

DOVECOT = Path(os.environ.get("APINBOX_DOVECOT", "/usr/sbin/dovecot"))
DOVEADM = (
    DOVECOT.with_name("doveadm")
    if DOVECOT.with_name("doveadm").exists()
    else Path("/usr/bin/doveadm")
)
USER = "ap"
PASSWORD = "s3cret-pw"
MAIL_USER = "nobody"  # Dovecot refuses uid 0 for mail processes, even as root.
DEFAULT_CAPABILITY = None  # None: Dovecot's own list (includes IDLE, MOVE, UIDPLUS).


@dataclass(frozen=True)
class Certs:
    """A throwaway CA and a server certificate for 127.0.0.1 / localhost."""

    ca_file: Path
    cert_file: Path
    key_file: Path


def make_certs(directory: Path) -> Certs:
    """Create a CA and a server certificate it signed, with ``openssl``."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, ca_crt = directory / "ca.key", directory / "ca.crt"
    key, csr, crt = directory / "server.key", directory / "server.csr", directory / "server.crt"
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl(
        "req",
        "-x509",
        *ec,
        "-keyout",
        ca_key,
        "-out",
        ca_crt,
        "-days",
        "2",
        "-subj",
        "/CN=AP Inbox Test CA",
    )
    _openssl("req", *ec, "-keyout", key, "-out", csr, "-subj", "/CN=localhost")
    ext = directory / "san.ext"
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n")
    _openssl(
        "x509",
        "-req",
        "-in",
        csr,
        "-CA",
        ca_crt,
        "-CAkey",
        ca_key,
        "-CAcreateserial",
        "-out",
        crt,
        "-days",
        "2",
        "-extfile",
        ext,
    )
    return Certs(ca_file=ca_crt, cert_file=crt, key_file=key)


def _openssl(*args: object) -> None:
    subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True)


def free_port() -> int:
    """Return a loopback port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Dovecot:
    """One Dovecot instance owned by a test."""

    def __init__(
        self,
        *,
        users: dict[str, str] | None = None,
        certs: Certs | None = None,
        oauth: OAuthServer | None = None,
        capability: str | None = DEFAULT_CAPABILITY,
    ) -> None:
        # A short path: Dovecot's unix sockets live in base_dir (108-byte limit).
        self.root = Path(tempfile.mkdtemp(prefix="apdv-"))
        self.root.chmod(0o755)
        self.users = users or {USER: PASSWORD}
        self.certs = certs
        self.oauth = oauth
        self.capability = capability
        self.port = free_port()
        self.tls_port = free_port() if certs else None
        self.conf = self.root / "dovecot.conf"
        self.log = self.root / "dovecot.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._write_config()

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> Dovecot:
        """Start Dovecot in the foreground and wait until it greets."""
        self._proc = subprocess.Popen(
            [str(DOVECOT), "-F", "-c", str(self.conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait_ready()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop Dovecot with SIGTERM, killing it if it does not exit in time."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)
        # Child processes (imap, auth) may linger a moment after the master.
        self._wait_port_closed()

    def restart(self) -> None:
        """Stop and start again on the same ports with the same mail."""
        self.stop()
        self.start()

    def cleanup(self) -> None:
        """Stop and remove every file."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _wait_ready(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._proc is not None
            if self._proc.poll() is not None:
                err = self._proc.stderr.read().decode() if self._proc.stderr else ""
                raise RuntimeError(f"dovecot exited: {err}\n{self.log_text()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 1) as s,
            ):
                if s.recv(100).startswith(b"* OK"):
                    return
            time.sleep(0.05)
        raise RuntimeError(f"dovecot did not answer on {self.port}:\n{self.log_text()}")

    def _wait_port_closed(self, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
            except OSError:
                return
            time.sleep(0.05)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    # -- configuration -----------------------------------------------------

    def _write_config(self) -> None:
        for name in ("run", "state", "mail"):
            (self.root / name).mkdir()
        shutil.chown(self.root / "mail", MAIL_USER, _group_of(MAIL_USER))
        (self.root / "passwd").write_text(
            "".join(f"{user}:{{PLAIN}}{pw}::::::\n" for user, pw in self.users.items())
        )
        self.conf.write_text(self._main_config() + self._tls_config() + self._auth_config())

    def _main_config(self) -> str:
        r = self.root
        cap = f"imap_capability = {self.capability}\n" if self.capability is not None else ""
        return f"""\
base_dir = {r}/run
state_dir = {r}/state
log_path = {self.log}
info_log_path = {self.log}
listen = 127.0.0.1
protocols = imap
disable_plaintext_auth = no
mail_location = maildir:{r}/mail/%u
mail_uid = {MAIL_USER}
mail_gid = {_group_of(MAIL_USER)}
first_valid_uid = 1
first_valid_gid = 1
default_login_user = dovenull
default_internal_user = dovecot
{cap}namespace inbox {{
  inbox = yes
  separator = /
}}
userdb {{
  driver = static
  args = uid={MAIL_USER} gid={_group_of(MAIL_USER)} home={r}/mail/%u allow_all_users=yes
}}
"""

    def _tls_config(self) -> str:
        if self.certs is None:
            return f"""ssl = no
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""
        return f"""ssl = yes
ssl_cert = <{self.certs.cert_file}
ssl_key = <{self.certs.key_file}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
    ssl = yes
  }}
}}
"""

    def _auth_config(self) -> str:
        mechs = "plain login" + (" xoauth2 oauthbearer" if self.oauth else "")
        text = f"""auth_mechanisms = {mechs}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/passwd
  mechanisms = plain login
}}
"""
        if self.oauth is None:
            return text
        oauth_conf = self.root / "oauth2.conf"
        oauth_conf.write_text(
            f"introspection_url = {self.oauth.introspection_url}\n"
            "introspection_mode = auth\nforce_introspection = yes\n"
            "username_attribute = email\nactive_attribute = active\nactive_value = true\n"
        )
        return (
            text
            + f"""passdb {{
  driver = oauth2
  args = {oauth_conf}
  mechanisms = xoauth2 oauthbearer
}}
"""
        )

    # -- helpers for tests -------------------------------------------------

    def client(self, user: str = USER) -> IMAPClient:
        """Return a logged-in plain client (loopback only)."""
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=30)
        client.login(user, self.users[user])
        return client

    @contextlib.contextmanager
    def session(self, user: str = USER) -> Iterator[IMAPClient]:
        """A logged-in client, logged out at the end."""
        client = self.client(user)
        try:
            yield client
        finally:
            with contextlib.suppress(Exception):
                client.logout()

    def append(self, folder: str, raw: bytes, *, user: str = USER) -> int:
        """Append ``raw`` to ``folder`` (created when missing); return its UID."""
        with self.session(user) as client:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            reply = client.append(folder, raw)
        return _appenduid(reply)

    def append_many(self, folder: str, messages: list[bytes], *, user: str = USER) -> None:
        """Append several messages over one connection."""
        with self.session(user) as client:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            for raw in messages:
                client.append(folder, raw)

    def uids(self, folder: str, *, user: str = USER) -> list[int]:
        """Return the UIDs in ``folder`` (empty when it does not exist)."""
        with self.session(user) as client:
            if not client.folder_exists(folder):
                return []
            client.select_folder(folder, readonly=True)
            return sorted(int(u) for u in client.search("ALL"))

    def fetch_all(self, folder: str, *, user: str = USER) -> dict[int, bytes]:
        """Return every message in ``folder`` by UID."""
        with self.session(user) as client:
            if not client.folder_exists(folder):
                return {}
            client.select_folder(folder, readonly=True)
            data = client.fetch(client.search("ALL"), ["BODY.PEEK[]"])
            return {int(uid): bytes(item[b"BODY[]"]) for uid, item in data.items()}

    def flags(self, folder: str, *, user: str = USER) -> dict[int, set[str]]:
        """Return the flags and keywords of every message in ``folder``."""
        with self.session(user) as client:
            client.select_folder(folder, readonly=True)
            data = client.get_flags(client.search("ALL"))
            return {int(uid): {f.decode() for f in flags} for uid, flags in data.items()}

    def uidvalidity(self, folder: str, *, user: str = USER) -> int:
        """Return the folder's UIDVALIDITY."""
        with self.session(user) as client:
            return int(client.folder_status(folder, ["UIDVALIDITY"])[b"UIDVALIDITY"])

    def change_uidvalidity(self, folder: str, *, user: str = USER) -> int:
        """Give ``folder`` a new UIDVALIDITY (its messages stay); return it."""
        new = self.uidvalidity(folder, user=user) + 1
        subprocess.run(
            [
                str(DOVEADM),
                "-c",
                str(self.conf),
                "mailbox",
                "update",
                "-u",
                user,
                "--uid-validity",
                str(new),
                folder,
            ],
            check=True,
            capture_output=True,
        )
        return new


def _appenduid(reply: bytes) -> int:
    # "[APPENDUID <uidvalidity> <uid>] Append completed."
    text = reply.decode(errors="replace")
    if "APPENDUID" not in text:
        return 0
    return int(text.split("APPENDUID", 1)[1].split("]", 1)[0].split()[1])


def _group_of(user: str) -> str:
    import grp
    import pwd

    return grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name


def tls_context(certs: Certs) -> ssl.SSLContext:
    """Return a client context trusting only the harness CA."""
    return ssl.create_default_context(cafile=str(certs.ca_file))


# -- fixtures --------------------------------------------------------------


@pytest.fixture(scope="session")
def dovecot_binary() -> Path:
    """The Dovecot binary; skips the test when it is not installed."""
    if not DOVECOT.exists() or not shutil.which("openssl"):
        pytest.skip(
            f"Dovecot not installed at {DOVECOT} (or openssl missing): apt install dovecot-imapd"
        )
    return DOVECOT


@pytest.fixture(scope="session")
def dovecot_certs(dovecot_binary: Path, tmp_path_factory: pytest.TempPathFactory) -> Certs:
    """A CA and server certificate, made once per session."""
    return make_certs(tmp_path_factory.mktemp("dovecot-certs"))


@pytest.fixture
def oauth_server() -> Iterator[OAuthServer]:
    """A local OAuth2 token + introspection server."""
    server = OAuthServer().start()
    yield server
    server.stop()


@pytest.fixture
def dovecot(dovecot_certs: Certs, oauth_server: OAuthServer) -> Iterator[Dovecot]:
    """A running Dovecot with user ``ap``, STARTTLS, implicit TLS and XOAUTH2."""
    server = Dovecot(certs=dovecot_certs, oauth=oauth_server)
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def dovecot_factory(
    dovecot_certs: Certs, oauth_server: OAuthServer
) -> Iterator[Callable[..., Dovecot]]:
    """Build extra Dovecots with custom options: ``dovecot_factory(capability=...)``."""
    made: list[Dovecot] = []

    def factory(**kwargs: Any) -> Dovecot:
        kwargs.setdefault("certs", dovecot_certs)
        kwargs.setdefault("oauth", oauth_server)
        server = Dovecot(**kwargs)
        made.append(server)
        return server.start()

    yield factory
    for server in made:
        server.cleanup()
