"""The source's loop against a real Dovecot: IDLE, polling, restarts, several mailboxes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from imapclient import IMAPClient

from daemon.config import MailboxConfig
from daemon.intake import Intake
from daemon.sources.imap import ImapSource
from tests.imap.conftest import MailboxFactory
from tests.imap.conftest import Running
from tests.imap.helpers import make_message
from tests.imap.helpers import messages
from tests.imap.helpers import wait_for
from tests.support.dovecot import USER
from tests.support.dovecot import Dovecot

pytestmark = pytest.mark.imap


def _idle_ready(source: ImapSource) -> bool:
    status = source.status()
    return bool(status["connected"] and status["last_poll"])


def test_idle_delivers_a_new_message_long_before_the_catch_up_poll(
    dovecot: Dovecot, mailbox_config: MailboxFactory, running: Running, tmp_path: Path
) -> None:
    # The catch-up poll is an hour away: only IDLE can bring the message in.
    source = running.start(ImapSource(mailbox_config(poll_interval_s=3600), state_dir=tmp_path))
    wait_for(lambda: _idle_ready(source), what="first cycle")
    assert source.status()["idle"] is True

    dovecot.append("INBOX", make_message(7))

    wait_for(lambda: len(messages(running.intake.engine)) == 1, timeout=15, what="IDLE delivery")
    wait_for(lambda: dovecot.uids("INBOX") == [], what="move")
    assert len(dovecot.uids("Processed")) == 1


def test_polling_when_idle_is_off(
    dovecot: Dovecot, mailbox_config: MailboxFactory, running: Running, tmp_path: Path
) -> None:
    config = mailbox_config(idle=False, poll_interval_s=0.2)
    source = running.start(ImapSource(config, state_dir=tmp_path))
    wait_for(lambda: _idle_ready(source), what="first cycle")

    dovecot.append("INBOX", make_message(1))

    wait_for(lambda: len(messages(running.intake.engine)) == 1, what="polled delivery")
    assert source.status()["idle"] is False


def test_stop_is_honoured_while_idling(
    dovecot: Dovecot, mailbox_config: MailboxFactory, intake: Intake, tmp_path: Path
) -> None:
    running = Running(intake)
    source = running.start(ImapSource(mailbox_config(poll_interval_s=3600), state_dir=tmp_path))
    wait_for(lambda: _idle_ready(source), what="first cycle")

    running.shutdown(timeout=5)

    assert not running.threads[0].is_alive()
    assert source.status()["connected"] is False


def test_dovecot_restart_is_survived(
    dovecot: Dovecot, mailbox_config: MailboxFactory, running: Running, tmp_path: Path
) -> None:
    source = running.start(ImapSource(mailbox_config(poll_interval_s=3600), state_dir=tmp_path))
    source.backoff.base_s = 0.2  # reconnect quickly; the formula is unchanged
    wait_for(lambda: _idle_ready(source), what="first cycle")

    dovecot.stop()
    wait_for(lambda: source.status()["last_error"] is not None, what="error noticed")
    dovecot.start()
    dovecot.append("INBOX", make_message(2))

    wait_for(
        lambda: len(messages(running.intake.engine)) == 1, timeout=30, what="delivery after restart"
    )
    wait_for(lambda: source.status()["last_error"] is None, what="error cleared")
    assert source.status()["connected"] is True


def test_one_failing_mailbox_does_not_stall_another(
    dovecot_factory: Callable[..., Dovecot],
    mailbox_config: MailboxFactory,
    running: Running,
    tmp_path: Path,
) -> None:
    server: Dovecot = dovecot_factory(users={USER: "pw-one", "other": "pw-two"})
    good = ImapSource(
        mailbox_config(server, name="good", username="other", password="pw-two", company="acme"),
        state_dir=tmp_path,
    )
    bad = ImapSource(mailbox_config(server, name="bad", password="wrong-pw"), state_dir=tmp_path)
    running.start(bad)
    running.start(good)

    server.append("INBOX", make_message(1), user="other")
    server.append("INBOX", make_message(2), user=USER)

    wait_for(lambda: len(messages(running.intake.engine)) == 1, what="good mailbox delivery")
    wait_for(lambda: bad.status()["last_error"] is not None, what="bad mailbox error")
    assert "login rejected for ap" in str(bad.status()["last_error"])
    assert bad.status()["connected"] is False
    assert good.status()["last_error"] is None
    assert server.uids("INBOX", user=USER) != []  # never touched


class CountingClient(IMAPClient):  # type: ignore[misc]
    """A real client that counts the IDLE commands it sends."""

    idles = 0

    def idle(self) -> None:
        CountingClient.idles += 1
        super().idle()


def _counting_connect(config: MailboxConfig) -> IMAPClient:
    return CountingClient(config.host, port=config.port, ssl=False, timeout=30)


def test_idle_is_renewed_and_still_delivers(
    dovecot: Dovecot, mailbox_config: MailboxFactory, running: Running, tmp_path: Path
) -> None:
    CountingClient.idles = 0
    config = mailbox_config(poll_interval_s=3600, idle_renew_s=0.3)
    source = running.start(ImapSource(config, state_dir=tmp_path, connect=_counting_connect))
    wait_for(lambda: _idle_ready(source), what="first cycle")

    wait_for(lambda: CountingClient.idles >= 4, what="IDLE re-issued")
    dovecot.append("INBOX", make_message(3))

    wait_for(lambda: len(messages(running.intake.engine)) == 1, timeout=15, what="delivery")
    assert source.status()["last_error"] is None
