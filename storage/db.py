"""Engines and sessions: SQLite (WAL, immediate transactions) or PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session
from sqlmodel import create_engine


def is_sqlite(engine: Engine) -> bool:
    """Return True when the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    """Create the engine for ``url``; never a module global.

    SQLite gets WAL, foreign keys, a busy timeout and ``BEGIN IMMEDIATE`` for every
    transaction: writers then queue on the lock up front instead of failing later
    with "database is locked" when a read transaction tries to upgrade.
    """
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _sqlite_engine(url: str) -> Engine:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from the driver so "begin" below decides.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_on_begin(conn: Any) -> None:
    # Readers (read_scope) begin deferred so they never queue behind the write lock.
    deferred = conn.get_execution_options().get(_READ_ONLY, False)
    conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


_READ_ONLY = "apinbox_read_only"


@contextmanager
def read_scope(engine: Engine) -> Iterator[Session]:
    """Yield a session for reading only; on SQLite it does not take the write lock."""
    with Session(engine.execution_options(**{_READ_ONLY: True}), expire_on_commit=False) as session:
        try:
            yield session
        finally:
            session.rollback()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """Yield a session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def wait_for_database(engine: Engine, *, attempts: int = 30, delay_s: float = 1.0) -> None:
    """Block until the database answers, with a bounded number of attempts."""
    for attempt in range(1, attempts + 1):
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except OperationalError:
            if attempt == attempts:
                raise
            time.sleep(delay_s)
        else:
            return
