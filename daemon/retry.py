"""When to try a failed stage again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta


@dataclass(frozen=True)
class RetryStrategy:
    """Exponential backoff: wait ``min(max_s, base_s * factor ** (attempts - 1))``.

    After ``max_attempts`` attempts the record is given up on (``None``) and goes
    to the failed queue with its reason.
    """

    max_attempts: int = 5
    base_s: float = 10.0
    factor: float = 3.0
    max_s: float = 3600.0

    def next_attempt(self, attempts: int, now: datetime) -> datetime | None:
        """Return when to retry after ``attempts`` failed attempts, or None to give up."""
        if attempts >= self.max_attempts:
            return None
        delay = min(self.max_s, self.base_s * self.factor ** max(attempts - 1, 0))
        return now + timedelta(seconds=delay)
