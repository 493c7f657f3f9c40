"""Text PDFs whose seller is printed only inside an image, and billing-address blocks.

The PDFs are written in the test: a Helvetica text layer with the invoice data
and the buyer, plus a grey-scale image whose pixels carry the seller's name,
VAT ID and IBAN (nothing of it is in the text layer). The image pass must read
those with tesseract, mark them ``ocr`` and place them where the image is.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont

from extraction.config import ExtractionConfig
from extraction.fields import context
from extraction.models import Candidate
from extraction.models import DocumentType
from extraction.models import ExtractedDocument
from extraction.models import Method
from extraction.read import read_candidate
from extraction.text import Page
from extraction.text import Word
from extraction.text import ocr
from extraction.text import pdf_images
from extraction.text.layout import Chunk
from tests.support.pdfs import Picture
from tests.support.pdfs import Text
from tests.support.pdfs import pdf_bytes

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
PAGE_HEIGHT = 842.0
SELLER = "Nordlicht Werkzeuge GmbH"
SELLER_BLOCK = (
    SELLER,
    "Hafenweg 12, 20457 Hamburg",
    "USt-IdNr.: DE136695976",
    "IBAN: DE89 3704 0044 0532 0130 00",
)
BUYER = "Kaufhaus Sonnenschein KG"

#: The invoice as text: a billing-address block, number, date, one line, totals.
BODY: list[Text] = [
    (50, 700, "Rechnungsadresse"),
    (50, 686, BUYER),
    (50, 674, "Lindenallee 5"),
    (50, 662, "80331 Muenchen"),
    (350, 620, "Rechnungsnummer: RE-2024-117"),
    (350, 606, "Rechnungsdatum: 14.03.2024"),
    (50, 560, "Beschreibung"),
    (300, 560, "Menge"),
    (500, 560, "Betrag"),
    (50, 546, "Schraubensatz"),
    (300, 546, "1"),
    (500, 546, "100,00"),
    (380, 500, "Nettobetrag"),
    (480, 500, "100,00 EUR"),
    (380, 486, "MwSt 19 %"),
    (480, 486, "19,00 EUR"),
    (380, 472, "Gesamtbetrag"),
    (480, 472, "119,00 EUR"),
]


def _pixels(lines: Sequence[str], size: tuple[int, int] = (1250, 330)) -> Image.Image:
    """Return the lines drawn in black on white, about 10 pt type at 300 dpi."""
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=40)
    for row, line in enumerate(lines):
        draw.text((20, 15 + row * 78), line, fill=0, font=font)
    return image


def _read(data: bytes, config: ExtractionConfig | None = None) -> ExtractedDocument:
    candidate = Candidate("1", data, "invoice.pdf", "application/pdf")
    return read_candidate(candidate, config or ExtractionConfig())


@pytest.fixture
def ocr_runs(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record every start of the OCR child instead of starting it."""
    calls: list[object] = []

    def record(job: object, data: bytes) -> list[Page]:
        calls.append(job)
        return []

    monkeypatch.setattr(ocr, "_run", record)
    return calls


@pytest.mark.ocr
@pytest.mark.parametrize("y", [740.0, 40.0], ids=["letterhead", "footer"])
def test_seller_printed_in_an_image_is_read_with_ocr(y: float) -> None:
    if not ocr.is_available():
        pytest.skip("tesseract is not installed")
    picture = Picture(50, y, 300, 80, _pixels(SELLER_BLOCK))
    doc = _read(pdf_bytes(BODY, [picture]))

    fields = doc.fields
    assert fields["vendor_name"].value == SELLER
    assert fields["vendor_vat_id"].value == "DE136695976"
    assert fields["vendor_iban"].value == "DE89370400440532013000"
    for key in ("vendor_name", "vendor_vat_id", "vendor_iban"):
        assert fields[key].method is Method.OCR, key
        box = fields[key].bbox
        assert box is not None
        # Page coordinates (top-left origin) inside the image's box, not the region's.
        assert 48 <= box.x0 < box.x1 <= 352, key
        assert PAGE_HEIGHT - y - 82 <= box.top < box.bottom <= PAGE_HEIGHT - y + 2, key
    assert fields["buyer_name"].value == BUYER
    assert fields["invoice_number"].value == "RE-2024-117"
    assert fields["invoice_number"].method is Method.TEXT
    assert fields["total_amount"].value == Decimal("119.00")
    assert doc.method == "text"


@pytest.mark.ocr
def test_corpus_invoice_with_its_seller_in_an_image() -> None:
    # A real born-digital invoice whose company block (name, VAT ID, IBAN) is a picture.
    if not ocr.is_available():
        pytest.skip("tesseract is not installed")
    path = CORPUS / "pdf-text/invoice2data__saeco.pdf"
    truth = json.loads(path.with_name(path.name + ".truth.json").read_text())["fields"]
    fields = _read(path.read_bytes()).fields

    for key in ("vendor_name", "vendor_vat_id", "vendor_iban"):
        assert str(fields[key].value) == truth[key], key
        assert fields[key].method is Method.OCR, key
    assert fields["total_amount"].method is Method.TEXT


@pytest.mark.ocr
def test_a_failing_image_pass_keeps_the_text_reading() -> None:
    if not ocr.is_available():
        pytest.skip("tesseract is not installed")
    picture = Picture(50, 740, 300, 80, _pixels(SELLER_BLOCK))
    doc = _read(pdf_bytes(BODY, [picture]), ExtractionConfig(ocr_timeout_s=0.001))

    assert doc.document_type is DocumentType.INVOICE
    assert doc.fields["invoice_number"].value == "RE-2024-117"
    assert "vendor_vat_id" not in doc.fields
    assert [f.code for f in doc.flags if f.code == "IMAGE_OCR_FAILED"] == ["IMAGE_OCR_FAILED"]


@pytest.mark.parametrize(
    "heading",
    [
        "Billing address",
        "Bill to:",
        "Adresse de facturation",
        "Rechnungsadresse",
        "Dirección de facturación",
        "Indirizzo di fatturazione",
        "Factuuradres",
    ],
)
def test_billing_address_block_is_the_buyer(heading: str) -> None:
    texts: list[Text] = [
        (50, 760, heading),
        (50, 746, "Alpha Handel B.V."),
        (50, 734, "Hoofdstraat 1"),
        (50, 722, "1011 AB Amsterdam"),
        (350, 650, "Invoice No: INV-117"),
        (350, 636, "Date: 14.03.2024"),
        (380, 500, "Total 119,00 EUR"),
        (50, 80, "Beta Werkzeuge GmbH, Hafenweg 12, 20457 Hamburg"),
        (50, 68, "USt-IdNr.: DE136695976"),
    ]
    fields = _read(pdf_bytes(texts)).fields

    assert fields["buyer_name"].value == "Alpha Handel B.V."
    assert fields["vendor_name"].value == "Beta Werkzeuge GmbH"


def test_billing_address_is_not_the_vendor_when_no_seller_is_printed(
    ocr_runs: list[object],
) -> None:
    texts = [t for t in BODY if "Rechnungsadresse" not in t[2]]
    texts.insert(0, (50, 700, "Factuuradres"))
    fields = _read(pdf_bytes(texts)).fields

    assert fields["buyer_name"].value == BUYER
    assert fields.get("vendor_name") is None or fields["vendor_name"].value != BUYER


@pytest.mark.parametrize(
    ("extra", "pictures"),
    [
        ([], []),  # seller unknown, but nothing to OCR
        ([(50, 760, f"{SELLER}, USt-IdNr.: DE136695976")], [(50, 500, 300, 80)]),  # seller known
        ([], [(520, 780, 24, 24)]),  # seller unknown, only an icon
        # Named, with neither VAT ID nor IBAN (as most invoices outside the EU) and a logo.
        ([(50, 760, "Nordlicht Werkzeuge GmbH")], [(400, 740, 150, 60)]),
    ],
    ids=["no-images", "seller-in-text", "small-icon", "named-seller-with-logo"],
)
def test_text_pdf_does_not_start_the_ocr_child(
    ocr_runs: list[object], extra: list[Text], pictures: list[tuple[float, float, float, float]]
) -> None:
    placed = [Picture(x, y, w, h, _pixels(["icon"], (200, 200))) for x, y, w, h in pictures]
    doc = _read(pdf_bytes(BODY + extra, placed))

    assert doc.fields["invoice_number"].value == "RE-2024-117"
    assert ocr_runs == []


def test_image_words_already_in_the_text_layer_are_dropped() -> None:
    layer = (Word("Gesamtbetrag", 380, 100, 440, 110),)
    page = Page(1, 595, 842, layer, Method.TEXT)
    seen = [
        Word("Gesamtbetrag", 381, 101, 439, 109, 0.9, Method.OCR),  # printed over the image
        Word("GmbH", 60, 20, 90, 30, 0.93, Method.OCR),
        Word("~#", 100, 20, 110, 30, 0.2, Method.OCR),  # a logo's curve read as letters
    ]
    merged = pdf_images.merge(page, seen)

    assert [w.text for w in merged.words] == ["Gesamtbetrag", "GmbH"]
    assert merged.words[1].method is Method.OCR


def test_a_value_from_image_words_is_an_ocr_value() -> None:
    text = Chunk((Word("DE136695976", 0, 0, 50, 10),))
    image = Chunk((Word("DE136695976", 0, 0, 50, 10, 0.5, Method.OCR),))

    assert context.method_of(text, Method.TEXT) is Method.TEXT
    assert context.ocr_factor(text, Method.TEXT) == 1.0
    assert context.method_of(image, Method.TEXT) is Method.OCR
    assert context.ocr_factor(image, Method.TEXT) == pytest.approx(0.65)
