"""``apinbox backfill``: take in a mailbox's existing mail since a date, leaving it in place.

History is read, not handled: messages stay where they are (mail people have
already dealt with must not vanish from their folders) and the content hash in
the intake makes a second run, or a later live pick-up, store nothing twice.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TextIO

from daemon.config import MailboxConfig
from daemon.intake import Intake
from daemon.sources.imap import ImapSource
from daemon.sources.imap import header_message_id

_BATCH = 50


def backfill(
    config: MailboxConfig,
    intake: Intake,
    *,
    since: date,
    folder: str | None = None,
    state_dir: Path,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, int]:
    """Store every message of ``folder`` received since ``since``; return ``(new, seen)``."""
    source = ImapSource(config, state_dir=state_dir)
    name = folder or config.folder
    new = seen = 0
    with source.session() as client:
        client.select_folder(name, readonly=True)
        uidvalidity = int(client.folder_status(name, ["UIDVALIDITY"])[b"UIDVALIDITY"])
        uids = sorted(client.search(["SINCE", since]))
        for start in range(0, len(uids), _BATCH):
            batch = uids[start : start + _BATCH]
            for uid, item in client.fetch(batch, ["BODY.PEEK[]"]).items():
                raw = bytes(item[b"BODY[]"])
                _, created = intake.accept(
                    raw,
                    source=f"backfill:{config.name}",
                    source_ref=f"{name}/{uidvalidity}/{uid}",
                    company=config.company,
                    header_message_id=header_message_id(raw),
                )
                new += created
                seen += 1
            if progress:
                progress(seen, len(uids))
    return new, seen


def progress_bar(stream: TextIO = sys.stderr, width: int = 30) -> Callable[[int, int], None]:
    """Return a callback drawing ``[#####.....] done/total`` on one terminal line."""

    def draw(done: int, total: int) -> None:
        filled = width * done // max(total, 1)
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            stream.write("\n")
        stream.flush()

    return draw
