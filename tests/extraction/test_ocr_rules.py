"""Ruled lines of tables are erased before OCR, and the table's text is read."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont

from daemon import bench
from extraction.config import ExtractionConfig
from extraction.models import Candidate
from extraction.read import read_candidate
from extraction.text import _rules
from extraction.text import ocr

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def _runs_by_hand(mask: np.ndarray, length: int) -> np.ndarray:
    out = np.zeros_like(mask)
    for row in range(mask.shape[0]):
        for start in range(mask.shape[1] - length + 1):
            if mask[row, start : start + length].all():
                out[row, start : start + length] = True
    return out


@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("length", [1, 2, 3, 7, 8, 13, 31])
def test_opening_keeps_exactly_the_runs_at_least_that_long(axis: int, length: int) -> None:
    mask = np.random.default_rng(length).random((9, 48)) < 0.85
    found = _rules.opened(mask if axis == 1 else mask.T, length, axis)
    expected = _runs_by_hand(mask, length)
    assert ((found if axis == 1 else found.T) == expected).all()


def _ruled_table() -> Image.Image:
    image = Image.new("L", (1200, 500), 255)
    draw = ImageDraw.Draw(image)
    for y in (50, 150, 250, 350):
        draw.line([(40, y), (1160, y)], fill=0, width=3)
    for x in (40, 700, 1160):
        draw.line([(x, 50), (x, 350)], fill=0, width=3)
    font = ImageFont.load_default(size=40)
    draw.text((60, 80), "Net total", fill=0, font=font)
    draw.text((60, 420), "Total", fill=0, font=font)
    draw.rectangle([(900, 400), (1100, 480)], fill=0)  # a black box, not a rule
    return image


def test_rules_turn_white_and_text_and_thick_areas_stay() -> None:
    before = np.asarray(_ruled_table())
    after = np.asarray(_rules.unruled(_ruled_table()))
    assert (after[149:152, 40:1160] == 255).all()  # a horizontal rule
    assert (after[50:350, 699:702] == 255).all()  # a vertical one
    assert (after[400:480, 900:1100] == 0).all()  # the box is thicker than a rule
    # The words keep their ink.
    assert (after[70:140, 60:400] < 160).sum() == (before[70:140, 60:400] < 160).sum()
    assert (after[410:480, 60:300] < 160).sum() == (before[410:480, 60:300] < 160).sum()


def test_an_image_without_rules_is_returned_as_it_is() -> None:
    image = Image.new("L", (300, 200), 255)
    ImageDraw.Draw(image).text((20, 80), "Total 12.50", fill=0)
    assert _rules.unruled(image) is image


@pytest.mark.ocr
@pytest.mark.usefixtures("_tesseract")
def test_a_scanned_invoice_with_a_ruled_table_is_read() -> None:
    # Scanned, the table's borders cut tesseract's lines apart: its rows came back as debris
    # ("te tase [mount —sCNettotal|"), and the total read was the "300 €" of a note below.
    path = CORPUS / "facturx-pdf-visible/fnfe__Facture_UE_EN16931.pdf"
    truth = json.loads(path.with_name(path.name + ".truth.json").read_text())["fields"]
    scan = bench.as_scan(path.read_bytes(), 300)
    doc = read_candidate(Candidate("1", scan, "scan.tif", "image/tiff"), ExtractionConfig())
    for key in ("net_amount", "total_amount"):
        assert doc.fields[key].value == Decimal(truth[key]), key
    # The payment row's "11/17/2017" is what shows the page writes its dates month first.
    assert doc.fields["invoice_date"].value == date(2017, 11, 3)


@pytest.mark.ocr
@pytest.mark.usefixtures("_tesseract")
def test_rules_are_erased_on_document_pages_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # Inside the child: a till receipt keeps its printed separators (its reading was
    # better with them); a page-sized scan has its rules erased.
    from extraction.text import _raster

    erased: list[tuple[int, int]] = []
    real = _raster._without_rules

    def recording(image: Image.Image) -> Image.Image:
        erased.append(image.size)
        return real(image)

    monkeypatch.setattr(_raster, "_without_rules", recording)
    job = ocr._job("image", (), ExtractionConfig(ocr_second_reader=False))
    _raster.read(job, (CORPUS / "image-scan/sroie__031.jpg").read_bytes())
    assert erased == []
    page = Image.new("L", (1300, 1700), 255)
    page.paste(_ruled_table(), (50, 200))
    scan = io.BytesIO()
    page.save(scan, format="PNG")
    [(_, _, _, words, _, _)] = _raster.read(job, scan.getvalue())
    assert erased == [(1300, 1700)]
    assert {"Net", "total"} <= {w[0] for w in words}


def test_a_page_without_memory_for_the_masks_is_read_as_it_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Under the child's memory cap a huge page may not fit numpy's masks: it is read with
    # its rules rather than failing.
    from types import SimpleNamespace

    from extraction.text import _raster

    def too_big(image: Image.Image) -> Image.Image:
        raise MemoryError

    monkeypatch.setattr(_raster, "_sibling", lambda path: SimpleNamespace(unruled=too_big))
    image = _ruled_table()
    assert _raster._without_rules(image) is image
