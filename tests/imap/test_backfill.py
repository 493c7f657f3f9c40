"""``apinbox backfill``: existing mail since a date is stored once and left where it is."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from daemon.backfill import backfill
from daemon.intake import Intake
from storage import db
from storage import models
from storage.blobs import BlobStore
from tests.e2e._daemon import apinbox
from tests.e2e._daemon import write_config
from tests.support.dovecot import PASSWORD
from tests.support.dovecot import USER
from tests.support.dovecot import Dovecot


def _mail(n: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"vendor{n}@example.com"
    msg["To"] = "ap@example.com"
    msg["Subject"] = f"Invoice {n}"
    msg["Message-ID"] = f"<m{n}@example.com>"
    msg.set_content(f"Invoice {n}, total 10.00 EUR")
    return msg.as_bytes()


def _fill(dovecot: Dovecot) -> None:
    with dovecot.session() as client:
        for n, day in enumerate(
            [datetime(2020, 5, 1), datetime(2021, 1, 2), datetime(2024, 6, 1), datetime(2025, 2, 3)]
        ):
            client.append("INBOX", _mail(n), msg_time=day)


@pytest.mark.imap
def test_backfill_stores_mail_since_the_date_once_and_leaves_it(
    dovecot: Dovecot, engine: Engine, blobs: BlobStore, tmp_path: Path, mailbox_config: object
) -> None:
    _fill(dovecot)
    config = mailbox_config()  # type: ignore[operator]
    intake = Intake(engine, blobs)
    seen: list[tuple[int, int]] = []
    new, total = backfill(
        config,
        intake,
        since=date(2024, 1, 1),
        state_dir=tmp_path,
        progress=lambda done, of: seen.append((done, of)),
    )
    assert (new, total) == (2, 2)
    assert seen[-1] == (2, 2)
    again = backfill(config, intake, since=date(2020, 1, 1), state_dir=tmp_path)
    assert again == (2, 4)
    assert len(dovecot.uids("INBOX")) == 4
    with db.session_scope(engine) as session:
        stored = session.exec(select(models.Message)).all()
    assert sorted(m.header_message_id or "" for m in stored) == [
        f"m{n}@example.com" for n in range(4)
    ]


@pytest.mark.imap
def test_backfill_command_shows_progress(dovecot: Dovecot, tmp_path: Path) -> None:
    _fill(dovecot)
    config = write_config(
        tmp_path / "c.toml",
        f"""
[storage]
data_dir = "{tmp_path / "var"}"
[[mailboxes]]
name = "ap"
host = "127.0.0.1"
port = {dovecot.port}
security = "none"
username = "{USER}"
password = "{PASSWORD}"
""",
    )
    done = apinbox(config, "backfill", "ap", "--since", "2021-01-01")
    assert done.returncode == 0, done.stderr
    assert "stored 3 new of 3 message(s)" in done.stdout
    assert "[" in done.stderr and "3/3" in done.stderr
    unknown = apinbox(config, "backfill", "nope", "--since", "2021-01-01")
    assert unknown.returncode == 2 and "no mailbox named 'nope'" in unknown.stderr
