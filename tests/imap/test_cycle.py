"""One cycle against a real Dovecot: store once, then move or flag; limits; UIDVALIDITY."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from daemon.intake import Intake
from daemon.sources.imap import DONE_KEYWORD
from daemon.sources.imap import ImapSource
from storage import models
from tests.imap.conftest import MailboxFactory
from tests.imap.helpers import make_message
from tests.imap.helpers import messages
from tests.imap.helpers import processed
from tests.support.dovecot import Dovecot

pytestmark = pytest.mark.imap


class CountingIntake(Intake):
    """The real intake, counting how many times a message was handed over."""

    calls = 0

    def accept(self, data: bytes, **kwargs: object) -> tuple[models.Message, bool]:
        self.calls += 1
        return super().accept(data, **kwargs)  # type: ignore[arg-type]


def _cycle(source: ImapSource, intake: Intake) -> int:
    with source.session() as client:
        return source.run_cycle(client, intake)


def test_message_is_stored_once_and_moved(
    dovecot: Dovecot, mailbox_config: MailboxFactory, intake: Intake, tmp_path: Path
) -> None:
    raw = make_message(1)
    dovecot.append("INBOX", raw)
    source = ImapSource(mailbox_config(), state_dir=tmp_path)

    assert _cycle(source, intake) == 1
    assert _cycle(source, intake) == 0

    [message] = messages(intake.engine)
    assert intake.blobs.get(message.sha256) == raw
    assert message.header_message_id == "inv-1@example.com"
    assert message.source == "imap:ap"
    assert dovecot.uids("INBOX") == []
    assert list(dovecot.fetch_all("Processed").values()) == [raw]
    [row] = processed(intake.engine)
    assert (row.status, row.message_id, row.folder) == ("stored", message.id, "INBOX")


def test_flag_mode_leaves_message_with_keyword(
    dovecot: Dovecot, mailbox_config: MailboxFactory, intake: Intake, tmp_path: Path
) -> None:
    uid = dovecot.append("INBOX", make_message(1))
    source = ImapSource(mailbox_config(mode="flag"), state_dir=tmp_path)

    assert _cycle(source, intake) == 1
    assert _cycle(source, intake) == 0

    assert dovecot.uids("INBOX") == [uid]
    assert DONE_KEYWORD in dovecot.flags("INBOX")[uid]
    assert "\\Seen" not in dovecot.flags("INBOX")[uid]  # BODY.PEEK leaves it unread
    assert dovecot.uids("Processed") == []
    assert len(messages(intake.engine)) == 1


def test_too_large_message_goes_to_failed_without_download(
    dovecot: Dovecot, mailbox_config: MailboxFactory, intake: Intake, tmp_path: Path
) -> None:
    dovecot.append("INBOX", make_message(1, size=20_000))
    dovecot.append("INBOX", make_message(2))
    source = ImapSource(mailbox_config(max_message_bytes=10_000), state_dir=tmp_path)

    assert _cycle(source, intake) == 1

    [message] = messages(intake.engine)
    assert message.header_message_id == "inv-2@example.com"
    assert len(dovecot.uids("Failed")) == 1
    assert len(dovecot.uids("Processed")) == 1
    too_large = [row for row in processed(intake.engine) if row.status == "too_large"]
    assert len(too_large) == 1
    assert too_large[0].message_id is None
    assert "max_message_bytes is 10000" in (too_large[0].error or "")


def test_without_move_capability_copies_and_expunges_only_our_uids(
    dovecot_factory: Callable[..., Dovecot],
    mailbox_config: MailboxFactory,
    intake: Intake,
    tmp_path: Path,
) -> None:
    no_move = "IMAP4rev1 SASL-IR LITERAL+ ID ENABLE IDLE UIDPLUS NAMESPACE"
    server = dovecot_factory(capability=no_move)
    pending = server.append("INBOX", make_message(1))
    server.append("INBOX", make_message(2, size=20_000))
    normal = server.append("INBOX", make_message(3))
    with server.session() as other:
        # Someone else's pending delete: our UID EXPUNGE must not expunge it.
        other.select_folder("INBOX")
        other.add_flags([pending], [b"\\Deleted", DONE_KEYWORD.encode()])
    flag_mode = ImapSource(
        mailbox_config(server, mode="flag", max_message_bytes=10_000), state_dir=tmp_path
    )

    with flag_mode.session() as client:
        assert not client.has_capability("MOVE")
        assert flag_mode.run_cycle(client, intake) == 1

    assert server.uids("INBOX") == [pending, normal]
    assert len(server.uids("Failed")) == 1
    move_mode = ImapSource(mailbox_config(server, name="ap2"), state_dir=tmp_path)
    with move_mode.session() as client:
        move_mode.run_cycle(client, intake)
    assert server.uids("INBOX") == []
    assert len(server.uids("Processed")) == 2


def test_same_uidvalidity_is_skipped(
    dovecot: Dovecot, mailbox_config: MailboxFactory, sqlite_engine: object, tmp_path: Path
) -> None:
    intake = CountingIntake(engine=sqlite_engine, blobs=_blobs(tmp_path))  # type: ignore[arg-type]
    dovecot.append("INBOX", make_message(1))
    source = ImapSource(mailbox_config(mode="flag"), state_dir=tmp_path)
    _cycle(source, intake)
    # Lose the keyword (another client cleared it): the row still says "done".
    _clear_keyword(dovecot)

    _cycle(source, intake)

    assert intake.calls == 1
    assert len(processed(intake.engine)) == 1
    assert all(DONE_KEYWORD in flags for flags in dovecot.flags("INBOX").values())


def test_changed_uidvalidity_is_processed_again_without_duplicates(
    dovecot: Dovecot, mailbox_config: MailboxFactory, sqlite_engine: object, tmp_path: Path
) -> None:
    intake = CountingIntake(engine=sqlite_engine, blobs=_blobs(tmp_path))  # type: ignore[arg-type]
    dovecot.append("INBOX", make_message(1))
    dovecot.append("INBOX", make_message(2))
    source = ImapSource(mailbox_config(mode="flag"), state_dir=tmp_path)
    _cycle(source, intake)
    _clear_keyword(dovecot)
    new_validity = dovecot.change_uidvalidity("INBOX")

    assert _cycle(source, intake) == 0

    assert intake.calls == 4
    assert len(messages(intake.engine)) == 2
    rows = processed(intake.engine)
    assert sorted(r.uidvalidity for r in rows).count(new_validity) == 2
    assert len(rows) == 4


def _clear_keyword(server: Dovecot) -> None:
    with server.session() as client:
        client.select_folder("INBOX")
        client.remove_flags(client.search("ALL"), [DONE_KEYWORD])


def _blobs(tmp_path: Path) -> object:
    from storage.blobs import BlobStore

    return BlobStore(tmp_path / "blobs")
