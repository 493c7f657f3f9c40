"""HTML bodies and plain text read visibly, never fetching anything."""

from __future__ import annotations

from decimal import Decimal

from extraction.config import ExtractionConfig
from extraction.models import Candidate
from extraction.models import DocumentType
from extraction.read import read_candidate
from extraction.text import html

RECEIPT = b"""<!DOCTYPE html><html><head><style>td{color:red}</style>
<script>fetch('https://evil.example/')</script></head><body>
<img src="https://tracker.example/pixel.png"><h1>Receipt</h1>
<table><tr><td>Receipt number</td><td>2231-9981</td></tr>
<tr><td>Date paid</td><td>March 3, 2024</td></tr>
<tr><td>Total</td><td>$49.00</td></tr></table></body></html>"""


def test_html_visible_text_only() -> None:
    text = html.to_text(RECEIPT)
    assert "evil.example" not in text
    assert "color:red" not in text
    assert "2231-9981" in text


def test_html_receipt_fields() -> None:
    doc = read_candidate(Candidate("1", RECEIPT, "body.html", "text/html"), ExtractionConfig())
    assert doc.document_type is DocumentType.RECEIPT
    assert doc.fields["invoice_number"].value == "2231-9981"
    assert doc.fields["total_amount"].value == Decimal("49.00")
    assert doc.fields["currency"].value == "USD"


def test_plain_text_invoice() -> None:
    body = (
        b"INVOICE\nInvoice number:   A-1001\nInvoice date:   2024-02-01\nTotal due:   GBP 120.00\n"
    )
    doc = read_candidate(Candidate("1", body, "invoice.txt", "text/plain"), ExtractionConfig())
    assert doc.fields["invoice_number"].value == "A-1001"
    assert doc.fields["total_amount"].value == Decimal("120.00")
    assert doc.fields["currency"].value == "GBP"
