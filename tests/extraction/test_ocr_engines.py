"""Tesseract engines inside an OCR child: loaded once, lent to one page at a time, read as
tesseract's command line reads."""

from __future__ import annotations

import io
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from extraction.text import _raster
from tests.support.images import text_image

pytestmark = [pytest.mark.ocr, pytest.mark.usefixtures("_tesseract")]

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "image-scan"


@pytest.fixture
def engines(monkeypatch: pytest.MonkeyPatch) -> Iterator[_raster.Engines]:
    """Give the test its own engines, as a new child has."""
    own = _raster.Engines(keep=2)
    monkeypatch.setattr(_raster, "ENGINES", own)
    yield own


def _receipt(name: str) -> Image.Image:
    return Image.open(CORPUS / name).convert("L")


def _command_line_rows(image: Image.Image, psm: int) -> list[str]:
    pgm = io.BytesIO()
    image.save(pgm, format="PPM")
    command = ["tesseract", "stdin", "stdout", "--oem", "1", "--psm", str(psm), "-l", "eng"]
    done = subprocess.run([*command, "tsv"], input=pgm.getvalue(), capture_output=True, check=True)
    return done.stdout.decode().splitlines()[1:]  # its header row


@pytest.mark.parametrize("psm", [_raster.PSM_IMAGE, _raster.PSM_PDF])
def test_an_engine_reads_what_tesseracts_command_line_reads(
    engines: _raster.Engines, psm: int
) -> None:
    # Automatic layout (psm 3) read this receipt differently when the image was handed
    # over claiming a resolution; tesseract's command line estimates it.
    image = _receipt("sroie__418.jpg")
    tsv = _raster._tesseract(image, time.monotonic() + 60, lang="eng", psm=psm)
    assert tsv.splitlines() == _command_line_rows(image, psm)


def test_an_engine_is_loaded_once_and_lent_again(engines: _raster.Engines) -> None:
    with engines.lend("eng") as first:
        pass
    with engines.lend("eng") as again:
        assert again is first
    assert engines.idle() == ["eng"]


def test_pages_read_at_once_borrow_an_engine_each(engines: _raster.Engines) -> None:
    with engines.lend("eng") as one, engines.lend("eng") as other:
        assert one is not other
    assert engines.idle() == ["eng", "eng"]


def test_only_the_most_recently_used_engines_stay_loaded(engines: _raster.Engines) -> None:
    for lang in ("eng", "fra", "deu"):
        with engines.lend(lang):
            pass
    assert engines.idle() == ["fra", "deu"]


def test_an_engine_whose_reading_failed_is_not_lent_again(engines: _raster.Engines) -> None:
    with pytest.raises(_raster.Refused), engines.lend("eng") as failed:
        raise _raster.Refused("OCR_FAILED", "tesseract could not read the image")
    assert engines.idle() == []
    with engines.lend("eng") as fresh:
        assert fresh is not failed


def test_no_reading_starts_once_the_time_budget_is_spent(engines: _raster.Engines) -> None:
    # Less than a second left: a receipt's reading would overrun it; the parent stops a
    # reading that does (test_ocr_workers).
    with pytest.raises(_raster.Refused) as caught:
        _raster._tesseract(_receipt("sroie__402.jpg"), time.monotonic() + 0.5, lang="eng", psm=6)
    assert caught.value.code == "OCR_TIMEOUT"
    assert engines.idle() == []


def test_a_language_tesseract_lacks_is_a_failed_reading(engines: _raster.Engines) -> None:
    with pytest.raises(_raster.Refused) as caught:
        _raster._tesseract(_receipt("sroie__402.jpg"), time.monotonic() + 60, lang="xyz", psm=6)
    assert caught.value.code == "OCR_FAILED" and "'xyz'" in caught.value.reason


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_orientation_detection_asks_for_the_turn_back(engines: _raster.Engines, turn: int) -> None:
    turned = _receipt("sroie__402.jpg").rotate(turn, expand=True)  # counter-clockwise
    assert _raster._osd_rotation(turned, time.monotonic() + 60) == turn


@pytest.mark.parametrize(
    ("cap", "larger"),
    [(3.0, [2.25, 3.0]), (1.6, [1.6])],
    ids=["the 2x read at the cap", "one read at the cap, not a second"],
)
def test_a_page_read_again_for_its_date_stays_under_the_pixel_cap(
    engines: _raster.Engines, monkeypatch: pytest.MonkeyPatch, cap: float, larger: list[float]
) -> None:
    # A page without a date is read 1.5x, then 2x larger. An A4 page already read twice as
    # large would reach 140 million pixels, and the engines share the child's memory cap.
    read: list[int] = []
    real = _raster._tesseract

    def spied(image: Image.Image, deadline: float, *, lang: str, psm: int) -> str:
        read.append(image.width * image.height)
        return real(image, deadline, lang=lang, psm=psm)

    monkeypatch.setattr(_raster, "_tesseract", spied)
    typed = text_image("TOTAL 12.00", (600, 400), font_size=28, line_height=40, margin=20)
    page = Image.open(io.BytesIO(typed)).convert("L")
    reading = _raster.Reading(1.0, "eng", _raster.PSM_IMAGE, time.monotonic() + 60)
    area = page.width * page.height
    _raster._date_retry(page, reading, reading.lines(page), int(area * cap))
    assert [pixels / area for pixels in read[1:]] == pytest.approx(larger, abs=0.02)


def test_only_the_first_page_is_read_again_for_a_date(
    engines: _raster.Engines, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A scanned invoice's later pages hold no date to find: each retry of an A4 page cost
    # 1.6-2.4 s and found nothing. The first page, where a document's date is, is retried.
    from extraction.config import ExtractionConfig
    from extraction.text import ocr

    read: list[int] = []
    real = _raster._tesseract
    typed = {"font_size": 28, "line_height": 40, "margin": 20}

    def spied(image: Image.Image, deadline: float, *, lang: str, psm: int) -> str:
        read.append(image.width)
        return real(image, deadline, lang=lang, psm=psm)

    monkeypatch.setattr(_raster, "_tesseract", spied)
    pages = [
        Image.open(io.BytesIO(text_image(text, (600, 400), **typed))).convert("L")
        for text in ("TOTAL 12.00", "CARRIED OVER 12.00")
    ]
    scan = io.BytesIO()
    pages[0].save(scan, format="TIFF", save_all=True, append_images=pages[1:])
    job = ocr._job("image", (), ExtractionConfig(ocr_second_reader=False))
    assert len(_raster.read(job, scan.getvalue())) == 2
    assert sorted(read) == [600, 600, 900, 1200]  # both pages once; the first 1.5x and 2x
