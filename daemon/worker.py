"""The worker: claim a due record, run its stage, commit; wait when idle.

It waits on whichever comes first: new work (the intake's wakeup event), the
poll interval, or stop. ``stop()`` is idempotent; the current stage finishes
(bounded by the shutdown timeout of the caller) before the loop exits.
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import timedelta

from daemon import stages
from daemon.retry import RetryStrategy
from storage import db
from storage import models
from storage import queue

log = logging.getLogger(__name__)


class Worker:
    """Moves records through :data:`daemon.stages.STAGES`."""

    def __init__(
        self,
        ctx: stages.StageContext,
        *,
        wakeup: threading.Event | None = None,
        poll_interval_s: float = 2.0,
        lease_s: float = 600.0,
        retry: RetryStrategy | None = None,
    ) -> None:
        """Create a worker over ``ctx``; ``wakeup`` is set by the intake on arrivals."""
        self.ctx = ctx
        self.wakeup = wakeup or threading.Event()
        self.poll_interval_s = poll_interval_s
        self.lease = timedelta(seconds=lease_s)
        self.retry = retry or RetryStrategy()
        self.name = f"worker-{uuid.uuid4().hex[:8]}"
        self._stop = threading.Event()
        self.processed = 0

    def stop(self) -> None:
        """Ask the loop to end after the current stage; safe to call twice."""
        self._stop.set()
        self.wakeup.set()

    def run(self, stop: threading.Event | None = None) -> None:
        """Loop until stopped (by :meth:`stop` or the given event)."""
        while not (self._stop.is_set() or (stop is not None and stop.is_set())):
            if not self.run_once():
                self.wakeup.wait(self.poll_interval_s)
                self.wakeup.clear()

    def run_once(self) -> int:
        """Run at most one due record of each stage; return how many records were run."""
        did = 0
        for stage in stages.STAGES:
            record = queue.claim_next(
                self.ctx.engine,
                stage.model,
                state_column=stage.state_column,
                state=stage.state,
                worker=self.name,
                lease=self.lease,
            )
            if record is not None:
                self._run_stage(stage, record)
                did += 1
        return did

    def run_until_idle(self, *, limit: int = 10_000) -> int:
        """Process until no record is due (for ``apinbox process`` and tests); return the count."""
        done = 0
        while done < limit and (ran := self.run_once()):
            done += ran
        return done

    def _run_stage(self, stage: stages.Stage, record: models.Message | models.Invoice) -> None:
        extra = {"action": "stage", "record_id": record.id, "stage": stage.name}
        try:
            stage.run(self.ctx, record)
            self.processed += 1
        except Exception as exc:
            log.exception("stage %s failed on record %s", stage.name, record.id, extra=extra)
            self._after_failure(stage, record, f"{type(exc).__name__}: {exc}")

    def _after_failure(
        self, stage: stages.Stage, record: models.Message | models.Invoice, reason: str
    ) -> None:
        retry_at = self.retry.next_attempt(record.attempts, models.utcnow())
        if retry_at is None:
            stage.fail(self.ctx, record, reason)
            return
        with db.session_scope(self.ctx.engine) as session:
            fresh = session.get(type(record), record.id)
            if fresh is not None:
                fresh.next_attempt_at = retry_at
                fresh.error = reason
                queue.release(fresh)
                session.add(fresh)
