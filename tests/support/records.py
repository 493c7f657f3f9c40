"""Stored records the way the daemon writes them, for tests that start from a filled database."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from storage import db
from storage import models
from storage import repo
from storage.blobs import BlobStore
from storage.states import InvoiceStatus


def store_invoice(
    engine: Engine,
    blobs: BlobStore,
    *,
    company: int,
    data: bytes,
    fields: dict[str, Any],
    filename: str | None = "invoice.pdf",
    content_type: str = "application/pdf",
    part: str = "1",
    status: InvoiceStatus = InvoiceStatus.NEEDS_REVIEW,
    document_type: str = "invoice",
    **columns: Any,
) -> int:
    """Store a message, its document and an invoice (like the extract stage); return its id."""
    message, _ = repo.store_message(
        engine,
        blobs,
        company=company,
        source="imap:ap",
        source_ref="INBOX/1/1",
        data=data,
        filename=filename,
    )
    with db.session_scope(engine) as session:
        document = models.Document(
            company_id=company,
            message_id=message.id or 0,
            part=part,
            filename=filename,
            content_type=content_type,
            sha256=message.sha256,
            size=len(data),
            document_type=document_type,
            method="text",
        )
        session.add(document)
        session.flush()
        invoice = models.Invoice(
            company_id=company,
            document_id=document.id or 0,
            status=status,
            document_type=document_type,
            **{"method": "text", **columns},
        )
        repo.set_invoice_fields(invoice, fields=fields)
        session.add(invoice)
        session.flush()
        assert invoice.id is not None
        return invoice.id
