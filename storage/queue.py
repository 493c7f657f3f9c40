"""Claiming work: one worker per record, crash-safe through leases.

A claim is a short transaction that sets ``lease_until`` on one due record;
the work itself runs outside any transaction, and its results are committed
together with the state change. A worker that dies leaves a lease that simply
expires, so the record is claimed again: a retry, never a loss.

PostgreSQL claims with ``FOR UPDATE SKIP LOCKED`` so concurrent workers never
wait on each other; SQLite's ``BEGIN IMMEDIATE`` (see :mod:`storage.db`)
serialises claims instead.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import or_
from sqlalchemy.engine import Engine
from sqlmodel import col
from sqlmodel import select

from storage import db
from storage import models

Claimable = models.Message | models.Invoice


def claim_next(
    engine: Engine,
    model: type[models.Message] | type[models.Invoice],
    *,
    state_column: str,
    state: str,
    worker: str,
    lease: timedelta,
    now: datetime | None = None,
) -> Claimable | None:
    """Lease the oldest due record of ``model`` in ``state`` to ``worker``."""
    now = now or models.utcnow()
    query: Any = (
        select(model)
        .where(getattr(model, state_column) == state)
        .where(or_(col(model.lease_until).is_(None), col(model.lease_until) < now))
        .where(or_(col(model.next_attempt_at).is_(None), col(model.next_attempt_at) <= now))
        .order_by(col(model.id))
        .limit(1)
    )
    if not db.is_sqlite(engine):
        query = query.with_for_update(skip_locked=True)
    with db.session_scope(engine) as session:
        record: Claimable | None = session.exec(query).first()
        if record is None:
            return None
        record.lease_until = now + lease
        record.claimed_by = worker
        record.attempts += 1
        session.add(record)
    return record


def release(record: Any) -> None:
    """Clear the lease fields on a record about to be saved with its results."""
    record.lease_until = None
    record.claimed_by = None
