"""TLS (implicit and STARTTLS) with certificate verification, and XOAUTH2 logins."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from daemon.sources.imap import ImapSource
from daemon.sources.imap_auth import TokenProvider
from daemon.sources.imap_errors import ConsentRevokedError
from daemon.sources.imap_errors import TlsVerificationError
from tests.imap.conftest import MailboxFactory
from tests.imap.conftest import Running
from tests.imap.helpers import make_message
from tests.imap.helpers import messages
from tests.imap.helpers import wait_for
from tests.support.dovecot import USER
from tests.support.dovecot import Certs
from tests.support.dovecot import Dovecot
from tests.support.oauth import OAuthServer

pytestmark = pytest.mark.imap


def test_implicit_tls_verified_against_the_ca_file(
    dovecot: Dovecot, mailbox_config: MailboxFactory, dovecot_certs: Certs, tmp_path: Path
) -> None:
    config = mailbox_config(security="ssl", port=dovecot.tls_port, ca_file=dovecot_certs.ca_file)
    with ImapSource(config, state_dir=tmp_path).session() as client:
        assert client.noop()


def test_starttls_verified_against_the_ca_file(
    dovecot: Dovecot, mailbox_config: MailboxFactory, dovecot_certs: Certs, tmp_path: Path
) -> None:
    config = mailbox_config(security="starttls", ca_file=dovecot_certs.ca_file)
    with ImapSource(config, state_dir=tmp_path).session() as client:
        assert client.noop()


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_unknown_ca_is_a_clear_error(
    dovecot: Dovecot, mailbox_config: MailboxFactory, tmp_path: Path, security: str
) -> None:
    port = dovecot.tls_port if security == "ssl" else dovecot.port
    source = ImapSource(mailbox_config(security=security, port=port), state_dir=tmp_path)

    with pytest.raises(TlsVerificationError) as caught, source.session():
        pass

    assert "TLS certificate verification failed for 127.0.0.1" in str(caught.value)
    assert "set ca_file" in str(caught.value)


def test_tls_failure_is_reported_in_status_and_waits_long(
    dovecot: Dovecot,
    mailbox_config: MailboxFactory,
    running: Running,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = mailbox_config(security="ssl", port=dovecot.tls_port)
    source = running.start(ImapSource(config, state_dir=tmp_path))

    # The status is set just before the error is logged: wait for both.
    wait_for(
        lambda: (
            source.status()["last_error"] is not None
            and any("verification failed" in r.getMessage() for r in caplog.records)
        ),
        what="TLS error",
    )

    assert "certificate verification failed" in str(source.status()["last_error"])
    assert source.status()["connected"] is False
    # Not a crash loop: one attempt, then the long wait (the 5-minute cap).
    assert source.backoff.failures == 1
    assert any(
        r.levelno == logging.ERROR and "verification failed" in r.getMessage()
        for r in caplog.records
    )


def _oauth_config(
    mailbox_config: MailboxFactory, oauth: OAuthServer, refresh_token: str, **extra: object
) -> object:
    return mailbox_config(
        password=None,
        oauth2={
            "provider": "custom",
            "token_url": oauth.token_url,
            "client_id": "apinbox-test",
            "client_secret": "client-secret-for-tests",
            "refresh_token": refresh_token,
        },
        **extra,
    )


def test_xoauth2_login_with_refreshed_token(
    dovecot: Dovecot,
    mailbox_config: MailboxFactory,
    oauth_server: OAuthServer,
    running: Running,
    tmp_path: Path,
) -> None:
    config = _oauth_config(mailbox_config, oauth_server, oauth_server.grant(USER))
    running.start(ImapSource(config, state_dir=tmp_path))  # type: ignore[arg-type]
    dovecot.append("INBOX", make_message(1))

    wait_for(lambda: len(messages(running.intake.engine)) == 1, what="delivery over XOAUTH2")

    [request] = oauth_server.state.token_requests
    assert request["grant_type"] == "refresh_token"
    assert request["client_id"] == "apinbox-test"
    assert "method=XOAUTH2" in dovecot.log_text()


def test_rejected_access_token_is_refreshed_once(
    dovecot: Dovecot, mailbox_config: MailboxFactory, oauth_server: OAuthServer, tmp_path: Path
) -> None:
    config = _oauth_config(mailbox_config, oauth_server, oauth_server.grant(USER))
    source = ImapSource(config, state_dir=tmp_path)  # type: ignore[arg-type]
    with source.session():
        pass
    oauth_server.revoke_access_tokens()  # the provider drops the token before its expiry

    with source.session() as client:
        assert client.noop()

    assert len(oauth_server.state.token_requests) == 2


def test_rotated_refresh_token_is_stored_private_and_preferred(
    oauth_server: OAuthServer, mailbox_config: MailboxFactory, tmp_path: Path
) -> None:
    oauth_server.state.rotate = True
    first = oauth_server.grant(USER)
    config = _oauth_config(mailbox_config, oauth_server, first)
    provider = TokenProvider("ap", config.oauth2, state_dir=tmp_path)  # type: ignore[attr-defined]
    provider.access_token()
    stored = json.loads(provider.state_file.read_text())

    assert stored["refresh_token"] != first
    assert provider.state_file.stat().st_mode & 0o777 == 0o600
    # The configured token was rotated away: a new provider must use the stored one.
    again = TokenProvider("ap", config.oauth2, state_dir=tmp_path)  # type: ignore[attr-defined]
    again.access_token()
    assert oauth_server.state.token_requests[-1]["refresh_token"] == stored["refresh_token"]


def test_revoked_refresh_token_is_a_clear_error(
    dovecot: Dovecot,
    mailbox_config: MailboxFactory,
    oauth_server: OAuthServer,
    running: Running,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = oauth_server.grant(USER)
    oauth_server.revoke(token)
    config = _oauth_config(mailbox_config, oauth_server, token)
    source = running.start(ImapSource(config, state_dir=tmp_path))  # type: ignore[arg-type]

    wait_for(lambda: source.status()["last_error"] is not None, what="consent error")

    assert "consent revoked" in str(source.status()["last_error"])
    assert "invalid_grant" in str(source.status()["last_error"])
    assert source.backoff.failures == 1  # then the long wait: not retrying fast
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert any("consent revoked" in r.getMessage() for r in errors)
    with pytest.raises(ConsentRevokedError):
        TokenProvider("ap", config.oauth2, state_dir=tmp_path).access_token()  # type: ignore[attr-defined]
