"""PDF text layer with pypdfium2: words with boxes, per page, fast.

pypdfium2 gives each character and its box in a few microseconds, which is
what makes >= 40 pages/s possible; pdfplumber would be ten times slower for
the same boxes. PDFium is not thread-safe, so callers run one document per
process at a time (the daemon's workers are processes).
"""

from __future__ import annotations

import ctypes
import math
import unicodedata
from collections.abc import Iterator

from extraction.models import Method
from extraction.text import Page
from extraction.text import TextError
from extraction.text import Word
from extraction.text import pdfium_guard

#: One character with its box: text, x0, top, x1, bottom (points, origin top-left).
Glyph = tuple[str, float, float, float, float]
#: Boxes closer than this (points) are the same box.
_SAME = 0.01
#: Characters that separate words (NBSP and friends included: columns use them too).
_SPACES = frozenset(" \t\r\n\x0b\x0c\xa0\u2002\u2003\u2009\u202f\ufffe\uffff\x00")
#: Characters turned by more than this (radians, about 6 degrees) are not body text.
_MAX_TILT = 0.1
#: A page needs this many word characters before we trust its text layer.
MIN_TEXT_CHARS = 20


def is_available() -> bool:
    """Return True when pypdfium2 imports."""
    try:
        import pypdfium2  # noqa: F401
    except ImportError:
        return False
    return True


def score(mime_type: str, filename: str | None) -> int | None:
    """Prefer the text layer for PDFs; OCR only fills pages without one."""
    if mime_type == "application/pdf" or (filename or "").lower().endswith(".pdf"):
        return 100
    return None


def to_text(data: bytes) -> str:
    """Return the text layer of every page, one line per word line."""
    return "\n\n".join(page.text for page in read_pages(data, max_pages=10_000))


def open_document(data: bytes) -> object:
    """Open a PDF or raise :class:`TextError` with PDF_ENCRYPTED / PDF_BROKEN / EMPTY_FILE."""
    import pypdfium2 as pdfium

    if not data.strip():
        raise TextError("EMPTY_FILE", "the file is empty")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise TextError("PDF_ENCRYPTED", "the PDF is password-protected") from exc
        raise TextError("PDF_BROKEN", f"the PDF cannot be opened: {message}") from exc


def page_count(data: bytes) -> int:
    """Return the number of pages, raising :class:`TextError` when unreadable."""
    with pdfium_guard.LOCK:
        doc = open_document(data)
        try:
            return len(doc)  # type: ignore[arg-type]
        finally:
            doc.close()  # type: ignore[attr-defined]


def read_pages(data: bytes, *, max_pages: int) -> list[Page]:
    """Return the text layer of the first ``max_pages`` pages (empty pages included)."""
    with pdfium_guard.LOCK:
        doc = open_document(data)
        try:
            count = min(len(doc), max_pages)  # type: ignore[arg-type]
            return [_read_page(doc, index) for index in range(count)]
        finally:
            doc.close()  # type: ignore[attr-defined]


def usable(page: Page) -> bool:
    """Return True when the page's text layer holds enough real text to read."""
    chars = sum(1 for w in page.words for c in w.text if c.isalnum())
    if chars < MIN_TEXT_CHARS:
        return False
    # Fonts without a Unicode map come out as private-use or control characters.
    odd = sum(1 for w in page.words for c in w.text if unicodedata.category(c) in ("Co", "Cc"))
    return odd < chars * 0.2


def _read_page(doc: object, index: int) -> Page:
    page = doc[index]  # type: ignore[index]
    try:
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            words = tuple(_words(textpage, height))
        finally:
            textpage.close()
    finally:
        page.close()
    return Page(number=index + 1, width=width, height=height, words=words, method=Method.TEXT)


def _chars(textpage: object, height: float) -> Iterator[Glyph]:
    import pypdfium2.raw as pdfium_c

    raw = textpage.raw  # type: ignore[attr-defined]
    # One set of out-parameters for every char: this loop runs for every glyph of a PDF,
    # and pypdfium2's get_charbox allocates four doubles per call.
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    box = (ctypes.byref(left), ctypes.byref(right), ctypes.byref(bottom), ctypes.byref(top))
    unicode_of, charbox, angle = (
        pdfium_c.FPDFText_GetUnicode,
        pdfium_c.FPDFText_GetCharBox,
        pdfium_c.FPDFText_GetCharAngle,
    )
    for i in range(pdfium_c.FPDFText_CountChars(raw)):
        code = unicode_of(raw, i)
        # Surrogate halves are icons (phone, mail) outside the BMP: a space is enough.
        char = chr(code) if 0 < code < 0x110000 and not 0xD800 <= code < 0xE000 else " "
        if char not in _SPACES and _rotated(angle(raw, i)):
            continue  # margin notes and watermarks run sideways; they would shred every line
        charbox(raw, i, *box)
        if right.value <= left.value and char not in _SPACES:
            continue  # the tail of a ligature: its glyph was drawn with the first char
        yield char, left.value, height - top.value, right.value, height - bottom.value


def _rotated(angle: float) -> bool:
    # PDFium reports radians in [0, 2*pi), or -1 when unknown (kept: most likely upright).
    return _MAX_TILT < angle < 2 * math.pi - _MAX_TILT


def _words(textpage: object, height: float) -> Iterator[Word]:
    buf: list[Glyph] = []
    span = (0.0, 0.0)  # the word's top and bottom so far
    for char, x0, top, x1, bottom in _chars(textpage, height):
        glyph = (char, x0, top, x1, bottom)
        if char in _SPACES or (buf and _breaks(buf[-1], span, glyph)):
            if buf:
                yield _word(buf)
                buf = []
            if char in _SPACES:
                continue
        span = (min(span[0], top), max(span[1], bottom)) if buf else (top, bottom)
        buf.append(glyph)
    if buf:
        yield _word(buf)


def _breaks(prev: Glyph, span: tuple[float, float], glyph: Glyph) -> bool:
    # Text placed by coordinates has no space chars: a jump back, down or far right ends a word.
    pchar, px0, _, px1, _ = prev
    char, x0, top, x1, bottom = glyph
    if abs(x0 - px0) < _SAME and abs(x1 - px1) < _SAME:
        return False  # "ffi" drawn as one glyph: each of its letters gets the glyph's box
    # Height is judged against the word so far, not the last glyph: an apostrophe's box is
    # only its top ("d'olive"); an underscore sits below the baseline ("invoice_number_1").
    wtop, wbottom = span
    size = max(wbottom - wtop, bottom - top, 1.0)
    centre, wcentre = (top + bottom) / 2, (wtop + wbottom) / 2
    lower = "_" in (char, pchar)
    return (not lower and abs(centre - wcentre) > size * 0.6) or not px1 - size <= x0 <= px1 + size


def _word(buf: list[Glyph]) -> Word:
    chars, x0s, tops, x1s, bottoms = zip(*buf, strict=True)
    return Word(text="".join(chars), x0=min(x0s), top=min(tops), x1=max(x1s), bottom=max(bottoms))
