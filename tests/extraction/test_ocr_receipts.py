"""Golden receipts through the real OCR child and tesseract (SROIE scans, CC BY 4.0).

Each image sits in ``tests/corpus/image-scan`` with its ``*.truth.json`` (source and
license inside). These protect the receipt rules and the OCR preparation end to end.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from extraction.config import ExtractionConfig
from extraction.models import Candidate
from extraction.models import ExtractedDocument
from extraction.read import read_candidate
from extraction.text import TextError
from extraction.text import _raster
from extraction.text import ocr

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "image-scan"
pytestmark = pytest.mark.ocr


@pytest.fixture(autouse=True)
def _needs_tesseract() -> None:
    if not ocr.is_available():
        pytest.skip("tesseract is not installed")


def _read(name: str) -> tuple[ExtractedDocument, dict[str, str]]:
    path = CORPUS / name
    truth = json.loads(path.with_name(path.name + ".truth.json").read_text())["fields"]
    doc = read_candidate(Candidate("1", path.read_bytes(), name, "image/jpeg"), ExtractionConfig())
    return doc, truth


def test_rounded_total_is_cash_minus_change() -> None:
    # Printed total 31.47, rounding -0.02, cash 50.00, change 18.55; name on two lines.
    doc, truth = _read("sroie__418.jpg")
    total = doc.fields["total_amount"]
    assert total.value == Decimal(truth["total_amount"])
    assert "cash - change" in total.reason
    assert total.confidence < 0.95  # before or after rounding is ambiguous
    assert doc.fields["vendor_name"].value == truth["vendor_name"]
    assert str(doc.fields["invoice_date"].value) == truth["invoice_date"]


def test_garbled_total_line_falls_back_to_amount_paid() -> None:
    doc, truth = _read("sroie__402.jpg")
    assert doc.fields["total_amount"].value == Decimal(truth["total_amount"])
    assert doc.fields["total_amount"].confidence < 0.8
    assert doc.fields["vendor_name"].value == truth["vendor_name"]
    assert str(doc.fields["invoice_date"].value) == truth["invoice_date"]


def test_garbled_date_line_is_read_again_larger() -> None:
    # The first read of the underlined date line is "7) )| SS"; read 1.5x larger it is
    # "2703/2018" (a separator lost), which the receipt rules put back together.
    doc, truth = _read("sroie__625.jpg")
    assert str(doc.fields["invoice_date"].value) == truth["invoice_date"]
    assert doc.fields["total_amount"].value == Decimal(truth["total_amount"])


def test_faint_print_is_read_with_thicker_strokes() -> None:
    # Tesseract returns no word at all for this clear but thin-stroked receipt as it is.
    pages = ocr.ocr_image((CORPUS / "sroie__600.jpg").read_bytes(), ExtractionConfig())
    assert len(pages[0].words) > 50
    assert "MEGAH" in pages[0].text
    doc, truth = _read("sroie__600.jpg")
    assert str(doc.fields["invoice_date"].value) == truth["invoice_date"]
    # "CashJ: fH 5.00" above "Change : RM 0.30": the garbled cash label still pays 4.70.
    assert doc.fields["total_amount"].value == Decimal(truth["total_amount"])


def test_skewed_receipt_keeps_amounts_beside_their_labels() -> None:
    # Scanned about 2 degrees askew: without deskewing, every amount of the totals block
    # sat one line above its label ("Rounding Adj. RM40.00", "Tota2 RMO.00").
    doc, truth = _read("sroie__341.jpg")
    total = doc.fields["total_amount"]
    assert total.value == Decimal(truth["total_amount"])
    assert "cash - change" in total.reason


def test_deskew_shears_words_back_onto_their_lines() -> None:
    slope = 0.035
    lines = [
        [(f"w{row}{col}", x, row * 20 + slope * x, x + 30, row * 20 + slope * x + 10, 0.9)]
        for row in range(4)
        for col, x in enumerate((0.0, 300.0))
    ]
    measured = [[w for line in lines[i : i + 2] for w in line] for i in range(0, 8, 2)]
    assert _raster.skew(measured) == pytest.approx(slope)
    for line in _raster.deskewed(measured):
        assert line[0][2] == pytest.approx(line[1][2])  # same top once sheared


def test_small_skew_is_left_alone() -> None:
    line = [("a", 0.0, 0.0, 10.0, 8.0, 0.9), ("b", 200.0, 0.1, 210.0, 8.1, 0.9)]
    assert _raster.deskewed([line] * 3) == [line] * 3


def test_multi_frame_image_pages_come_back_in_order() -> None:
    from io import BytesIO

    from PIL import Image

    frames = [Image.open(CORPUS / "sroie__418.jpg").convert("L"), Image.new("L", (600, 400), 255)]
    out = BytesIO()
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:])
    pages = ocr.ocr_image(out.getvalue(), ExtractionConfig())
    assert [p.number for p in pages] == [1, 2]
    assert "BOOKSTORES" in pages[0].text
    assert pages[1].words == ()


def test_time_limit_ends_as_a_reason_not_a_crash() -> None:
    config = ExtractionConfig(ocr_timeout_s=0.5)
    with pytest.raises(TextError) as caught:
        ocr.ocr_image((CORPUS / "sroie__418.jpg").read_bytes(), config)
    assert caught.value.code == "OCR_TIMEOUT"


def test_decompression_bomb_is_refused_in_the_child() -> None:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("1", (12000, 12000), 1).save(out, format="PNG")
    config = ExtractionConfig(max_image_pixels=10_000_000)
    with pytest.raises(TextError) as caught:
        ocr.ocr_image(out.getvalue(), config)
    assert caught.value.code == "IMAGE_TOO_LARGE"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27/03/2018", True),
        ("2018-03-27 10:02", True),
        ("25032018 13:11", True),
        ("Total 12.00", False),
    ],
)
def test_date_like_text_is_recognised(text: str, expected: bool) -> None:
    assert _raster.has_date([(text, 0.0, 0.0, 1.0, 1.0, 0.9)]) is expected


def test_a_re_read_date_line_replaces_the_garbled_one() -> None:
    first = [("Order", 0.0, 10.0, 20.0, 18.0, 0.9), ("11/0/2018", 30.0, 10.0, 60.0, 18.0, 0.4)]
    first.append(("TOTAL", 0.0, 40.0, 20.0, 48.0, 0.9))
    again = [("Order", 0.0, 9.0, 20.0, 17.0, 0.9), ("11/03/2018", 30.0, 9.0, 60.0, 18.0, 0.8)]
    merged = _raster.merge_lines([first], [again])
    assert [[w[0] for w in line] for line in merged] == [["TOTAL"], ["Order", "11/03/2018"]]
