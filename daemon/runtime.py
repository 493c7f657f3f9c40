"""Builds the running system from settings and supervises its threads.

Sources, workers, the scheduler and the web server are named side tasks. If
one of them dies unexpectedly, the runtime logs it and stops everything, so
the service manager restarts a whole process instead of one that limps on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

import extraction
from daemon import readers
from daemon import stages
from daemon.config import Settings
from daemon.intake import Intake
from daemon.retry import RetryStrategy
from daemon.scheduler import NightlyJob
from daemon.sources import Source
from daemon.sources.folder import FolderSource
from daemon.worker import Worker
from storage import db
from storage import exports
from storage import migrate
from storage import models
from storage import repo
from storage.blobs import BlobStore
from storage.states import InvoiceStatus
from storage.states import MessageState

log = logging.getLogger(__name__)


@dataclass
class Task:
    """A named thread the runtime watches."""

    name: str
    target: Callable[[], None]
    thread: threading.Thread | None = None
    crashed: BaseException | None = None


def open_storage(settings: Settings) -> tuple[Engine, BlobStore]:
    """Connect (waiting a bounded time for the database), migrate, and open the blob store."""
    settings.storage.data_dir.mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(settings.storage.resolved_database_url())
    db.wait_for_database(engine)
    migrate.upgrade(engine)
    return engine, BlobStore(settings.storage.blob_dir)


def build_sources(settings: Settings) -> list[Source]:
    """Instantiate every configured mailbox and watch folder."""
    sources: list[Source] = [
        FolderSource(w.path, company=w.company, poll_interval_s=w.poll_interval_s)
        for w in settings.watch_folders
    ]
    if settings.mailboxes:
        from daemon.sources.imap import ImapSource  # imported only when configured

        state_dir = settings.storage.data_dir / "imap-state"
        sources += [ImapSource(m, state_dir=state_dir) for m in settings.mailboxes]
    return sources


def stage_context(settings: Settings, engine: Engine, blobs: BlobStore) -> stages.StageContext:
    """Return the context every stage runs with."""
    policy = stages.policy_from(
        auto_approve=settings.policy.auto_approve,
        min_confidence=settings.policy.min_confidence,
        max_total=settings.policy.max_total,
    )
    cfg = settings.worker
    read: readers.ReadParts = extraction.extract_parts
    if cfg.read_in_child:
        read = readers.POOL.reading(cfg.read_timeout_s, cfg.read_memory_bytes)
    return stages.StageContext(engine, blobs, settings.extraction_config(), policy, read)


def export_now(
    settings: Settings, engine: Engine, blobs: BlobStore, *, fmt: str | None = None
) -> list[Path]:
    """Export every company's approved invoices to the export directory; return the files."""
    directory = settings.export.directory or settings.storage.data_dir / "exports"
    written = []
    with db.session_scope(engine) as session:
        companies = list(session.exec(select(models.Company)).all())
    for company in companies:
        assert company.id is not None
        batch = exports.export_approved(
            engine, blobs, company=company.id, format_name=fmt or settings.export.format
        )
        if batch is not None and batch.id is not None:
            out = directory / company.slug / f"{batch.created_at:%Y-%m-%d}-batch-{batch.id}.csv"
            exports.write_batch(blobs, batch, out)
            exports.record_path(engine, batch_id=batch.id, path=out)
            written.append(out)
    return written


@dataclass
class Runtime:
    """The daemon's parts, wired together."""

    settings: Settings
    engine: Engine
    blobs: BlobStore
    stop_event: threading.Event = field(default_factory=threading.Event)
    tasks: list[Task] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    workers: list[Worker] = field(default_factory=list)
    nightly: NightlyJob | None = None
    intake: Intake | None = None

    @classmethod
    def create(cls, settings: Settings) -> Runtime:
        """Open storage and build the intake."""
        engine, blobs = open_storage(settings)
        runtime = cls(settings, engine, blobs)
        routable = frozenset(c.slug for c in settings.companies)
        runtime.intake = Intake(engine, blobs, routable=routable)
        repo.company_id(engine)
        with db.session_scope(engine) as session:
            for company in settings.companies:
                repo.ensure_company(session, slug=company.slug, name=company.name)
        return runtime

    def add_sources(self) -> None:
        """Start a task per configured source."""
        assert self.intake is not None
        intake = self.intake
        for source in build_sources(self.settings):
            self.sources.append(source)
            self.tasks.append(Task(source.name, lambda s=source: s.run(intake, self.stop_event)))  # type: ignore[misc]

    def add_workers(self) -> None:
        """Start the stage workers and the nightly export."""
        assert self.intake is not None
        ctx = stage_context(self.settings, self.engine, self.blobs)
        cfg = self.settings.worker
        for index in range(cfg.threads):
            worker = Worker(
                ctx,
                wakeup=self.intake.wakeup,
                poll_interval_s=cfg.poll_interval_s,
                lease_s=cfg.lease_s,
                retry=RetryStrategy(max_attempts=cfg.max_attempts),
            )
            self.workers.append(worker)
            self.tasks.append(Task(f"worker-{index}", lambda w=worker: w.run(self.stop_event)))  # type: ignore[misc]
        if self.settings.export.nightly_at:
            self._add_nightly()

    def _add_nightly(self) -> None:
        job = NightlyJob(
            at=self.settings.export.nightly_at,
            job=lambda: export_now(self.settings, self.engine, self.blobs),
            state_file=self.settings.storage.data_dir / "nightly-export.last",
        )
        self.nightly = job
        self.tasks.append(Task(job.name, lambda: job.run(self.stop_event)))

    def add_task(self, name: str, target: Callable[[], None]) -> None:
        """Supervise another named task (the web server)."""
        self.tasks.append(Task(name, target))

    def health(self) -> dict[str, Any]:
        """Return liveness facts for /healthz."""
        with db.read_scope(self.engine) as session:
            pending = session.exec(
                select(func.count())
                .select_from(models.Message)
                .where(models.Message.state == MessageState.RECEIVED)
            ).one()
            review = session.exec(
                select(func.count())
                .select_from(models.Invoice)
                .where(models.Invoice.status == InvoiceStatus.NEEDS_REVIEW)
            ).one()
        return {
            "queue": {"messages_pending": pending, "needs_review": review},
            "sources": {s.name: s.status() for s in self.sources},
            "tasks": {t.name: ("crashed" if t.crashed else "running") for t in self.tasks},
            "nightly_export": self.nightly.status() if self.nightly else None,
        }

    def start(self) -> None:
        """Start every task in its own thread."""
        for task in self.tasks:
            task.thread = threading.Thread(
                target=self._guard, args=(task,), name=task.name, daemon=True
            )
            task.thread.start()

    def _guard(self, task: Task) -> None:
        try:
            task.target()
        except BaseException as exc:
            task.crashed = exc
            log.exception("task %s died; stopping the daemon so it can be restarted", task.name)
            self.stop()
            return
        if not self.stop_event.is_set():
            log.error("task %s ended unexpectedly; stopping", task.name)
            self.stop()

    def stop(self) -> None:
        """Ask every task to stop (idempotent)."""
        self.stop_event.set()
        for worker in self.workers:
            worker.stop()

    def wait(self, *, timeout_s: float) -> bool:
        """Block until stopped, then join the tasks within ``timeout_s``; True if all ended."""
        self.stop_event.wait()
        deadline = time.monotonic() + timeout_s
        for task in self.tasks:
            if task.thread is not None:
                task.thread.join(max(0.0, deadline - time.monotonic()))
        return all(t.thread is None or not t.thread.is_alive() for t in self.tasks)

    @property
    def crashed(self) -> bool:
        """True when a task died."""
        return any(t.crashed for t in self.tasks)
