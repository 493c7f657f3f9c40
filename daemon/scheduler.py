"""Nightly export, run as a supervised side task; idempotent per day.

Exporting twice the same night is harmless anyway (each invoice is exported
once), but the scheduler also remembers the last day it ran in the data
directory so a restart after the hour does not produce an empty extra run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from pathlib import Path

log = logging.getLogger(__name__)


def next_run(now: datetime, at: time) -> datetime:
    """Return the next local datetime at ``at`` strictly after ``now``."""
    candidate = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    return candidate if candidate > now else candidate + timedelta(days=1)


class NightlyJob:
    """Run ``job`` once a day at a local time."""

    def __init__(self, *, at: str, job: Callable[[], object], state_file: Path) -> None:
        """Schedule ``job`` daily at ``at`` (``HH:MM``); ``state_file`` keeps the last run day."""
        self.at = time.fromisoformat(at)
        self.job = job
        self.state_file = state_file
        self.name = "nightly-export"
        self.last_error: str | None = None

    def run(self, stop: threading.Event) -> None:
        """Sleep until the next run time, run, repeat; return when ``stop`` is set.

        A run missed while the daemon was down is caught up at start; a first
        start ever waits for the next run time instead of exporting at once.
        """
        self.prime(datetime.now().astimezone())
        while not stop.is_set():
            now = datetime.now().astimezone()
            if self._due(now):
                self.run_now(now.date())
            wait = (next_run(now, self.at) - now).total_seconds()
            stop.wait(min(wait, 60.0))

    def prime(self, now: datetime) -> None:
        """On a first start ever, count today's run time as done if it has passed."""
        if self._last_day() is None:
            passed = now.time() >= self.at
            self._remember(now.date() if passed else now.date() - timedelta(days=1))

    def due(self, now: datetime) -> bool:
        """Return True when the run for ``now``'s day is owed."""
        return self._due(now)

    def _due(self, now: datetime) -> bool:
        past_hour = now.time() >= self.at
        return past_hour and self._last_day() != now.date()

    def run_now(self, day: date) -> None:
        """Run the job for ``day`` and remember it; errors are logged, not raised."""
        try:
            self.job()
            self.last_error = None
        except Exception as exc:
            self.last_error = str(exc)
            log.exception("nightly export failed", extra={"action": "nightly_export"})
        self._remember(day)

    def _remember(self, day: date) -> None:
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        self.state_file.write_text(day.isoformat())

    def _last_day(self) -> date | None:
        try:
            return date.fromisoformat(self.state_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def status(self) -> dict[str, object]:
        """Return health facts."""
        last = self._last_day()
        return {"last_run": last.isoformat() if last else None, "last_error": self.last_error}
