"""API shapes: what the JSON API reads and returns (never the table models).

Money travels as decimal strings and dates as ISO strings, exactly as they are
stored in ``Invoice.fields``; a JSON number for an amount is refused, because a
float has already lost the cents by the time it reaches us.
"""

from __future__ import annotations

import re
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal
from decimal import InvalidOperation
from typing import Annotated
from typing import Any

from pydantic import AfterValidator
from pydantic import BaseModel
from pydantic import BeforeValidator
from pydantic import ConfigDict
from pydantic import Field
from pydantic import StringConstraints
from pydantic import model_validator

_DECIMAL_RE = re.compile(r"^-?\d{1,15}(\.\d{1,6})?$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _decimal_string(value: str) -> str:
    text = value.strip().replace(" ", "")
    if not _DECIMAL_RE.match(text):
        msg = "must be a decimal string such as '1234.50' (no thousands separators)"
        raise ValueError(msg)
    try:
        Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already rules this out
        raise ValueError(str(exc)) from exc
    return text


def _iso_date(value: str) -> str:
    text = value.strip()
    if not _DATE_RE.match(text):
        msg = "must be an ISO date (YYYY-MM-DD)"
        raise ValueError(msg)
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError as exc:
        msg = f"is not a valid date: {exc}"
        raise ValueError(msg) from exc


def _as_utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _compact(value: Any) -> Any:
    # IBANs, VAT IDs and BICs are printed in groups; the spaces are not part of them.
    return "".join(value.split()).upper() if isinstance(value, str) else value


def _blank_to_none(data: Any) -> Any:
    # A cleared form input arrives as "", which means "no value" here.
    if isinstance(data, dict):
        return {k: (None if isinstance(v, str) and not v.strip() else v) for k, v in data.items()}
    return data


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]
DecimalStr = Annotated[str, AfterValidator(_decimal_string)]
IsoDate = Annotated[str, AfterValidator(_iso_date)]
Currency = Annotated[str, BeforeValidator(_upper), StringConstraints(pattern=r"^[A-Z]{3}$")]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Text100 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
Text40 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
Domain = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=200)]
Text500 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Code = Annotated[str, BeforeValidator(_compact), StringConstraints(max_length=40)]


class LineItemIn(BaseModel):
    """One invoice line as the reviewer typed it."""

    model_config = ConfigDict(extra="forbid")

    _blanks = model_validator(mode="before")(_blank_to_none)

    description: Text500 | None = None
    quantity: DecimalStr | None = None
    unit_price: DecimalStr | None = None
    amount: DecimalStr | None = None


class FieldsUpdate(BaseModel):
    """Field values to change; ``null`` (or an empty string) removes a value."""

    model_config = ConfigDict(extra="forbid")

    _blanks = model_validator(mode="before")(_blank_to_none)

    vendor_name: Text200 | None = None
    vendor_vat_id: Code | None = None
    vendor_iban: Code | None = None
    buyer_name: Text200 | None = None
    invoice_number: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None
    ) = None
    invoice_date: IsoDate | None = None
    due_date: IsoDate | None = None
    currency: Currency | None = None
    net_amount: DecimalStr | None = None
    tax_amount: DecimalStr | None = None
    total_amount: DecimalStr | None = None
    po_number: Text200 | None = None
    line_items: list[LineItemIn] | None = None
    amount_due: DecimalStr | None = None
    document_type_code: Text200 | None = None
    vendor_tax_number: Text200 | None = None
    vendor_address: Text500 | None = None
    vendor_bic: Code | None = None
    payment_terms: Text500 | None = None


class InvoiceUpdate(BaseModel):
    """Body of ``PATCH /api/invoices/{id}``; everything optional."""

    model_config = ConfigDict(extra="forbid")

    fields: FieldsUpdate | None = None
    vendor_id: int | None = None


class ReviewDecision(BaseModel):
    """Optional body of approve / reject."""

    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None


class FlagPublic(BaseModel):
    """A problem found in an invoice: a machine code and a human reason (plus extras)."""

    model_config = ConfigDict(extra="allow")

    code: str
    reason: str
    severity: str | None = None
    field: str | None = None


class InvoicePublic(BaseModel):
    """An invoice as the list and the detail return it."""

    id: int
    status: str
    document_type: str
    fields: dict[str, Any]
    flags: list[FlagPublic]
    vendor_id: int | None
    project_id: int | None
    confidence: float
    method: str
    email: dict[str, Any] | None
    export_batch_id: int | None
    created_at: UtcDatetime
    updated_at: UtcDatetime


class InvoicesPublic(BaseModel):
    """A page of invoices and the total number matching the filters."""

    data: list[InvoicePublic]
    count: int


class DocumentPublic(BaseModel):
    """The document an invoice was read from."""

    id: int
    filename: str | None
    content_type: str
    part: str
    method: str
    size: int
    type_reason: str


class MessagePublic(BaseModel):
    """The message (mail or upload) the document arrived in."""

    id: int
    source: str
    source_ref: str
    received_at: UtcDatetime


class AuditEventPublic(BaseModel):
    """One entry of an invoice's audit trail."""

    id: int
    actor: str
    action: str
    detail: dict[str, Any]
    at: UtcDatetime


class InvoiceDetail(InvoicePublic):
    """An invoice with its provenance, document, message and audit trail."""

    field_meta: dict[str, Any]
    document: DocumentPublic | None
    message: MessagePublic | None
    audit: list[AuditEventPublic]


class UploadedMessage(BaseModel):
    """One stored upload; ``created`` is False when the same bytes were already stored."""

    message_id: int
    created: bool
    filename: str | None
    size: int


class UploadResult(BaseModel):
    """Answer of ``POST /api/documents``."""

    data: list[UploadedMessage]


class VendorCreate(BaseModel):
    """Body of ``POST /api/vendors``."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    vat_id: Code | None = None
    iban: Code | None = None
    email_domain: (
        Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=200)]
        | None
    ) = None
    default_account: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None
    ) = None


class VendorPublic(BaseModel):
    """A vendor of the master data."""

    id: int
    name: str
    vat_id: str | None
    iban: str | None
    email_domain: str | None
    default_account: str | None
    created_at: UtcDatetime


class VendorsPublic(BaseModel):
    """Every vendor and their number."""

    data: list[VendorPublic]
    count: int


class Health(BaseModel):
    """Liveness: the process answers; ``database`` says whether the database does."""

    model_config = ConfigDict(extra="allow")

    status: str = Field(default="ok")
    database: str


class ReceivedDocument(BaseModel):
    """A document that is not a payable (failed or not an invoice), with its reason."""

    id: int
    message_id: int
    part: str
    filename: str | None
    content_type: str
    document_type: str
    type_reason: str
    flags: list[FlagPublic]
    source: str
    email: dict[str, Any] | None
    received_at: UtcDatetime


class ReceivedDocuments(BaseModel):
    """A page of received documents and the total matching the filter."""

    data: list[ReceivedDocument]
    count: int


class FailedMessage(BaseModel):
    """A message that could not be processed at all, with the stored error."""

    id: int
    source: str
    source_ref: str
    filename: str | None
    error: str
    attempts: int
    received_at: UtcDatetime


class LeftOnServer(BaseModel):
    """A mailbox message that was not downloaded (too large): it stays in the failed folder."""

    mailbox: str
    folder: str
    uid: int
    status: str
    error: str
    seen_at: UtcDatetime


class FailedMessages(BaseModel):
    """Every failed message of the company, and the mail left on the server with a reason."""

    data: list[FailedMessage]
    count: int
    left_on_server: list[LeftOnServer] = []
