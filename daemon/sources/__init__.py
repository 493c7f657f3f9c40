"""Where messages come from: IMAP mailboxes and watch folders.

A source is a named loop run in its own thread by the supervisor. It hands
every arrival to :class:`daemon.intake.Intake` and acts on the original only
after ``accept`` returned (the message is then committed).
"""

from __future__ import annotations

import threading
from typing import Protocol

from daemon.intake import Intake


class Source(Protocol):
    """A long-running producer of messages."""

    name: str

    def run(self, intake: Intake, stop: threading.Event) -> None:
        """Deliver messages to ``intake`` until ``stop`` is set."""

    def status(self) -> dict[str, object]:
        """Return health facts: last successful poll, last error."""
