"""OCR with the real tesseract on a real scanned receipt and on rendered text."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont

from extraction.config import ExtractionConfig
from extraction.models import Candidate
from extraction.models import DocumentType
from extraction.read import read_candidate
from extraction.text import ocr

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
pytestmark = pytest.mark.ocr


@pytest.fixture(autouse=True)
def _needs_tesseract() -> None:
    if not ocr.is_available():
        pytest.skip("tesseract is not installed")


def test_scanned_receipt_fields() -> None:
    path = CORPUS / "image-scan/sroie__006.jpg"
    truth = json.loads(path.with_name(path.name + ".truth.json").read_text())["fields"]
    doc = read_candidate(
        Candidate("1", path.read_bytes(), path.name, "image/jpeg"), ExtractionConfig()
    )
    assert doc.method == "ocr"
    assert doc.document_type in (DocumentType.RECEIPT, DocumentType.INVOICE)
    assert doc.fields["total_amount"].value == Decimal(truth["total_amount"])
    assert str(doc.fields["invoice_date"].value) == truth["invoice_date"]
    assert doc.fields["vendor_name"].value == truth["vendor_name"]


def _rendered(text: str, angle: int = 0) -> bytes:
    image = Image.new("L", (1400, 700), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=36)
    for row, line in enumerate(text.splitlines()):
        draw.text((60, 60 + row * 70), line, fill=0, font=font)
    out = io.BytesIO()
    image.rotate(angle, expand=True).save(out, format="PNG")
    return out.getvalue()


INVOICE = (
    "ACME Supplies Ltd\nINVOICE\nInvoice No: INV-20931\nInvoice Date: 14/03/2024\n"
    "Total: EUR 1.234,50"
)


def test_ocr_words_carry_confidence_and_boxes() -> None:
    pages = ocr.ocr_image(_rendered(INVOICE), ExtractionConfig())
    words = pages[0].words
    assert any(w.text == "INV-20931" for w in words)
    assert all(0.0 <= w.conf <= 1.0 and w.x1 > w.x0 and w.bottom > w.top for w in words)


def test_rendered_invoice_fields() -> None:
    doc = read_candidate(
        Candidate("1", _rendered(INVOICE), "scan.png", "image/png"), ExtractionConfig()
    )
    assert doc.document_type is DocumentType.INVOICE
    assert doc.fields["invoice_number"].value == "INV-20931"
    assert str(doc.fields["invoice_date"].value) == "2024-03-14"
    assert doc.fields["total_amount"].value == Decimal("1234.50")
    assert doc.fields["currency"].value == "EUR"


def test_upside_down_scan_is_turned() -> None:
    pages = ocr.ocr_image(_rendered(INVOICE, angle=180), ExtractionConfig())
    assert "INV-20931" in pages[0].text


def test_languages_limited_to_installed() -> None:
    assert ocr.languages("eng+klingon") == "eng"
