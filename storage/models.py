"""Every table of AP Inbox, in one module.

Every business record belongs to a company, so an accounting firm can keep
several clients in one installation. Money is stored as decimal strings (never
floats) inside ``fields`` and in the denormalised ``total_amount`` column.
"""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import Column
from sqlalchemy import DateTime
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlmodel import Field
from sqlmodel import SQLModel

from storage.states import InvoiceStatus
from storage.states import MessageState


def utcnow() -> datetime:
    """Return the current time in UTC (timezone-aware)."""
    return datetime.now(UTC)


class Company(SQLModel, table=True):
    """A client company whose payables we process (one by default)."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, index=True, max_length=64)
    name: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class ApiToken(SQLModel, table=True):
    """An API token; only its SHA-256 is stored."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    role: str = Field(max_length=20)
    token_hash: str = Field(unique=True, index=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    revoked: bool = False


class ProcessedMessage(SQLModel, table=True):
    """One server-side message we have seen, keyed like the server keys it."""

    __table_args__ = (UniqueConstraint("mailbox", "folder", "uidvalidity", "uid"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    mailbox: str = Field(max_length=100)
    folder: str = Field(max_length=200)
    uidvalidity: int
    uid: int
    status: str = Field(max_length=20)
    error: str | None = Field(default=None, sa_type=Text)
    message_id: int | None = Field(default=None, foreign_key="message.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class Message(SQLModel, table=True):
    """A raw message or dropped file, stored before anything else happens to it."""

    __table_args__ = (UniqueConstraint("company_id", "sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    source: str = Field(max_length=200)
    source_ref: str = Field(max_length=500)
    filename: str | None = Field(default=None, max_length=300)
    sha256: str = Field(max_length=64, index=True)
    size: int
    header_message_id: str | None = Field(default=None, max_length=500, index=True)
    state: MessageState = Field(default=MessageState.RECEIVED, sa_type=String(20), index=True)
    error: str | None = Field(default=None, sa_type=Text)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    lease_until: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    claimed_by: str | None = Field(default=None, max_length=100)
    email: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    received_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class Document(SQLModel, table=True):
    """One candidate document found in a message (an attachment, a body, an XML)."""

    __table_args__ = (UniqueConstraint("message_id", "part"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    message_id: int = Field(foreign_key="message.id", index=True)
    part: str = Field(max_length=200)
    filename: str | None = Field(default=None, max_length=300)
    content_type: str = Field(max_length=200)
    sha256: str = Field(max_length=64, index=True)
    size: int
    document_type: str = Field(max_length=20)
    type_reason: str = Field(default="", sa_type=Text)
    method: str = Field(default="none", max_length=20)
    flags: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class Vendor(SQLModel, table=True):
    """A supplier we know; identified by VAT ID, IBAN or name."""

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    name: str = Field(max_length=200)
    vat_id: str | None = Field(default=None, max_length=40, index=True)
    iban: str | None = Field(default=None, max_length=40)
    email_domain: str | None = Field(default=None, max_length=200)
    default_account: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class Project(SQLModel, table=True):
    """A project or cost centre invoices can be booked to."""

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    code: str = Field(max_length=60)
    name: str = Field(max_length=200)
    po_prefix: str | None = Field(default=None, max_length=60)


class ExportBatch(SQLModel, table=True):
    """One export run; each invoice belongs to at most one batch."""

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    format: str = Field(max_length=40)
    path: str | None = Field(default=None, max_length=500)
    count: int = 0
    #: The CSV as written, in the blob store, so a lost file can be produced again.
    csv_sha256: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class Invoice(SQLModel, table=True):
    """A payable (invoice, credit note or receipt) and its review state."""

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    document_id: int = Field(foreign_key="document.id", unique=True)
    status: InvoiceStatus = Field(default=InvoiceStatus.NEW, sa_type=String(20), index=True)
    document_type: str = Field(max_length=20)
    fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    field_meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    flags: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    confidence: float = 0.0
    method: str = Field(default="none", max_length=20)
    email: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    vendor_id: int | None = Field(default=None, foreign_key="vendor.id", index=True)
    project_id: int | None = Field(default=None, foreign_key="project.id")
    # Denormalised from ``fields`` for filtering and sorting; set by repo.set_fields().
    vendor_name: str | None = Field(default=None, max_length=200)
    invoice_number: str | None = Field(default=None, max_length=100, index=True)
    invoice_date: date | None = None
    due_date: date | None = None
    currency: str | None = Field(default=None, max_length=3)
    total_amount: str | None = Field(default=None, max_length=40)
    export_batch_id: int | None = Field(default=None, foreign_key="exportbatch.id", index=True)
    error: str | None = Field(default=None, sa_type=Text)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    lease_until: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    claimed_by: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class AuditEvent(SQLModel, table=True):
    """Who did what to which record, and when; never updated or deleted."""

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    invoice_id: int | None = Field(default=None, foreign_key="invoice.id", index=True)
    actor: str = Field(max_length=100)
    action: str = Field(max_length=40)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
