"""The whole flow on one screen: which stage moves which record from which state.

```
Message  received  --extract-->  extracted (Documents + Invoices "new") | failed
Invoice  new       --decide--->  approved | needs_review
Invoice  approved  --export--->  exported        (scheduler / `apinbox export`)
```

Each stage is a plain function ``run(ctx, record)`` that does its work outside
any transaction and commits its results together with the state change, so a
crash anywhere leads to a retry, never a loss or a duplicate.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

import extraction
import matching
from daemon.readers import ReadParts
from extraction import extract_parts
from extraction.models import PAYABLE_TYPES
from extraction.models import Candidate
from extraction.models import ExtractedDocument
from extraction.models import Flag
from extraction.models import Severity
from storage import db
from storage import models
from storage import queue
from storage import repo
from storage.blobs import BlobStore
from storage.states import InvoiceStatus
from storage.states import MessageState

log = logging.getLogger(__name__)

ACTOR = "apinbox"


@dataclass(frozen=True)
class StageContext:
    """What every stage may use; built once by the worker."""

    engine: Engine
    blobs: BlobStore
    extraction: extraction.ExtractionConfig
    policy: matching.Policy
    #: How a message is read: in this process, or in a reader child (see daemon.readers).
    read: ReadParts = extract_parts


@dataclass(frozen=True)
class Stage:
    """One row of the flow table."""

    name: str
    model: type[models.Message] | type[models.Invoice]
    state_column: str
    state: str
    run: Callable[[StageContext, Any], None]
    fail: Callable[[StageContext, Any, str], None]


def extract_message(ctx: StageContext, message: models.Message) -> None:
    """Split and read a stored message; store its documents and payables."""
    data = ctx.blobs.get(message.sha256)
    parts = ctx.read(data, message.filename, ctx.extraction)
    email = next((d.email.to_json() for _, d in parts if d.email is not None), None)
    for candidate, _ in parts:
        ctx.blobs.put(candidate.data)
    with db.session_scope(ctx.engine) as session:
        fresh = session.get(models.Message, message.id)
        assert fresh is not None
        for candidate, doc in parts:
            _store_document(session, fresh, candidate, doc)
        fresh.email = email
        fresh.state = MessageState.EXTRACTED
        fresh.error = None
        queue.release(fresh)
        session.add(fresh)
    log.info(
        "message %s: %d document(s)",
        message.id,
        len(parts),
        extra={"action": "extracted", "record_id": message.id, "stage": "extract"},
    )


def _store_document(
    session: Session, message: models.Message, candidate: Candidate, doc: ExtractedDocument
) -> None:
    row = models.Document(
        company_id=message.company_id,
        message_id=message.id or 0,
        part=doc.part[:200],
        filename=doc.filename,
        content_type=doc.content_type[:200],
        sha256=doc.sha256,
        size=len(candidate.data),
        document_type=str(doc.document_type),
        type_reason=doc.type_reason,
        method=doc.method,
        flags=[f.to_json() for f in doc.flags],
    )
    if doc.document_type in PAYABLE_TYPES:
        earlier = _invoice_with_file(session, message.company_id, doc.sha256)
        if earlier is not None:
            # A re-sent copy (new Message-ID, forwarded again, UIDVALIDITY reset) keeps
            # its document for the record but never becomes a second payable.
            reason = f"the same file is already invoice #{earlier}"
            row.flags = [*row.flags, Flag("DUPLICATE_DOCUMENT", reason, Severity.INFO).to_json()]
            session.add(row)
            return
    session.add(row)
    session.flush()
    if doc.document_type in PAYABLE_TYPES:
        invoice = models.Invoice(
            company_id=message.company_id,
            document_id=row.id or 0,
            document_type=str(doc.document_type),
            field_meta={k: v.to_json() for k, v in doc.fields.items()},
            flags=[f.to_json() for f in doc.flags],
            confidence=doc.confidence,
            method=doc.method,
            email=doc.email.to_json() if doc.email else None,
        )
        repo.set_invoice_fields(invoice, fields=doc.field_values())
        session.add(invoice)


def _invoice_with_file(session: Session, company: int, sha256: str) -> int | None:
    query = (
        select(models.Invoice.id)
        .join(models.Document, col(models.Document.id) == col(models.Invoice.document_id))
        .where(models.Invoice.company_id == company, models.Document.sha256 == sha256)
    )
    return session.exec(query).first()


def fail_message(ctx: StageContext, message: models.Message, reason: str) -> None:
    """Park a message that cannot be processed in the failed queue, with its reason."""
    with db.session_scope(ctx.engine) as session:
        fresh = session.get(models.Message, message.id)
        assert fresh is not None
        fresh.state = MessageState.FAILED
        fresh.error = reason
        queue.release(fresh)
        session.add(fresh)


def decide_invoice(ctx: StageContext, invoice: models.Invoice) -> None:
    """Match the vendor, add risk flags and approve or queue for review."""
    with db.session_scope(ctx.engine) as session:
        fresh = session.get(models.Invoice, invoice.id)
        assert fresh is not None
        vendors = session.exec(
            select(models.Vendor).where(models.Vendor.company_id == fresh.company_id)
        ).all()
        sender = (fresh.email or {}).get("original_from")
        found = matching.match_vendor(fresh.fields, vendors, sender=sender)
        vendor = next((v for v in vendors if v.id == found.vendor_id), None)
        flags = _stored_flags(fresh.flags)
        flags += matching.bank_change(fresh.fields, vendor if found.certain else None)
        flags += matching.duplicates(fresh.fields, found.vendor_id, _others(session, fresh))
        decision = matching.decide(
            fields=fresh.fields,
            field_meta=fresh.field_meta,
            flags=flags,
            vendor_certain=found.certain,
            policy=ctx.policy,
        )
        _apply_decision(session, fresh, found, flags, decision)


def _apply_decision(
    session: Session,
    invoice: models.Invoice,
    found: matching.VendorMatch,
    flags: list[Flag],
    decision: matching.Decision,
) -> None:
    invoice.vendor_id = found.vendor_id
    invoice.flags = _unique([f.to_json() for f in (*flags, *decision.reasons)])
    queue.release(invoice)
    target = InvoiceStatus.APPROVED if decision.approve else InvoiceStatus.NEEDS_REVIEW
    detail = {
        "vendor_match": found.method,
        "vendor_reason": found.reason,
        "reasons": [f.code for f in decision.reasons],
    }
    repo.change_status(session, invoice, target=target, actor=ACTOR, detail=detail)


def _stored_flags(raw: list[dict[str, Any]]) -> list[Flag]:
    return [
        Flag(f["code"], f["reason"], Severity(f.get("severity", "warning")), f.get("field"))
        for f in raw
    ]


def _unique(flags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[tuple[str, str | None]] = set()
    out = []
    for flag in flags:
        key = (flag["code"], flag.get("field"))
        if key not in seen:
            seen.add(key)
            out.append(flag)
    return out


def _others(session: Session, invoice: models.Invoice) -> list[models.Invoice]:
    query = select(models.Invoice).where(
        models.Invoice.company_id == invoice.company_id,
        models.Invoice.id != invoice.id,
        col(models.Invoice.invoice_number).is_not(None),
        models.Invoice.invoice_number == invoice.invoice_number,
        models.Invoice.status != InvoiceStatus.REJECTED,
    )
    return list(session.exec(query).all())


def fail_invoice(ctx: StageContext, invoice: models.Invoice, reason: str) -> None:
    """An invoice the stage cannot decide goes to a person, with the reason."""
    with db.session_scope(ctx.engine) as session:
        fresh = session.get(models.Invoice, invoice.id)
        assert fresh is not None
        fresh.error = reason
        fresh.flags = [*fresh.flags, Flag("PROCESSING_ERROR", reason, Severity.ERROR).to_json()]
        queue.release(fresh)
        repo.change_status(
            session, fresh, target=InvoiceStatus.NEEDS_REVIEW, actor=ACTOR, detail={"error": reason}
        )


def policy_from(
    *, auto_approve: bool, min_confidence: float, max_total: str | None
) -> matching.Policy:
    """Build the matching policy from configuration values."""
    limit = Decimal(max_total) if max_total else None
    return matching.Policy(
        auto_approve=auto_approve, min_confidence=min_confidence, max_total=limit
    )


STAGES: tuple[Stage, ...] = (
    Stage("extract", models.Message, "state", MessageState.RECEIVED, extract_message, fail_message),
    Stage("decide", models.Invoice, "status", InvoiceStatus.NEW, decide_invoice, fail_invoice),
)
