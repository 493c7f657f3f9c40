"""Run only the configured mailbox sources, storing messages without extraction.

A stand-in for ``apinbox ingest --config FILE`` until the CLI has it::

    python -m daemon.sources._runner --config apinbox.toml

Each mailbox runs in its own thread; SIGTERM or SIGINT stops them all.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from pathlib import Path
from types import FrameType

from daemon.config import Settings
from daemon.config import load_settings
from daemon.intake import Intake
from daemon.sources.imap import ImapSource
from storage import db
from storage import migrate
from storage.blobs import BlobStore

log = logging.getLogger(__name__)


def build_sources(settings: Settings) -> list[ImapSource]:
    """Return one source per configured mailbox."""
    state_dir = settings.storage.data_dir / "imap-state"
    return [ImapSource(mailbox, state_dir=state_dir) for mailbox in settings.mailboxes]


def run_sources(sources: list[ImapSource], intake: Intake, stop: threading.Event) -> None:
    """Run each source in its own thread until ``stop`` is set, then join them."""
    threads = [
        threading.Thread(target=source.run, args=(intake, stop), name=source.name, daemon=True)
        for source in sources
    ]
    for thread in threads:
        thread.start()
    stop.wait()
    for thread in threads:
        thread.join(timeout=10)


def main(argv: list[str] | None = None) -> int:
    """Parse ``--config``, open storage and run the mailbox sources."""
    parser = argparse.ArgumentParser(prog="python -m daemon.sources._runner")
    parser.add_argument("--config", type=Path, required=True)
    args = parser.parse_args(argv)
    settings = load_settings(args.config)
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    engine = db.make_engine(settings.storage.resolved_database_url())
    migrate.upgrade(engine)
    intake = Intake(engine=engine, blobs=BlobStore(settings.storage.blob_dir))
    stop = threading.Event()

    def _on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d: stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    run_sources(build_sources(settings), intake, stop)
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
