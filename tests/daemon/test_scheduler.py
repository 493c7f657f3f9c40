"""The nightly export runs once a day, catches up a missed night, never fires on first start."""

from __future__ import annotations

from datetime import datetime
from datetime import time
from pathlib import Path

from daemon.scheduler import NightlyJob
from daemon.scheduler import next_run


def _job(tmp_path: Path, calls: list[int]) -> NightlyJob:
    return NightlyJob(at="02:00", job=lambda: calls.append(1), state_file=tmp_path / "last")


def test_next_run_is_strictly_after_now() -> None:
    assert next_run(datetime(2026, 3, 1, 1, 0), time(2, 0)) == datetime(2026, 3, 1, 2, 0)
    assert next_run(datetime(2026, 3, 1, 2, 0), time(2, 0)) == datetime(2026, 3, 2, 2, 0)
    assert next_run(datetime(2026, 3, 31, 23, 0), time(2, 0)) == datetime(2026, 4, 1, 2, 0)


def test_first_start_after_the_hour_waits_for_tomorrow(tmp_path: Path) -> None:
    job = _job(tmp_path, [])
    job.prime(datetime(2026, 3, 1, 21, 0))
    assert not job.due(datetime(2026, 3, 1, 21, 0))
    assert job.due(datetime(2026, 3, 2, 2, 0))


def test_first_start_before_the_hour_runs_tonight(tmp_path: Path) -> None:
    job = _job(tmp_path, [])
    job.prime(datetime(2026, 3, 1, 0, 30))
    assert not job.due(datetime(2026, 3, 1, 1, 59))
    assert job.due(datetime(2026, 3, 1, 2, 0))


def test_runs_once_per_day_and_catches_up_a_missed_night(tmp_path: Path) -> None:
    calls: list[int] = []
    job = _job(tmp_path, calls)
    job.prime(datetime(2026, 3, 1, 12, 0))
    job.run_now(datetime(2026, 3, 2).date())
    assert not job.due(datetime(2026, 3, 2, 23, 0))
    restarted = _job(tmp_path, calls)  # down all of the 3rd, back on the 4th at noon
    restarted.prime(datetime(2026, 3, 4, 12, 0))
    assert restarted.due(datetime(2026, 3, 4, 12, 0))
    assert calls == [1]


def test_a_failing_export_is_reported_not_raised(tmp_path: Path) -> None:
    def boom() -> None:
        raise RuntimeError("disk full")

    job = NightlyJob(at="02:00", job=boom, state_file=tmp_path / "last")
    job.run_now(datetime(2026, 3, 2).date())
    assert job.status() == {"last_run": "2026-03-02", "last_error": "disk full"}
