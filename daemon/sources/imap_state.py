"""What the IMAP source remembers per server message: ``ProcessedMessage`` rows.

A row is keyed like the server keys a message: ``(mailbox, folder, uidvalidity,
uid)``. It is committed after the raw message is stored and before the server
copy is moved or flagged, so after a crash the row tells the next cycle to
finish the server-side action instead of downloading the message again. A new
UIDVALIDITY means new keys: the messages are read again, and the content hash
in the intake keeps them from being stored twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select
from sqlmodel.sql.expression import SelectOfScalar

from storage import db
from storage import models

STORED = "stored"
TOO_LARGE = "too_large"
#: Statuses after which the message is never downloaded again (same UIDVALIDITY).
DONE_STATUSES = frozenset({STORED, TOO_LARGE})
_CHUNK = 500  # stay far below SQLite's bound-parameter limit


@dataclass(frozen=True)
class FolderKey:
    """A folder as one generation of UIDs: a UIDVALIDITY change makes a new key."""

    mailbox: str
    folder: str
    uidvalidity: int


@dataclass(frozen=True)
class Outcome:
    """What happened to one server message, to be recorded."""

    uid: int
    status: str
    error: str | None = None
    message_id: int | None = None


def statuses(engine: Engine, key: FolderKey, uids: Iterable[int]) -> dict[int, str]:
    """Return ``{uid: status}`` for the UIDs that already have a row under ``key``."""
    wanted = list(uids)
    found: dict[int, str] = {}
    with db.session_scope(engine) as session:
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            query = _rows_query(key, chunk)
            found.update((row.uid, row.status) for row in session.exec(query))
    return found


def record(engine: Engine, key: FolderKey, *, company_id: int, outcomes: Sequence[Outcome]) -> None:
    """Commit one row per outcome in a single transaction (idempotent)."""
    if not outcomes:
        return
    try:
        _record_once(engine, key, company_id=company_id, outcomes=outcomes)
    except IntegrityError:
        # Another process recorded some of these UIDs between our read and write.
        _record_once(engine, key, company_id=company_id, outcomes=outcomes)


def _record_once(
    engine: Engine, key: FolderKey, *, company_id: int, outcomes: Sequence[Outcome]
) -> None:
    with db.session_scope(engine) as session:
        existing = _existing(session, key, [o.uid for o in outcomes])
        for outcome in outcomes:
            row = existing.get(outcome.uid)
            if row is None:
                row = models.ProcessedMessage(
                    company_id=company_id,
                    mailbox=key.mailbox,
                    folder=key.folder,
                    uidvalidity=key.uidvalidity,
                    uid=outcome.uid,
                    status=outcome.status,
                )
            row.status, row.error, row.message_id = (
                outcome.status,
                outcome.error,
                outcome.message_id,
            )
            session.add(row)


def _existing(
    session: Session, key: FolderKey, uids: list[int]
) -> dict[int, models.ProcessedMessage]:
    rows: dict[int, models.ProcessedMessage] = {}
    for start in range(0, len(uids), _CHUNK):
        query = _rows_query(key, uids[start : start + _CHUNK])
        rows.update((row.uid, row) for row in session.exec(query))
    return rows


def _rows_query(key: FolderKey, uids: list[int]) -> SelectOfScalar[models.ProcessedMessage]:
    model = models.ProcessedMessage
    return select(model).where(
        model.mailbox == key.mailbox,
        model.folder == key.folder,
        model.uidvalidity == key.uidvalidity,
        col(model.uid).in_(uids),
    )


def rows(engine: Engine, *, mailbox: str) -> list[models.ProcessedMessage]:
    """Return every row of ``mailbox`` (for status pages and tests)."""
    with db.session_scope(engine) as session:
        query = select(models.ProcessedMessage).where(models.ProcessedMessage.mailbox == mailbox)
        return list(session.exec(query.order_by(col(models.ProcessedMessage.id))))
