"""IMAP mailbox source: every message stored and committed before the server copy is touched.

One :class:`ImapSource` reads one configured mailbox in its own thread. A cycle:

1. ``SELECT`` the folder and read its UIDVALIDITY;
2. ``UID SEARCH ALL`` (move mode) or ``UNKEYWORD $ApInboxDone`` (flag mode);
3. UIDs already recorded under the same UIDVALIDITY are not downloaded again,
   but their server-side action is finished (a crash after the commit and
   before the MOVE ends with the message moved);
4. ``FETCH RFC822.SIZE``; messages over ``max_message_bytes`` are recorded as
   ``too_large`` and moved to the failed folder without being downloaded;
5. the others are fetched with ``BODY.PEEK[]`` in batches bounded by bytes,
   handed to :meth:`daemon.intake.Intake.accept`, and their ``ProcessedMessage``
   rows committed (one transaction per batch);
6. only then ``UID MOVE`` to the processed folder (or ``UID COPY`` +
   ``\\Deleted`` + ``UID EXPUNGE`` without MOVE), or in flag mode the keyword.

Between cycles the source waits in IDLE (RFC 2177) when the server has it.
RFC 2177 lets a server drop a client idle for 30 minutes, so IDLE is re-issued
every ``idle_renew_s`` (default 5 minutes, far under the RFC's 29-minute
advice) and a catch-up cycle runs every ``poll_interval_s`` as a safety net. The
IDLE wait polls the socket in short slices so ``stop`` is honoured within about
a second. Without IDLE (or with ``idle = false``) the source polls.

Failures never escape :meth:`ImapSource.run`: the source records the error in
:meth:`ImapSource.status`, logs it and reconnects after an exponential backoff
with jitter (1 s doubling to a 5-minute cap; reset after a good cycle).
Configuration errors (bad certificate, revoked consent) start at the cap. The
exception tree is drawn in :mod:`daemon.sources.imap_errors`.
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import logging
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from imapclient import IMAPClient
from imapclient import SocketTimeout
from imapclient.exceptions import IMAPClientError
from imapclient.exceptions import LoginError

from daemon.config import MailboxConfig
from daemon.intake import Intake
from daemon.sources import imap_state
from daemon.sources.imap_auth import TokenProvider
from daemon.sources.imap_errors import AuthFailedError
from daemon.sources.imap_errors import ConnectionLostError
from daemon.sources.imap_errors import ConsentRevokedError
from daemon.sources.imap_errors import ImapError
from daemon.sources.imap_errors import TlsVerificationError
from storage import models

__all__ = [
    "DONE_KEYWORD",
    "Backoff",
    "ImapSource",
    "header_message_id",
    "open_connection",
    "plan_batches",
]

log = logging.getLogger(__name__)

#: Keyword set on handled messages in flag mode.
DONE_KEYWORD = "$ApInboxDone"
CONNECT_TIMEOUT_S = 15.0
READ_TIMEOUT_S = 120.0
#: A batch is fetched, stored and committed together; bounded so memory stays flat.
BATCH_MAX_BYTES = 8 * 1024 * 1024
BATCH_MAX_COUNT = 100
_IDLE_SLICE_S = 0.5
_SIZE_CHUNK = 1000
_UID_CHUNK = 500
_HEADER_SCAN_BYTES = 256 * 1024

Connect = Callable[[MailboxConfig], IMAPClient]


def open_connection(config: MailboxConfig) -> IMAPClient:
    """Connect to the mailbox's server, TLS negotiated and verified, not yet logged in.

    This is the one connection factory; tests and callers may pass their own.
    Certificates are verified against ``config.ca_file`` or the system store.
    """
    context = ssl.create_default_context(cafile=str(config.ca_file) if config.ca_file else None)
    timeout = SocketTimeout(connect=CONNECT_TIMEOUT_S, read=READ_TIMEOUT_S)
    use_ssl = config.security == "ssl"
    client = IMAPClient(
        config.host, port=config.port, ssl=use_ssl, ssl_context=context, timeout=timeout
    )
    if config.security == "starttls":
        try:
            client.starttls(context)
        except BaseException:
            _close(client)
            raise
    return client


def header_message_id(raw: bytes) -> str | None:
    """Return the Message-ID header of a raw message, without angle brackets, or None."""
    # Slice before splitting: splitting the whole message would copy the body.
    head = raw[:_HEADER_SCAN_BYTES].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    parser = email.parser.BytesHeaderParser(policy=email.policy.compat32)
    value = parser.parsebytes(head + b"\r\n\r\n").get("Message-ID")
    if value is None:
        return None
    text = " ".join(str(value).split()).strip().strip("<>").strip()
    return text[:500] or None


def plan_batches(
    sizes: dict[int, int], *, max_bytes: int = BATCH_MAX_BYTES, max_count: int = BATCH_MAX_COUNT
) -> list[list[int]]:
    """Group UIDs (in UID order) into fetch batches of at most ``max_bytes`` / ``max_count``.

    A message larger than ``max_bytes`` gets a batch of its own.
    """
    batches: list[list[int]] = []
    current: list[int] = []
    total = 0
    for uid in sorted(sizes):
        size = sizes[uid]
        if current and (total + size > max_bytes or len(current) >= max_count):
            batches.append(current)
            current, total = [], 0
        current.append(uid)
        total += size
    if current:
        batches.append(current)
    return batches


@dataclass
class Backoff:
    """Exponential backoff with jitter: ``min(cap, base * 2**n) * uniform(0.5, 1)``.

    ``n`` counts consecutive failures; :meth:`reset` after a success.
    """

    base_s: float = 1.0
    cap_s: float = 300.0
    failures: int = 0

    def next_delay(self, *, at_least_cap: bool = False) -> float:
        """Return how long to wait before the next attempt and count the failure."""
        self.failures += 1
        if at_least_cap:
            return self.cap_s
        ceiling = min(self.cap_s, self.base_s * float(2 ** min(self.failures - 1, 30)))
        return ceiling * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not crypto

    def reset(self) -> None:
        """Forget past failures."""
        self.failures = 0


@dataclass
class _Status:
    connected: bool = False
    idle: bool = False
    last_poll: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    stored_total: int = 0


class ImapSource:
    """Read one IMAP mailbox into the intake; see the module docstring for the cycle."""

    def __init__(
        self,
        config: MailboxConfig,
        *,
        state_dir: Path,
        connect: Connect | None = None,
    ) -> None:
        """Read ``config``'s mailbox; OAuth2 state (rotated tokens) lives in ``state_dir``."""
        self.config = config
        self.name = f"imap:{config.name}"
        self.state_dir = Path(state_dir)
        self._connect = connect or open_connection
        self._cycle_lock = threading.Lock()  # single-flight: cycles never overlap
        self._status_lock = threading.Lock()
        self._status = _Status()
        self.backoff = Backoff()
        self._tokens = (
            TokenProvider(config.name, config.oauth2, state_dir=self.state_dir)
            if config.oauth2
            else None
        )
        self._folders_ok: set[str] = set()

    # -- the loop ------------------------------------------------------------

    def run(self, intake: Intake, stop: threading.Event) -> None:
        """Read the mailbox until ``stop`` is set; never raises for server or auth trouble."""
        while not stop.is_set():
            try:
                with self.session() as client:
                    self._serve(client, intake, stop)
            except Exception as exc:
                delay = self._failed(exc)
                stop.wait(delay)

    @contextlib.contextmanager
    def session(self) -> Iterator[IMAPClient]:
        """Yield a connected, logged-in client; log out (or close) at the end."""
        try:
            client = self._connect(self.config)
        except ssl.SSLCertVerificationError as exc:
            raise self._tls_error(exc) from exc
        try:
            self._login(client)
            self._folders_ok.clear()
            self._set(connected=True)
            yield client
        finally:
            self._set(connected=False, idle=False)
            _close(client)

    def _serve(self, client: IMAPClient, intake: Intake, stop: threading.Event) -> None:
        use_idle = self.config.idle and client.has_capability("IDLE")
        self._set(idle=use_idle)
        while not stop.is_set():
            self.run_cycle(client, intake, stop=stop)
            self.backoff.reset()
            if use_idle:
                self._idle_wait(client, stop)
            else:
                stop.wait(self.config.poll_interval_s)

    def _failed(self, exc: BaseException) -> float:
        message = _describe(exc)
        fatal = isinstance(exc, TlsVerificationError | ConsentRevokedError)
        delay = self.backoff.next_delay(at_least_cap=fatal)
        level = (
            logging.ERROR
            if fatal or not isinstance(exc, ImapError | OSError | IMAPClientError)
            else logging.WARNING
        )
        log.log(
            level,
            "%s: %s; retrying in %.0f s",
            self.name,
            message,
            delay,
            exc_info=level == logging.ERROR and not isinstance(exc, ImapError),
            extra={"action": "imap_error", "record_id": self.config.name},
        )
        # Logged first: whoever sees the error in the status finds it in the log too.
        self._set(last_error=message, last_error_at=models.utcnow())
        return delay

    # -- login -----------------------------------------------------------------

    def _login(self, client: IMAPClient) -> None:
        if self._tokens is not None:
            self._oauth2_login(client)
            return
        password = self.config.secret_password()
        if password is None:
            msg = f"mailbox {self.config.name!r}: no password, password_file or oauth2 configured"
            raise AuthFailedError(msg)
        try:
            client.login(self.config.username, password)
        except LoginError as exc:
            who = f"mailbox {self.config.name!r}: login rejected for {self.config.username}"
            msg = f"{who}: {_text(exc)}"
            raise AuthFailedError(msg) from exc

    def _oauth2_login(self, client: IMAPClient) -> None:
        assert self._tokens is not None
        token, fresh = self._tokens.access_token()
        try:
            client.oauth2_login(self.config.username, token)
            return
        except LoginError as exc:
            self._tokens.invalidate()
            if fresh:
                msg = f"mailbox {self.config.name!r}: XOAUTH2 login rejected: {_text(exc)}"
                raise AuthFailedError(msg) from exc
        # The cached token was refused (revoked or expired early): one retry with a new one.
        token, _ = self._tokens.access_token()
        try:
            client.oauth2_login(self.config.username, token)
        except LoginError as exc:
            msg = f"mailbox {self.config.name!r}: XOAUTH2 login rejected: {_text(exc)}"
            raise AuthFailedError(msg) from exc

    def _tls_error(self, exc: ssl.SSLCertVerificationError) -> TlsVerificationError:
        where = f"{self.config.host}:{self.config.port}"
        hint = (
            "set ca_file to the CA that signed it"
            if self.config.ca_file is None
            else f"ca_file={self.config.ca_file}"
        )
        return TlsVerificationError(
            f"mailbox {self.config.name!r}: TLS certificate verification failed for {where}: "
            f"{exc.verify_message or exc}; {hint}"
        )

    # -- one cycle -------------------------------------------------------------

    def run_cycle(
        self, client: IMAPClient, intake: Intake, *, stop: threading.Event | None = None
    ) -> int:
        """Handle everything waiting in the folder once; return how many messages were stored.

        Holds the source's lock, so two cycles for one mailbox never overlap.
        """
        with self._cycle_lock:
            key = self._select(client)
            uids = sorted(int(u) for u in client.search(self._search_criteria()))
            known = imap_state.statuses(intake.engine, key, uids)
            self._finish_known(client, known)
            todo = [uid for uid in uids if uid not in known]
            stored = self._take_new(client, intake, key, todo, stop)
            self._set(last_poll=models.utcnow(), last_error=None)
            with self._status_lock:
                self._status.stored_total += stored
            return stored

    def _select(self, client: IMAPClient) -> imap_state.FolderKey:
        info = client.select_folder(self.config.folder)
        uidvalidity = int(info[b"UIDVALIDITY"])
        return imap_state.FolderKey(self.config.name, self.config.folder, uidvalidity)

    def _search_criteria(self) -> list[str]:
        return ["UNKEYWORD", DONE_KEYWORD] if self.config.mode == "flag" else ["ALL"]

    def _finish_known(self, client: IMAPClient, known: dict[int, str]) -> None:
        """Finish the server-side action of messages already committed (after a crash)."""
        stored = [uid for uid, status in known.items() if status == imap_state.STORED]
        failed = [uid for uid, status in known.items() if status == imap_state.TOO_LARGE]
        if stored:
            log.info("%s: finishing %d already stored message(s)", self.name, len(stored))
        # Chunked: a UID list must stay under the server's command-line limit.
        for chunk in _chunks(sorted(stored), _UID_CHUNK):
            self._mark_done(client, chunk)
        for chunk in _chunks(sorted(failed), _UID_CHUNK):
            self._move(client, chunk, self.config.failed_folder)

    def _take_new(
        self,
        client: IMAPClient,
        intake: Intake,
        key: imap_state.FolderKey,
        uids: Sequence[int],
        stop: threading.Event | None,
    ) -> int:
        sizes = self._sizes(client, uids)
        self._reject_too_large(client, intake, key, sizes)
        stored = 0
        for batch in plan_batches(sizes):
            if stop is not None and stop.is_set():
                break
            stored += self._store_batch(client, intake, key, batch)
        return stored

    def _sizes(self, client: IMAPClient, uids: Sequence[int]) -> dict[int, int]:
        sizes: dict[int, int] = {}
        for start in range(0, len(uids), _SIZE_CHUNK):
            reply = client.fetch(list(uids[start : start + _SIZE_CHUNK]), ["RFC822.SIZE"])
            # A UID missing from the reply was expunged meanwhile: nothing to do.
            sizes.update((int(uid), int(item[b"RFC822.SIZE"])) for uid, item in reply.items())
        return sizes

    def _reject_too_large(
        self, client: IMAPClient, intake: Intake, key: imap_state.FolderKey, sizes: dict[int, int]
    ) -> None:
        limit = self.config.max_message_bytes
        too_large = sorted(uid for uid, size in sizes.items() if size > limit)
        if not too_large:
            return
        outcomes = [
            imap_state.Outcome(
                uid,
                imap_state.TOO_LARGE,
                error=f"message is {sizes[uid]} bytes; max_message_bytes is {limit}",
            )
            for uid in too_large
        ]
        for outcome in outcomes:
            log.warning(
                "%s: uid %d: %s",
                self.name,
                outcome.uid,
                outcome.error,
                extra={"action": "imap_too_large"},
            )
        imap_state.record(
            intake.engine, key, company_id=intake.company_id(self.config.company), outcomes=outcomes
        )
        for chunk in _chunks(too_large, _UID_CHUNK):
            self._move(client, chunk, self.config.failed_folder)
        for uid in too_large:
            del sizes[uid]

    def _store_batch(
        self, client: IMAPClient, intake: Intake, key: imap_state.FolderKey, batch: list[int]
    ) -> int:
        reply = client.fetch(batch, ["BODY.PEEK[]"])
        outcomes: list[imap_state.Outcome] = []
        created_count = 0
        for uid in batch:
            item = reply.pop(uid, None)
            if item is None or b"BODY[]" not in item:
                continue  # expunged by someone else since the size fetch
            raw = bytes(item.pop(b"BODY[]"))
            message, created = intake.accept(
                raw,
                source=self.name,
                source_ref=f"{key.folder}/{key.uidvalidity}/{uid}",
                company=self.config.company,
                header_message_id=header_message_id(raw),
            )
            del raw  # keep at most one large body alive beyond the reply
            created_count += int(created)
            outcomes.append(imap_state.Outcome(uid, imap_state.STORED, message_id=message.id))
        company_id = intake.company_id(self.config.company)
        imap_state.record(intake.engine, key, company_id=company_id, outcomes=outcomes)
        # Committed: from here on a crash only repeats the server-side action.
        self._mark_done(client, [o.uid for o in outcomes])
        return created_count

    # -- server-side actions ---------------------------------------------------

    def _mark_done(self, client: IMAPClient, uids: list[int]) -> None:
        if not uids:
            return
        if self.config.mode == "flag":
            client.add_flags(uids, [DONE_KEYWORD], silent=True)
        else:
            self._move(client, uids, self.config.processed_folder)

    def _move(self, client: IMAPClient, uids: list[int], folder: str) -> None:
        self._ensure_folder(client, folder)
        if client.has_capability("MOVE"):
            client.move(uids, folder)
            return
        client.copy(uids, folder)
        client.add_flags(uids, [b"\\Deleted"], silent=True)
        if client.has_capability("UIDPLUS"):
            client.uid_expunge(uids)
        else:
            client.expunge()  # no UIDPLUS: expunges every \Deleted message in the folder

    def _ensure_folder(self, client: IMAPClient, folder: str) -> None:
        if folder in self._folders_ok:
            return
        if not client.folder_exists(folder):
            try:
                client.create_folder(folder)
            except IMAPClientError:
                # Created concurrently by another client is fine; anything else is not.
                if not client.folder_exists(folder):
                    raise
        self._folders_ok.add(folder)

    # -- IDLE ------------------------------------------------------------------

    def _idle_wait(self, client: IMAPClient, stop: threading.Event) -> None:
        """Wait in IDLE until new mail, the catch-up time, or ``stop``.

        IDLE is ended and re-issued every ``idle_renew_s`` (RFC 2177 section 3:
        servers may log out a client idle for more than 30 minutes).
        """
        catch_up_at = time.monotonic() + self.config.poll_interval_s
        client.idle()
        try:
            still_idling = self._idle_loop(client, stop, catch_up_at)
        except BaseException:
            with contextlib.suppress(Exception):
                client.idle_done()
            raise
        if still_idling:
            _end_idle(client)

    def _idle_loop(self, client: IMAPClient, stop: threading.Event, catch_up_at: float) -> bool:
        """Wait in IDLE; return False when IDLE was already ended (news came with DONE)."""
        renew_at = time.monotonic() + self.config.idle_renew_s
        quick_empty = 0
        while not stop.is_set() and time.monotonic() < catch_up_at:
            started = time.monotonic()
            responses = client.idle_check(timeout=_IDLE_SLICE_S)
            if _has_news(responses):
                return True
            quick_empty = quick_empty + 1 if not responses and _quick(started) else 0
            if quick_empty >= 3:
                # idle_check swallows EOF and returns at once: the socket is closed.
                msg = f"mailbox {self.config.name!r}: connection closed during IDLE"
                raise ConnectionLostError(msg)
            if time.monotonic() >= renew_at:
                # News that arrived while ending IDLE comes with the DONE reply only.
                _, responses = client.idle_done()
                if _has_news(responses):
                    return False
                client.idle()
                renew_at = time.monotonic() + self.config.idle_renew_s
        return True

    # -- status ----------------------------------------------------------------

    def _set(self, **changes: Any) -> None:
        with self._status_lock:
            for name, value in changes.items():
                setattr(self._status, name, value)

    def status(self) -> dict[str, object]:
        """Return health facts: last successful poll, last error, connected, IDLE."""
        with self._status_lock:
            s = self._status
            return {
                "name": self.name,
                "connected": s.connected,
                "idle": s.idle,
                "last_poll": s.last_poll.isoformat() if s.last_poll else None,
                "last_error": s.last_error,
                "last_error_at": s.last_error_at.isoformat() if s.last_error_at else None,
                "stored": s.stored_total,
                "consecutive_failures": self.backoff.failures,
            }


def _has_news(responses: list[Any]) -> bool:
    for response in responses:
        if len(response) >= 2 and response[1] in (b"EXISTS", b"RECENT"):
            return True
        if response and response[0] == b"BYE":
            raise ConnectionLostError("the server ended the session (BYE)")
    return False


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _quick(started: float) -> bool:
    return time.monotonic() - started < _IDLE_SLICE_S / 4


def _end_idle(client: IMAPClient) -> None:
    try:
        client.idle_done()
    except (IMAPClientError, OSError) as exc:
        raise ConnectionLostError(_describe(exc)) from exc


def _close(client: IMAPClient) -> None:
    with contextlib.suppress(Exception):
        client.logout()
    with contextlib.suppress(Exception):
        client.shutdown()


def _text(exc: BaseException) -> str:
    text = str(exc)
    return text.removeprefix("b'").removesuffix("'") if text.startswith("b'") else text


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ImapError):
        return str(exc)
    if isinstance(exc, socket.timeout | TimeoutError):
        return f"timed out talking to the server ({exc})"
    if isinstance(exc, ConnectionRefusedError):
        return f"connection refused ({exc})"
    return f"{type(exc).__name__}: {_text(exc)}"
