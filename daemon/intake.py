"""The single door through which every source hands over what arrived.

A source calls :meth:`Intake.accept` with raw bytes; when it returns, the bytes
are fsynced in the blob store and the message row is committed. Only then may
the source touch the original (move the mail, move the file).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from dataclasses import field

from sqlalchemy.engine import Engine

from daemon import routing
from storage import models
from storage import repo
from storage.blobs import BlobStore

log = logging.getLogger(__name__)


@dataclass
class Intake:
    """Stores arriving messages and wakes the worker."""

    engine: Engine
    blobs: BlobStore
    #: Set whenever a new message was stored; the worker waits on it.
    wakeup: threading.Event = field(default_factory=threading.Event)
    #: Company slugs a plus-address tag may route a message to.
    routable: frozenset[str] = frozenset()
    _companies: dict[str, int] = field(default_factory=dict)

    def company_id(self, slug: str) -> int:
        """Return (and cache) the id of the company ``slug``."""
        if slug not in self._companies:
            self._companies[slug] = repo.company_id(self.engine, slug=slug)
        return self._companies[slug]

    def accept(
        self,
        data: bytes,
        *,
        source: str,
        source_ref: str,
        company: str = repo.DEFAULT_COMPANY,
        filename: str | None = None,
        header_message_id: str | None = None,
    ) -> tuple[models.Message, bool]:
        """Store ``data`` durably; return ``(message, created)``.

        A message addressed to ``ap+<slug>@…`` goes to the company ``slug`` when
        that company is configured; otherwise to ``company``.
        """
        if self.routable:
            company = routing.company_for(data, known=self.routable, default=company)
        message, created = repo.store_message(
            self.engine,
            self.blobs,
            company=self.company_id(company),
            source=source,
            source_ref=source_ref,
            data=data,
            filename=filename,
            header_message_id=header_message_id,
        )
        log.info(
            "stored message %s from %s (%s)",
            message.id,
            source,
            "new" if created else "already stored",
            extra={"action": "intake", "record_id": message.id},
        )
        if created:
            self.wakeup.set()
        return message, created
