"""Watch folder: files dropped in a directory become messages.

A file is moved to ``processed/`` only after its bytes and row are committed;
files that cannot be read go to ``failed/`` with a ``.reason.txt`` beside them.
Files still being written are left alone until their size stops changing.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from pathlib import Path

from daemon.intake import Intake
from storage import models

log = logging.getLogger(__name__)

_IGNORED_PREFIXES = (".", "~")


class FolderSource:
    """Poll a directory for new files."""

    def __init__(
        self, path: Path, *, company: str = "default", poll_interval_s: float = 2.0
    ) -> None:
        """Watch ``path``; processed and failed files go to subfolders of it."""
        self.path = Path(path)
        self.company = company
        self.poll_interval_s = poll_interval_s
        self.name = f"folder:{self.path}"
        self._sizes: dict[Path, int] = {}
        self.last_poll: datetime | None = None
        self.last_error: str | None = None

    def run(self, intake: Intake, stop: threading.Event) -> None:
        """Scan until ``stop`` is set."""
        self.path.mkdir(parents=True, exist_ok=True)
        while not stop.is_set():
            self.scan(intake)
            stop.wait(self.poll_interval_s)

    def scan(self, intake: Intake) -> int:
        """Take every settled file once; return how many were stored or failed."""
        handled = 0
        for file in self._settled_files():
            self._take(intake, file)
            handled += 1
        self.last_poll = models.utcnow()
        return handled

    def _settled_files(self) -> list[Path]:
        files = sorted(
            p
            for p in self.path.iterdir()
            if p.is_file() and not p.name.startswith(_IGNORED_PREFIXES)
        )
        settled = []
        for file in files:
            size = file.stat().st_size
            if self._sizes.get(file) == size:
                settled.append(file)
            self._sizes[file] = size
        return settled

    def _take(self, intake: Intake, file: Path) -> None:
        self._sizes.pop(file, None)
        try:
            data = file.read_bytes()
            intake.accept(
                data,
                source=self.name,
                source_ref=file.name,
                company=self.company,
                filename=file.name,
            )
        except OSError as exc:
            self.last_error = f"{file.name}: {exc}"
            log.warning("cannot read %s: %s", file, exc, extra={"action": "folder_failed"})
            _move(file, self.path / "failed", reason=str(exc))
            return
        _move(file, self.path / "processed")

    def status(self) -> dict[str, object]:
        """Return health facts for /healthz."""
        return {
            "last_poll": self.last_poll.isoformat() if self.last_poll else None,
            "last_error": self.last_error,
        }


def _move(file: Path, folder: Path, *, reason: str | None = None) -> None:
    folder.mkdir(exist_ok=True)
    target = folder / file.name
    counter = 1
    while target.exists():
        target = folder / f"{file.stem}.{counter}{file.suffix}"
        counter += 1
    file.replace(target)
    if reason is not None:
        target.with_name(target.name + ".reason.txt").write_text(reason + "\n")
