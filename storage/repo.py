"""Keyword-only query and update functions, one group per aggregate."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from storage import db
from storage import models
from storage.blobs import BlobStore
from storage.states import InvoiceStatus
from storage.states import check_transition

DEFAULT_COMPANY = "default"
ROLES = ("admin", "reviewer", "viewer")


def ensure_company(
    session: Session, *, slug: str = DEFAULT_COMPANY, name: str = ""
) -> models.Company:
    """Return the company with ``slug``, creating it when missing."""
    company = session.exec(select(models.Company).where(models.Company.slug == slug)).first()
    if company is None:
        company = models.Company(slug=slug, name=name or slug)
        session.add(company)
        session.flush()
    return company


def company_id(engine: Engine, *, slug: str = DEFAULT_COMPANY) -> int:
    """Return the id of the company ``slug`` (created on first use)."""
    with db.session_scope(engine) as session:
        company = ensure_company(session, slug=slug)
        assert company.id is not None
        return company.id


def store_message(
    engine: Engine,
    blobs: BlobStore,
    *,
    company: int,
    source: str,
    source_ref: str,
    data: bytes,
    filename: str | None = None,
    header_message_id: str | None = None,
) -> tuple[models.Message, bool]:
    """Store raw bytes durably, then their row; return ``(message, created)``.

    The blob is fsynced before the row is committed, so a committed row always
    has its bytes. A message whose bytes are already stored for the company is
    not stored twice: the existing row is returned with ``created=False``.
    """
    sha = blobs.put(data)
    row = models.Message(
        company_id=company,
        source=source,
        source_ref=source_ref[:500],
        filename=filename,
        sha256=sha,
        size=len(data),
        header_message_id=header_message_id,
    )
    try:
        # One transaction: look for the same bytes, else insert.
        with db.session_scope(engine) as session:
            existing = session.exec(_by_sha(company, sha)).first()
            if existing is not None:
                return existing, False
            session.add(row)
    except IntegrityError:
        # Another process stored the same bytes between our check and insert.
        found = _message_by_sha(engine, company=company, sha=sha)
        assert found is not None
        return found, False
    return row, True


def _by_sha(company: int, sha: str) -> Any:
    return select(models.Message).where(
        models.Message.company_id == company, models.Message.sha256 == sha
    )


def _message_by_sha(engine: Engine, *, company: int, sha: str) -> models.Message | None:
    with db.read_scope(engine) as session:
        result: models.Message | None = session.exec(_by_sha(company, sha)).first()
        return result


def set_invoice_fields(invoice: models.Invoice, *, fields: dict[str, Any]) -> None:
    """Replace an invoice's fields and refresh the denormalised columns."""
    invoice.fields = dict(fields)
    invoice.vendor_name = _str(fields.get("vendor_name"), 200)
    invoice.invoice_number = _str(fields.get("invoice_number"), 100)
    invoice.invoice_date = _date(fields.get("invoice_date"))
    invoice.due_date = _date(fields.get("due_date"))
    invoice.currency = _str(fields.get("currency"), 3)
    invoice.total_amount = _str(fields.get("total_amount"), 40)
    invoice.updated_at = models.utcnow()


def _str(value: Any, limit: int) -> str | None:
    return None if value in (None, "") else str(value)[:limit]


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def change_status(
    session: Session,
    invoice: models.Invoice,
    *,
    target: InvoiceStatus,
    actor: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Move an invoice to ``target`` after checking the transition, with an audit event."""
    check_transition(invoice.status, target)
    before = invoice.status
    invoice.status = target
    invoice.updated_at = models.utcnow()
    session.add(invoice)
    audit(
        session,
        invoice=invoice,
        actor=actor,
        action=str(target),
        detail={"from": str(before), **(detail or {})},
    )


def audit(
    session: Session,
    *,
    invoice: models.Invoice,
    actor: str,
    action: str,
    detail: dict[str, Any],
) -> None:
    """Append an audit event for ``invoice``."""
    session.add(
        models.AuditEvent(
            company_id=invoice.company_id,
            invoice_id=invoice.id,
            actor=actor,
            action=action,
            detail=detail,
        )
    )


def hash_token(token: str) -> str:
    """Return the stored form of an API token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(engine: Engine, *, name: str, role: str) -> str:
    """Create an API token and return it; only its hash is stored."""
    if role not in ROLES:
        msg = f"role must be one of {', '.join(ROLES)}"
        raise ValueError(msg)
    token = "apx_" + secrets.token_urlsafe(32)
    with db.session_scope(engine) as session:
        session.add(models.ApiToken(name=name, role=role, token_hash=hash_token(token)))
    return token


def token_for(session: Session, *, token: str) -> models.ApiToken | None:
    """Return the live token row matching ``token``, if any."""
    query = select(models.ApiToken).where(
        models.ApiToken.token_hash == hash_token(token), col(models.ApiToken.revoked).is_(False)
    )
    return session.exec(query).first()
