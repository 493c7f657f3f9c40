"""Frozen data classes that extraction hands to the rest of AP Inbox.

These are the contract of the `extraction` package: everything else (storage,
matching, the CLI's ``extract --json``) consumes them and nothing here knows
about a database.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

#: Field keys of the public contract, in output order (DESIGN.md, corpus truth files).
FIELD_KEYS: tuple[str, ...] = (
    "vendor_name",
    "vendor_vat_id",
    "vendor_iban",
    "buyer_name",
    "invoice_number",
    "invoice_date",
    "due_date",
    "currency",
    "net_amount",
    "tax_amount",
    "total_amount",
    "po_number",
)

#: Extra keys we output when known (beyond the corpus schema).
EXTRA_KEYS: tuple[str, ...] = (
    "amount_due",
    "document_type_code",
    "vendor_tax_number",
    "vendor_address",
    "vendor_bic",
    "payment_terms",
)

#: The fields that must be present before anything may be auto-approved.
REQUIRED_FIELDS: tuple[str, ...] = (
    "vendor_name",
    "invoice_number",
    "invoice_date",
    "currency",
    "total_amount",
)


class DocumentType(StrEnum):
    """What a candidate document is."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    RECEIPT = "receipt"
    REMINDER = "reminder"
    ORDER = "order"
    NOT_INVOICE = "not_invoice"
    FAILED = "failed"


#: Document types that become payable records (invoices in the review queue).
PAYABLE_TYPES = frozenset({DocumentType.INVOICE, DocumentType.CREDIT_NOTE, DocumentType.RECEIPT})


class Method(StrEnum):
    """Where a value came from; ordered here from most to least exact."""

    XML = "xml"
    TEXT = "text"
    OCR = "ocr"
    LLM = "llm"
    EMAIL = "email"
    USER = "user"


class Severity(StrEnum):
    """How much a flag matters for the approval decision."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Flag:
    """A machine code plus a human reason; ``field`` names the field it concerns."""

    code: str
    reason: str
    severity: Severity = Severity.WARNING
    field: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the JSON shape used by the CLI and the API."""
        out: dict[str, Any] = {
            "code": self.code,
            "reason": self.reason,
            "severity": str(self.severity),
        }
        if self.field:
            out["field"] = self.field
        return out


@dataclass(frozen=True)
class BBox:
    """A box on a page in PDF points, origin top-left."""

    x0: float
    top: float
    x1: float
    bottom: float


Value = str | Decimal | date


@dataclass(frozen=True)
class FieldValue:
    """One extracted value with its provenance and how sure we are of it."""

    value: Value
    confidence: float
    method: Method
    reason: str = ""
    page: int | None = None
    bbox: BBox | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the provenance record for this value."""
        out: dict[str, Any] = {
            "value": json_value(self.value),
            "confidence": round(self.confidence, 3),
            "method": str(self.method),
        }
        if self.reason:
            out["reason"] = self.reason
        if self.page is not None:
            out["page"] = self.page
        if self.bbox is not None:
            b = self.bbox
            out["bbox"] = [round(b.x0, 1), round(b.top, 1), round(b.x1, 1), round(b.bottom, 1)]
        return out


@dataclass(frozen=True)
class LineItem:
    """One invoice line; any part may be unknown."""

    description: str | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    amount: Decimal | None = None

    def to_json(self) -> dict[str, str]:
        """Return the corpus shape: strings, unknown parts omitted."""
        raw = {
            "description": self.description,
            "quantity": self.quantity,
            "unit_price": self.unit_price,
            "amount": self.amount,
        }
        return {k: str(json_value(v)) for k, v in raw.items() if v is not None}


@dataclass(frozen=True)
class TaxLine:
    """One row of the VAT breakdown."""

    rate: Decimal | None
    basis: Decimal | None
    amount: Decimal | None
    category: str | None = None

    def to_json(self) -> dict[str, str]:
        """Return the JSON shape, unknown parts omitted."""
        raw = {
            "rate": self.rate,
            "basis": self.basis,
            "amount": self.amount,
            "category": self.category,
        }
        return {k: str(v) for k, v in raw.items() if v is not None}


@dataclass(frozen=True)
class EmailContext:
    """Who sent a message and, after forwards, who sent the original."""

    from_: str | None = None
    original_from: str | None = None
    forwarded_by: str | None = None
    subject: str | None = None
    original_subject: str | None = None
    date: str | None = None
    message_id: str | None = None
    to: str | None = None
    #: ISO 8601 date of the innermost forwarded original, when its header block states one.
    original_date: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the public ``email`` object of the contract."""
        return {
            "from": self.from_,
            "original_from": self.original_from,
            "forwarded_by": self.forwarded_by,
            "subject": self.subject,
            "original_subject": self.original_subject,
            "date": self.date,
        }


@dataclass(frozen=True)
class Candidate:
    """A piece of a message (or a whole file) that might be a document."""

    part: str
    data: bytes
    filename: str | None
    content_type: str
    #: Set by the splitter when it already knows the part is noise (logo, .ics, …).
    skip_reason: Flag | None = None
    #: Context of the message the part came from, if any.
    email: EmailContext | None = None

    @property
    def sha256(self) -> str:
        """Content hash, the document's identity across re-sent copies."""
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class ExtractedDocument:
    """Everything extraction learned about one document."""

    part: str
    filename: str | None
    content_type: str
    sha256: str
    document_type: DocumentType
    fields: dict[str, FieldValue] = field(default_factory=dict)
    line_items: tuple[LineItem, ...] = ()
    tax_lines: tuple[TaxLine, ...] = ()
    flags: tuple[Flag, ...] = ()
    method: str = "none"
    confidence: float = 0.0
    text: str = ""
    email: EmailContext | None = None
    #: Why the document got its type (classification reason).
    type_reason: str = ""

    def field_values(self) -> dict[str, Any]:
        """Return fields in the contract's JSON form (strings), unknown ones omitted."""
        out: dict[str, Any] = {}
        for key in (*FIELD_KEYS, *EXTRA_KEYS):
            if key in self.fields:
                out[key] = json_value(self.fields[key].value)
        if self.line_items:
            out["line_items"] = [li.to_json() for li in self.line_items]
        return out

    def to_json(self, *, file: str | None = None) -> dict[str, Any]:
        """Return one line of ``apinbox extract --json``."""
        out: dict[str, Any] = {
            "file": file,
            "part": self.part,
            "document_type": str(self.document_type),
            "type_reason": self.type_reason,
            "fields": self.field_values(),
            "confidence": round(self.confidence, 3),
            "field_confidence": {k: v.to_json() for k, v in self.fields.items()},
            "flags": [f.to_json() for f in self.flags],
            "method": self.method,
            "sha256": self.sha256,
        }
        if self.tax_lines:
            out["tax_breakdown"] = [t.to_json() for t in self.tax_lines]
        if self.email is not None:
            out["email"] = self.email.to_json()
        return out


def json_value(value: Any) -> Any:
    """Render Decimal and date the way the contract wants them (strings)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
