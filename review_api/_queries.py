"""Reading invoices for the API and the pages: filters, counts and the detail view.

Every query is scoped to one company; an invoice of another company is simply
"not found", so ids leak nothing across clients.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from typing import TypeVar

from pydantic import BaseModel
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from review_api import schemas
from storage import models
from storage.states import InvoiceStatus

_Shape = TypeVar("_Shape", bound=BaseModel)


class ReviewError(Exception):
    """A review request cannot be carried out."""


class NotFoundError(ReviewError):
    """The invoice (or its document) does not exist for this company."""


class ConflictError(ReviewError):
    """The invoice's current state does not allow the request."""


class InvalidRequestError(ReviewError):
    """The request refers to something that does not fit (an unknown vendor, say)."""


@dataclass(frozen=True)
class InvoiceFilter:
    """What the queue shows: one status (or all), a text search, a vendor, a page."""

    status: InvoiceStatus | None = None
    q: str | None = None
    vendor_id: int | None = None
    limit: int = 50
    offset: int = 0


def _conditions(company: int, filters: InvoiceFilter) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [col(models.Invoice.company_id) == company]
    if filters.status is not None:
        conds.append(col(models.Invoice.status) == filters.status)
    if filters.vendor_id is not None:
        conds.append(col(models.Invoice.vendor_id) == filters.vendor_id)
    if filters.q and filters.q.strip():
        needle = filters.q.strip().lower()
        searched = (
            models.Invoice.vendor_name,
            models.Invoice.invoice_number,
            models.Invoice.total_amount,
        )
        conds.append(or_(*(func.lower(col(c)).contains(needle, autoescape=True) for c in searched)))
    return conds


def list_invoices(
    session: Session, *, company: int, filters: InvoiceFilter
) -> tuple[list[models.Invoice], int]:
    """Return one page of matching invoices and the number of all matches.

    The review queue is first-in, first-out (oldest first); every other view shows
    the most recent first.
    """
    conds = _conditions(company, filters)
    created = col(models.Invoice.created_at)
    oldest_first = filters.status in (InvoiceStatus.NEEDS_REVIEW, InvoiceStatus.NEW)
    order = (
        (created.asc(), col(models.Invoice.id).asc())
        if oldest_first
        else (created.desc(), col(models.Invoice.id).desc())
    )
    # The total rides along as a window count, so page and count come from one
    # statement (one snapshot): a concurrent approval cannot make them disagree.
    query = select(models.Invoice, func.count().over()).where(*conds).order_by(*order)
    page = session.exec(query.offset(filters.offset).limit(filters.limit)).all()
    if page:
        return [row for row, _ in page], int(page[0][1])
    if filters.offset == 0:
        return [], 0  # nothing matched in this snapshot; a second count could see a newcomer
    total = session.exec(select(func.count()).select_from(models.Invoice).where(*conds)).one()
    return [], int(total)


def status_counts(session: Session, *, company: int) -> dict[str, int]:
    """Return how many invoices the company has in each status."""
    query = (
        select(models.Invoice.status, func.count())
        .where(col(models.Invoice.company_id) == company)
        .group_by(col(models.Invoice.status))
    )
    counts = {str(s): 0 for s in InvoiceStatus}
    for status, count in session.exec(query).all():
        counts[str(status)] = int(count)
    return counts


def get_invoice(
    session: Session, *, company: int, invoice_id: int, for_update: bool = False
) -> models.Invoice:
    """Return the company's invoice or raise :class:`NotFoundError`.

    ``for_update`` locks the row on PostgreSQL so two reviewers' writes queue up
    instead of overwriting each other (SQLite already serialises writers).
    """
    query = select(models.Invoice).where(
        col(models.Invoice.id) == invoice_id, col(models.Invoice.company_id) == company
    )
    if for_update:
        query = query.with_for_update()
    invoice = session.exec(query).first()
    if invoice is None:
        msg = f"invoice {invoice_id} not found"
        raise NotFoundError(msg)
    return invoice


def get_document(session: Session, invoice: models.Invoice) -> models.Document:
    """Return the document an invoice was read from."""
    document = session.get(models.Document, invoice.document_id)
    if document is None or document.company_id != invoice.company_id:
        msg = f"document of invoice {invoice.id} not found"
        raise NotFoundError(msg)
    return document


def audit_trail(session: Session, invoice: models.Invoice) -> list[models.AuditEvent]:
    """Return the invoice's audit events, oldest first."""
    query = (
        select(models.AuditEvent)
        .where(col(models.AuditEvent.invoice_id) == invoice.id)
        .order_by(col(models.AuditEvent.at).asc(), col(models.AuditEvent.id).asc())
    )
    return list(session.exec(query).all())


def to_public(invoice: models.Invoice) -> schemas.InvoicePublic:
    """Return the API shape of an invoice."""
    return schemas.InvoicePublic.model_validate(_public_dict(invoice))


def _public_dict(invoice: models.Invoice) -> dict[str, Any]:
    return {
        "id": invoice.id,
        "status": str(invoice.status),
        "document_type": invoice.document_type,
        "fields": invoice.fields or {},
        "flags": [f for f in (invoice.flags or []) if "code" in f and "reason" in f],
        "vendor_id": invoice.vendor_id,
        "project_id": invoice.project_id,
        "confidence": invoice.confidence,
        "method": invoice.method,
        "email": invoice.email,
        "export_batch_id": invoice.export_batch_id,
        "created_at": invoice.created_at,
        "updated_at": invoice.updated_at,
    }


def to_detail(session: Session, invoice: models.Invoice) -> schemas.InvoiceDetail:
    """Return an invoice with its provenance, document, message and audit trail."""
    document = session.get(models.Document, invoice.document_id)
    message = session.get(models.Message, document.message_id) if document else None
    return schemas.InvoiceDetail(
        **_public_dict(invoice),
        field_meta=invoice.field_meta or {},
        document=_from_row(schemas.DocumentPublic, document),
        message=_from_row(schemas.MessagePublic, message),
        audit=[
            schemas.AuditEventPublic.model_validate(e, from_attributes=True)
            for e in audit_trail(session, invoice)
        ],
    )


def _from_row(shape: type[_Shape], row: object | None) -> _Shape | None:
    # Read attributes, never model_dump() a table: that re-serialises its enums.
    return None if row is None else shape.model_validate(row, from_attributes=True)


def list_vendors(session: Session, *, company: int) -> list[models.Vendor]:
    """Return the company's vendors by name."""
    query = (
        select(models.Vendor)
        .where(col(models.Vendor.company_id) == company)
        .order_by(func.lower(col(models.Vendor.name)), col(models.Vendor.id))
    )
    return list(session.exec(query).all())


def messages_of(session: Session, invoices: list[models.Invoice]) -> dict[int, models.Message]:
    """Return the message each invoice arrived in, by document id (one query)."""
    doc_ids = [i.document_id for i in invoices]
    if not doc_ids:
        return {}
    query = (
        select(models.Document.id, models.Message)
        .join(models.Message, col(models.Document.message_id) == col(models.Message.id))
        .where(col(models.Document.id).in_(doc_ids))
    )
    return {doc_id: message for doc_id, message in session.exec(query).all() if doc_id}
