"""Crash safety: a crash at any point leads to a retry, never a loss or a duplicate."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from daemon.intake import Intake
from daemon.sources.imap import ImapSource
from storage import models
from tests.imap.conftest import MailboxFactory
from tests.imap.helpers import make_message
from tests.imap.helpers import messages
from tests.imap.helpers import processed
from tests.imap.helpers import wait_for
from tests.support import ingest
from tests.support.dovecot import Dovecot

pytestmark = pytest.mark.imap


class Crash(BaseException):
    """Stands for the process dying (nothing after it runs)."""


class CrashBeforeServerAction(ImapSource):
    """The real source, dying right after the commit, before MOVE or flag."""

    def _mark_done(self, client: object, uids: list[int]) -> None:
        raise Crash


class CountingIntake(Intake):
    """The real intake, counting hand-overs."""

    calls = 0

    def accept(self, data: bytes, **kwargs: object) -> tuple[models.Message, bool]:
        self.calls += 1
        return super().accept(data, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["move", "flag"])
def test_crash_after_commit_before_server_action_finishes_it(
    dovecot: Dovecot,
    mailbox_config: MailboxFactory,
    sqlite_engine: Engine,
    tmp_path: Path,
    mode: str,
) -> None:
    from storage.blobs import BlobStore

    intake = CountingIntake(engine=sqlite_engine, blobs=BlobStore(tmp_path / "blobs"))
    uid = dovecot.append("INBOX", make_message(1))
    config = mailbox_config(mode=mode)
    with (
        pytest.raises(Crash),
        CrashBeforeServerAction(config, state_dir=tmp_path).session() as client,
    ):
        CrashBeforeServerAction(config, state_dir=tmp_path).run_cycle(client, intake)
    assert [r.status for r in processed(sqlite_engine)] == ["stored"]
    assert dovecot.uids("INBOX") == [uid]  # the server copy was not touched yet

    source = ImapSource(config, state_dir=tmp_path)
    with source.session() as client:
        source.run_cycle(client, intake)

    assert intake.calls == 1  # not downloaded again
    assert len(messages(sqlite_engine)) == 1
    if mode == "move":
        assert dovecot.uids("INBOX") == []
        assert len(dovecot.uids("Processed")) == 1
    else:
        assert "$ApInboxDone" in dovecot.flags("INBOX")[uid]


@pytest.mark.slow
def test_sigkill_at_random_points_loses_and_duplicates_nothing(
    dovecot: Dovecot, sqlite_engine: Engine, tmp_path: Path
) -> None:
    total = 500
    config = ingest.write_config(
        tmp_path / "apinbox.toml",
        dovecot,
        data_dir=tmp_path / "data",
        database_url=sqlite_engine.url.render_as_string(hide_password=False),
        poll_interval_s=1.0,
    )
    log = tmp_path / "ingest.log"
    rng = random.Random()
    appender = threading.Thread(target=_append_slowly, args=(dovecot, total, rng))
    appender.start()
    kills = 0
    for _ in range(rng.randint(3, 5)):
        if not appender.is_alive():
            break
        proc = ingest.start(config, log=log)
        before = len(messages(sqlite_engine))
        # Kill it at a random point while it is storing, not while it starts up.
        wait_for(_progress(sqlite_engine, before, appender), timeout=30, what="ingest progress")
        time.sleep(rng.uniform(0.0, 0.4))
        assert proc.poll() is None, log.read_text()
        ingest.stop(proc, kill=True)
        kills += 1
    appender.join()
    assert kills >= 3, "the appender finished too early to crash the ingester 3 times"
    proc = ingest.start(config, log=log)
    try:
        wait_for(lambda: len(dovecot.uids("Processed")) == total, timeout=60, what="all moved")
    finally:
        ingest.stop(proc)

    _assert_each_stored_once(sqlite_engine, dovecot, total, log)


def _progress(engine: Engine, before: int, appender: threading.Thread) -> Callable[[], bool]:
    return lambda: len(messages(engine)) > before or not appender.is_alive()


def _append_slowly(server: Dovecot, total: int, rng: random.Random) -> None:
    with server.session() as client:
        for n in range(total):
            client.append("INBOX", make_message(n))
            time.sleep(rng.uniform(0.005, 0.05))


def _assert_each_stored_once(engine: Engine, server: Dovecot, total: int, log: Path) -> None:
    rows = messages(engine)
    ids = sorted(r.header_message_id or "" for r in rows)
    assert ids == sorted(f"inv-{n}@example.com" for n in range(total)), log.read_text()[-3000:]
    assert server.uids("INBOX") == []
    moved = server.fetch_all("Processed")
    assert len(moved) == total
    assert len(set(moved.values())) == total  # no message moved twice
    stored = [r for r in processed(engine) if r.status == "stored"]
    assert len({r.uid for r in stored}) == len(stored) == total
