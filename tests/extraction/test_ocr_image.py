"""OCR with the real tesseract on a real scanned receipt and on rendered text."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from daemon import bench
from extraction.config import ExtractionConfig
from extraction.models import Candidate
from extraction.models import DocumentType
from extraction.models import Method
from extraction.read import read_candidate
from extraction.text import Page
from extraction.text import ocr
from tests.support.images import text_image

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
    return text_image(text, (1400, 700), font_size=36, line_height=70, margin=60, angle=angle)


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


def _recorded_reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[float, list[Page]]]:
    """Record each OCR run of an image (enlargement, pages); the real child still reads."""
    calls: list[tuple[float, list[Page]]] = []
    real = ocr.ocr_image

    def recording(data: bytes, config: ExtractionConfig, enlarge: float = 1.0) -> list[Page]:
        pages = real(data, config, enlarge)
        calls.append((enlarge, pages))
        return pages

    monkeypatch.setattr(ocr, "ocr_image", recording)
    return calls


def test_a_document_scanned_small_is_read_again_larger(monkeypatch: pytest.MonkeyPatch) -> None:
    # At 150 dpi the invoice's 10 px words lose their decimal commas ("56,87" read "5687");
    # read again twice as large, the amounts come out as printed.
    path = CORPUS / "facturx-pdf-visible/ferd233__EN16931_Einfach.pdf"
    truth = json.loads(path.with_name(path.name + ".truth.json").read_text())["fields"]
    scan = bench.as_scan(path.read_bytes(), 150)
    reads = _recorded_reads(monkeypatch)
    doc = read_candidate(Candidate("1", scan, "scan.tif", "image/tiff"), ExtractionConfig())
    assert [enlarge for enlarge, _ in reads] == [1.0, ocr.MAX_ENLARGE]
    assert 0 < reads[0][1][0].text_px < ocr.SMALL_TEXT_PX
    for key in ("net_amount", "tax_amount", "total_amount"):
        assert doc.fields[key].value == Decimal(truth[key]), key


def test_a_receipt_with_small_print_is_not_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    path = CORPUS / "image-scan/sroie__031.jpg"
    reads = _recorded_reads(monkeypatch)
    read_candidate(Candidate("1", path.read_bytes(), path.name, "image/jpeg"), ExtractionConfig())
    [(enlarge, pages)] = reads  # read once, as it is
    assert enlarge == 1.0
    assert ocr.enlargement(pages) > 1.0  # though its print is small: it is a till receipt


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [((12.0,), 2.0), ((18.0,), 30.0 / 18.0), ((24.0,), 1.0), ((0.0,), 1.0), ((24.0, 10.0), 2.0)],
)
def test_enlargement_brings_small_text_to_tesseracts_size(
    sizes: tuple[float, ...], expected: float
) -> None:
    from extraction.models import Method
    from extraction.text import Page

    pages = [Page(i + 1, 595.0, 842.0, (), Method.OCR, size) for i, size in enumerate(sizes)]
    assert ocr.enlargement(pages) == pytest.approx(expected)


def test_words_20_px_high_are_not_small_whatever_the_points_made_of_them() -> None:
    # At 300 dpi a box from pixel 1000 to 1020 is 240.0 to 244.8 points, which divide back
    # to 19.99999999999993 px: such a page was read again larger, and one a row lower not.
    from extraction.text import _raster

    scale = 72 / 300
    words = [
        ("Rechnung", 10 * scale, top * scale, 90 * scale, (top + 20) * scale, 0.96)
        for top in (1000, 1040, 1080)
    ]
    assert _raster.text_px(words, scale) == 20.0
    assert ocr.enlargement([Page(1, 595.0, 842.0, (), Method.OCR, 20.0)]) == 1.0


def test_the_accuracy_bench_reads_pdfs_as_scans(tmp_path: Path) -> None:
    kind = tmp_path / "pdf-text"
    kind.mkdir()
    source = CORPUS / "facturx-pdf-visible/fnfe__Facture_FR_EN16931.pdf"
    (kind / source.name).write_bytes(source.read_bytes())
    truth = source.with_name(source.name + ".truth.json")
    (kind / truth.name).write_text(truth.read_text())
    result = bench.run_accuracy(
        tmp_path, ignore_xml=True, kinds=None, out=io.StringIO(), scan_dpi=150
    )
    assert result["scan_dpi"] == 150
    score = result["kinds"]["pdf-text"]
    assert score["failures"] == []
    assert score["pages"] == 1  # the TIFF's one frame
    assert score["fields"]["invoice_number"]["correct"] == 1
