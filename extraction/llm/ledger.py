"""Monthly token accounting for the LLM, kept in one small JSON file.

The file (``llm-usage.json`` in the cache directory) maps a UTC month to its
totals: ``{"2026-11": {"tokens": 12345, "calls": 17}}``. Several worker
processes may share it, so every update is a read-modify-write under an
exclusive ``flock`` and the new content replaces the old atomically.
Without a directory the ledger lives in memory (one process, one run).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Callable
from collections.abc import Iterator
from datetime import UTC
from datetime import date
from datetime import datetime
from pathlib import Path
from typing import Any

LEDGER_FILE = "llm-usage.json"


def _utc_today() -> date:
    return datetime.now(UTC).date()


class UsageLedger:
    """Tokens used per month, checked against a cap before every call."""

    def __init__(self, path: Path | None = None, *, today: Callable[[], date] = _utc_today) -> None:
        """Create a ledger.

        Args:
            path: the JSON file; None keeps the counts in memory only.
            today: the clock (tests pass a fixed date).
        """
        self.path = path
        self._today = today
        self._memory: dict[str, dict[str, int]] = {}

    @classmethod
    def in_dir(cls, cache_dir: str | os.PathLike[str] | None) -> UsageLedger:
        """Return the ledger stored in ``cache_dir`` (in memory when it is None)."""
        return cls(Path(cache_dir) / LEDGER_FILE if cache_dir is not None else None)

    def month(self) -> str:
        """Return the current UTC month as ``YYYY-MM``."""
        return self._today().strftime("%Y-%m")

    def used(self, month: str | None = None) -> int:
        """Return the tokens used in ``month`` (default: the current one)."""
        return int(self._read().get(month or self.month(), {}).get("tokens", 0))

    def allows(self, estimate: int, cap: int | None) -> bool:
        """Return True if a call of about ``estimate`` tokens stays within ``cap``."""
        return cap is None or self.used() + estimate <= cap

    def add(self, tokens: int) -> int:
        """Record one call of ``tokens`` tokens; return the month's new total."""
        with self._locked():
            data = self._read()
            entry = data.setdefault(self.month(), {"tokens": 0, "calls": 0})
            entry["tokens"] = int(entry.get("tokens", 0)) + max(tokens, 0)
            entry["calls"] = int(entry.get("calls", 0)) + 1
            self._write(data)
            return int(entry["tokens"])

    def _read(self) -> dict[str, Any]:
        if self.path is None:
            return self._memory
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except ValueError:
            # A corrupt ledger must not stop extraction; start the count again.
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, data: dict[str, Any]) -> None:
        if self.path is None:
            self._memory = data
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".llm-usage-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, sort_keys=True)
        Path(tmp).replace(self.path)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        if self.path is None:
            yield
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.with_suffix(".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
