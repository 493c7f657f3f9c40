"""Shared fixtures: databases on SQLite and PostgreSQL, blob stores, and the skip policy.

Storage-backed tests take the ``engine`` fixture and run once per backend. With
``APINBOX_REQUIRE_SERVICES=1`` (set by ``.ci/run``) a skipped test fails instead:
CI must never pass because a service was missing.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from storage import db
from storage import migrate
from storage.blobs import BlobStore

pytest_plugins = ["tests.support.dovecot"]

PG_ADMIN_URL = os.environ.get(
    "APINBOX_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_SERVICES = os.environ.get("APINBOX_REQUIRE_SERVICES") == "1"
_counter = itertools.count()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Turn skips into failures when CI requires every service."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if REQUIRE_SERVICES and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped, but APINBOX_REQUIRE_SERVICES=1 forbids skips: {reason}"


def _pg_admin() -> Engine:
    return db.make_engine(PG_ADMIN_URL)


def _pg_execute(sql: str) -> None:
    engine = _pg_admin()
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """Build a migrated template database once per test session (per xdist worker)."""
    name = f"apinbox_tpl_{uuid.uuid4().hex[:10]}"
    try:
        _pg_execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}")
    engine = db.make_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
    migrate.upgrade(engine)
    engine.dispose()
    yield name
    _pg_execute(f'DROP DATABASE IF EXISTS "{name}"')


def _pg_engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    template = request.getfixturevalue("pg_template")
    name = f"apinbox_t_{uuid.uuid4().hex[:12]}"
    _pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    engine = db.make_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
    yield engine
    engine.dispose()
    _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = db.make_engine(f"sqlite:///{tmp_path / f'apinbox-{next(_counter)}.db'}")
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        yield from _sqlite_engine(tmp_path)
    else:
        yield from _pg_engine(request)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite database, for tests where the backend does not matter."""
    yield from _sqlite_engine(tmp_path)


@pytest.fixture
def database_url(engine: Engine) -> str:
    """The URL of the ``engine`` fixture's database, for subprocesses."""
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def blobs(tmp_path: Path) -> BlobStore:
    """An empty blob store in the test's temporary directory."""
    return BlobStore(tmp_path / "blobs")


CORPUS = Path(__file__).parent / "corpus"
