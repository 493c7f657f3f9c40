"""IMAP test fixtures: the real-Dovecot harness plus mailbox configs pointing at it.

The harness fixtures (``dovecot``, ``dovecot_factory``, ``dovecot_certs``,
``oauth_server``) come from ``tests.support.dovecot``, registered as a plugin
in tests/conftest.py.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from daemon.config import MailboxConfig
from daemon.intake import Intake
from daemon.sources.imap import ImapSource
from storage.blobs import BlobStore
from tests.support.dovecot import PASSWORD
from tests.support.dovecot import USER
from tests.support.dovecot import Dovecot

MailboxFactory = Callable[..., MailboxConfig]


@pytest.fixture
def mailbox_config(dovecot: Dovecot) -> MailboxFactory:
    """Build a ``MailboxConfig`` for the harness Dovecot (plain loopback by default)."""

    def build(server: Dovecot | None = None, **overrides: Any) -> MailboxConfig:
        server = server or dovecot
        values: dict[str, Any] = {
            "name": "ap",
            "host": "127.0.0.1",
            "port": server.port,
            "security": "none",
            "username": USER,
            "password": PASSWORD,
            "poll_interval_s": 30.0,
        }
        values.update(overrides)
        return MailboxConfig.model_validate(values)

    return build


@pytest.fixture
def intake(sqlite_engine: Engine, tmp_path: Path) -> Intake:
    """A real intake on a fresh SQLite database and blob store."""
    return Intake(engine=sqlite_engine, blobs=BlobStore(tmp_path / "blobs"))


class Running:
    """Sources running in threads, stopped at teardown."""

    def __init__(self, intake: Intake) -> None:
        self.intake = intake
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self, source: ImapSource) -> ImapSource:
        thread = threading.Thread(target=source.run, args=(self.intake, self.stop), daemon=True)
        thread.start()
        self.threads.append(thread)
        return source

    def shutdown(self, timeout: float = 10.0) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout)


@pytest.fixture
def running(intake: Intake) -> Iterator[Running]:
    """Start sources in threads; they are stopped after the test."""
    runner = Running(intake)
    yield runner
    runner.shutdown()
