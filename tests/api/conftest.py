"""Fixtures for the review API tests: an app over a real database, tokens and invoices.

Records are created through ``storage.repo`` and sessions, the way the daemon
creates them, and the document bytes are a real PDF from the corpus.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session
from sqlmodel import select

from review_api import ReviewConfig
from review_api import create_app
from storage import models
from storage import repo
from storage.blobs import BlobStore
from storage.states import InvoiceStatus
from tests.support import records

REVIEW_CORPUS = Path(__file__).parents[1] / "corpus" / "review"
OYO_PDF = REVIEW_CORPUS / "oyo.pdf"
_parts = itertools.count(1)


def oyo_fields() -> dict[str, Any]:
    """Return the truth fields of the corpus PDF (what extraction should have found)."""
    truth = json.loads((REVIEW_CORPUS / "oyo.pdf.truth.json").read_text())
    fields: dict[str, Any] = truth["fields"]
    return fields


@dataclass
class Desk:
    """A running app, its storage and a token per role."""

    engine: Engine
    blobs: BlobStore
    client: TestClient
    company: int
    tokens: dict[str, str]

    def auth(self, role: str) -> dict[str, str]:
        """Return the Authorization header of ``role``'s token."""
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def invoice(self, invoice_id: int) -> models.Invoice:
        """Return the stored invoice row."""
        with Session(self.engine) as session:
            row = session.get(models.Invoice, invoice_id)
            assert row is not None
            return row

    def invoice_sha(self, invoice_id: int) -> str:
        """Return the SHA-256 of the invoice's document bytes."""
        with Session(self.engine) as session:
            document = session.get(models.Document, self.invoice(invoice_id).document_id)
            assert document is not None
            return document.sha256

    def audit(self, invoice_id: int) -> list[models.AuditEvent]:
        """Return the invoice's audit events, oldest first."""
        with Session(self.engine) as session:
            query = select(models.AuditEvent).where(models.AuditEvent.invoice_id == invoice_id)
            return sorted(session.exec(query).all(), key=lambda e: e.id or 0)


def make_desk(engine: Engine, blobs: BlobStore, config: ReviewConfig | None = None) -> Desk:
    """Build an app over ``engine`` with an admin, a reviewer and a viewer token."""
    app = create_app(config or ReviewConfig(), engine, blobs)
    tokens = {
        role: repo.create_token(engine, name=f"{role}-ann", role=role)
        for role in ("admin", "reviewer", "viewer")
    }
    return Desk(engine, blobs, TestClient(app), repo.company_id(engine), tokens)


@pytest.fixture
def desk(engine: Engine, blobs: BlobStore) -> Iterator[Desk]:
    """The review app over the ``engine`` fixture (SQLite and PostgreSQL)."""
    built = make_desk(engine, blobs)
    with built.client:
        yield built


def make_invoice(
    desk: Desk,
    *,
    fields: dict[str, Any] | None = None,
    status: InvoiceStatus = InvoiceStatus.NEEDS_REVIEW,
    data: bytes | None = None,
    filename: str = "oyo.pdf",
    content_type: str = "application/pdf",
    company: int | None = None,
    **columns: Any,
) -> int:
    """Store a message, its document and an invoice the way the daemon does; return its id."""
    return records.store_invoice(
        desk.engine,
        desk.blobs,
        company=company or desk.company,
        data=data if data is not None else OYO_PDF.read_bytes(),
        fields=fields if fields is not None else oyo_fields(),
        filename=filename,
        content_type=content_type,
        part=str(next(_parts)),
        status=status,
        **{"confidence": 0.7, **columns},
    )
