"""Hand-built offline extraction results for tests that refine them (no reader needed)."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

from extraction.models import DocumentType
from extraction.models import ExtractedDocument
from extraction.models import FieldValue
from extraction.models import Method
from extraction.models import TaxLine
from extraction.models import Value

#: A German-formatted invoice: 1.234,56 net + 19 % VAT 234,57 = 1.469,13 EUR.
INVOICE_TEXT = """ACME Supplies GmbH
Musterstrasse 1, 10115 Berlin
USt-IdNr.: DE123456789
IBAN: DE89 3704 0044 0532 0130 00
billing@acme-supplies.de  Tel.: +49 30 1234567

Invoice INV-2024-0042
Invoice date: 15.03.2024
Due date: 14.04.2024
Customer: Example Buyer Ltd
PO: PO-7781

Net amount        1.234,56 EUR
VAT 19 %            234,57 EUR
Total             1.469,13 EUR
"""

#: The values a careful reader finds in INVOICE_TEXT, as the model should answer them.
INVOICE_TRUTH: dict[str, str] = {
    "vendor_name": "ACME Supplies GmbH",
    "vendor_vat_id": "DE123456789",
    "buyer_name": "Example Buyer Ltd",
    "invoice_number": "INV-2024-0042",
    "invoice_date": "2024-03-15",
    "due_date": "2024-04-14",
    "currency": "EUR",
    "net_amount": "1234.56",
    "tax_amount": "234.57",
    "total_amount": "1469.13",
    "po_number": "PO-7781",
}


def offline_doc(
    fields: dict[str, Value] | None = None,
    *,
    method: Method = Method.TEXT,
    confidence: float = 0.8,
    text: str = INVOICE_TEXT,
    tax_rate: Decimal | None = Decimal("19"),
) -> ExtractedDocument:
    """Return an offline result holding ``fields``, all read by ``method``."""
    values = {
        k: FieldValue(v, confidence, method, reason="label") for k, v in (fields or {}).items()
    }
    taxes = (TaxLine(rate=tax_rate, basis=None, amount=None),) if tax_rate is not None else ()
    return ExtractedDocument(
        part="1",
        filename="invoice.pdf",
        content_type="application/pdf",
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        document_type=DocumentType.INVOICE,
        fields=values,
        tax_lines=taxes,
        method=str(method),
        confidence=0.5,
        text=text,
    )


def d(text: str) -> Decimal:
    """Shorthand for Decimal in test tables."""
    return Decimal(text)


def day(text: str) -> date:
    """Shorthand for an ISO date in test tables."""
    return date.fromisoformat(text)
