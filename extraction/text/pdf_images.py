"""Text that a text PDF shows only as pixels: OCR of its large embedded images.

A born-digital page can carry its issuer's letterhead or company block (name,
VAT ID, IBAN) as a picture; the text layer then holds everything but the seller.
This module finds the images on text pages that are large enough to hold a line
of text, reads just the page area they cover in the OCR child (the same limits
as a scan), and adds the words the text layer lacks to that page, marked
``Method.OCR`` and placed in page coordinates, so the field rules see one page.

The caller decides *when*: OCR costs 0.2-1 s where a text page costs ~20 ms,
so :mod:`extraction.read` runs this only when the text layer leaves the seller
unidentified (see ``read._needs_images``).
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from extraction.config import ExtractionConfig
from extraction.models import Method
from extraction.text import Page
from extraction.text import Word
from extraction.text import ocr
from extraction.text import pdf
from extraction.text import pdfium_guard
from extraction.text._raster import Region

#: x0, top, x1, bottom in points from the page's top-left corner.
Box = tuple[float, float, float, float]
#: Smallest image box (points) that can hold a readable word: an inch wide, one line high.
MIN_WIDTH_PT = 72.0
MIN_HEIGHT_PT = 14.0
#: ... and the fewest source pixels for that: below ~12 px a letter is not legible.
MIN_WIDTH_PX = 48
MIN_HEIGHT_PX = 12
#: Share of the page an image must cover: icons, bullets, stamps and most logos stay below.
MIN_AREA_SHARE = 0.01
#: A page-sized image is a scan under its own OCR layer (searchable PDF) or a
#: background the text is printed on: its words are the text layer already.
MAX_AREA_SHARE = 0.8
#: Most image areas read per document: a letterhead repeated on 50 pages is one
#: region (same box), and this bounds what a PDF of many distinct images can cost.
MAX_REGIONS = 6
#: OCR words below this tesseract confidence are mostly logo shapes read as letters.
MIN_WORD_CONF = 0.4
#: How far (points) a text-layer word's box is widened when looking for an OCR duplicate.
SAME_WORD_SLACK = 2.0


def image_regions(data: bytes, pages: Sequence[Page]) -> list[Region]:
    """Return the page areas covered by large images, on pages with a usable text layer.

    Args:
        data: the PDF.
        pages: its pages as read (text layer or OCR); only usable text pages count,
            since a page without a text layer is OCR'd whole anyway.

    Returns:
        At most :data:`MAX_REGIONS` regions, in page order; a box already taken on
        an earlier page is not taken again.
    """
    wanted = [p.number for p in pages if p.method is not Method.OCR and pdf.usable(p)]
    if not wanted:
        return []
    out: list[Region] = []
    seen: set[tuple[int, ...]] = set()
    with pdfium_guard.LOCK:
        # pypdfium2 ships no type hints: its objects are Any here, as in text.pdf.
        document: Any = pdf.open_document(data)
        try:
            for region in _regions(document, wanted):
                key = tuple(round(v) for v in region[1:])
                if key not in seen and len(out) < MAX_REGIONS:
                    seen.add(key)
                    out.append(region)
        finally:
            document.close()
    return out


def _regions(document: Any, numbers: list[int]) -> Iterator[Region]:
    for number in numbers:
        page = document[number - 1]
        try:
            # A rotated page's render and its text layer disagree on axes; rare, left out.
            if page.get_rotation() == 0:
                yield from _page_regions(page, number)
        finally:
            page.close()


def _page_regions(page: Any, number: int) -> Iterator[Region]:
    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    # Images inside form XObjects (reused letterheads) count too, hence the depth.
    for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=4):
        measured = _measure(image, width, height)
        if measured is not None and _large(*measured, page_area=width * height):
            yield (number, *measured[0])


def _measure(image: Any, width: float, height: float) -> tuple[Box, tuple[int, int]] | None:
    """Return the image's box in text-layer coordinates (clipped to the page) and pixel size."""
    import pypdfium2 as pdfium

    try:
        left, bottom, right, top = image.get_bounds()
        pixels: tuple[int, int] = image.get_px_size()
    except pdfium.PdfiumError:
        return None  # a broken image object: nothing a reader could see either
    box = (max(left, 0.0), max(height - top, 0.0), min(right, width), min(height - bottom, height))
    return box, pixels


def _large(box: Box, pixels: tuple[int, int], *, page_area: float) -> bool:
    """Return True when an image is big enough, in points and in pixels, to hold text."""
    x0, top, x1, bottom = box
    w, h = x1 - x0, bottom - top
    if w < MIN_WIDTH_PT or h < MIN_HEIGHT_PT:
        return False
    if min(pixels) < MIN_HEIGHT_PX or max(pixels) < MIN_WIDTH_PX:
        return False
    return MIN_AREA_SHARE <= w * h / max(page_area, 1.0) <= MAX_AREA_SHARE


def with_image_text(
    data: bytes, pages: Sequence[Page], config: ExtractionConfig
) -> list[Page] | None:
    """Return the pages with the words of their large images added.

    Args:
        data: the PDF.
        pages: its pages as read.
        config: OCR languages, resolution and the child's limits.

    Returns:
        Every page (those without large images unchanged), or None when no image
        was large enough or none held a word the text layer lacks.

    Raises:
        TextError: the OCR child failed (timeout, memory); the caller keeps the
            text-layer reading.
    """
    regions = image_regions(data, pages)
    if not regions or not ocr.is_available():
        return None
    found: dict[int, list[Word]] = {}
    for number, words in ocr.ocr_regions(data, regions, config):
        found.setdefault(number, []).extend(words)
    if not any(found.values()):
        return None
    return [merge(page, found.get(page.number, [])) for page in pages]


def merge(page: Page, words: Sequence[Word]) -> Page:
    """Return ``page`` with the OCR ``words`` its text layer does not already hold."""
    kept = tuple(w for w in words if w.conf >= MIN_WORD_CONF and not _known(w, page.words))
    if not kept:
        return page
    return replace(page, words=page.words + kept)


def _known(word: Word, layer: Sequence[Word]) -> bool:
    # Text printed over an image is in both readings; the text layer's copy is exact.
    cx, cy = (word.x0 + word.x1) / 2, (word.top + word.bottom) / 2
    slack = SAME_WORD_SLACK
    return any(
        w.x0 - slack <= cx <= w.x1 + slack and w.top - slack <= cy <= w.bottom + slack
        for w in layer
    )
