"""The reading context shared by the field rules: lines, label hits, language, conventions.

A label's value is looked for where people put it: after the label in the same
chunk ("Invoice No: 123"), in the next chunk to the right, or just below in
the same column. :func:`values_for` yields those places in that order with a
factor saying how much each placement is worth.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

from extraction.fields import labels
from extraction.models import BBox
from extraction.models import FieldValue
from extraction.models import Method
from extraction.models import Value
from extraction.text import Page
from extraction.text import Word
from extraction.text.layout import Chunk
from extraction.text.layout import Line
from extraction.text.layout import lines_of

_NUMERIC_DATE = re.compile(r"(?<![\d.,/])(\d{1,2})([./-])(\d{1,2})\2(?:\d{4}|\d{2})(?![\d,]|\.\d)")
#: A clock time written like a date: "12.17.26" right after a date ("06/01/18 12.17.26")
#: or before AM/PM. Its minutes (> 12) would otherwise prove a month-first order.
_TIME_AFTER_DATE = re.compile(
    r"(?:(?<=[./-]\d\d)|(?<=[./-]\d{4}))\s+[0-2]?\d[.:][0-5]\d[.:][0-5]\d(?!\d)"
    r"|(?<![\d.])[0-2]?\d[.:][0-5]\d(?:[.:][0-5]\d)?\s*[AaPp]\.?[Mm](?![a-z])"
)

#: Month-first numeric dates are the convention only in these languages+currencies.
_MONTH_FIRST_CURRENCIES = frozenset({"USD"})


@dataclass(frozen=True)
class Context:
    """Everything the field rules read: lines of all pages and the label hits on them."""

    pages: tuple[Page, ...]
    lines: tuple[Line, ...]
    hits: tuple[tuple[labels.Hit, ...], ...]
    method: Method
    language: str
    text: str
    day_first: bool = True
    page_height: dict[int, float] = field(default_factory=dict)

    def hits_for(self, name: str) -> Iterator[tuple[int, labels.Hit]]:
        """Yield (line position, hit) for every label of field ``name``."""
        for i, line_hits in enumerate(self.hits):
            for hit in line_hits:
                if hit.field == name:
                    yield i, hit

    def relative_top(self, line: Line) -> float:
        """Return the line's vertical position on its page, 0 (top) to 1 (bottom)."""
        return line.top / max(self.page_height.get(line.page, 1.0), 1.0)


@dataclass(frozen=True)
class Place:
    """Text where a label's value may sit, and how much that placement is worth."""

    text: str
    chunk: Chunk
    line: Line
    where: str
    factor: float


def build(pages: Sequence[Page], *, month_first_hint: bool = False) -> Context:
    """Return the context for ``pages`` (all of them, in order)."""
    lines = tuple(line for page in pages for line in lines_of(page))
    hits = tuple(tuple(h for c in line.chunks for h in labels.hits_in(c)) for line in lines)
    text = "\n".join(line.text for line in lines)
    language = labels.language_of(text)
    method = pages[0].method if pages else Method.TEXT
    if any(p.method is Method.OCR for p in pages):
        method = Method.OCR
    return Context(
        pages=tuple(pages),
        lines=lines,
        hits=hits,
        method=method,
        language=language,
        text=text,
        day_first=day_first(text, default=not (month_first_hint and language == "en")),
        page_height={p.number: p.height for p in pages},
    )


def day_first(text: str, *, default: bool) -> bool:
    """Return the document's numeric date order, decided by its unambiguous dates.

    One document uses one convention, so "11/17/2017" anywhere proves that
    "11/03/2017" elsewhere is the 3rd of November. Only when no date proves
    either order (or dates disagree) does ``default`` (language, sender) decide.
    """
    dates_only = _TIME_AFTER_DATE.sub(" ", text)
    firsts = {int(m.group(1)) > 12 for m in _NUMERIC_DATE.finditer(dates_only) if _one_big(m)}
    if len(firsts) != 1:
        return default
    return firsts.pop()


def _one_big(match: re.Match[str]) -> bool:
    a, b = int(match.group(1)), int(match.group(3))
    return (a > 12) != (b > 12) and max(a, b) <= 31 and min(a, b) >= 1


def values_for(ctx: Context, position: int, hit: labels.Hit) -> Iterator[Place]:
    """Yield the places a hit's value may be: same chunk, right, then below."""
    line = ctx.lines[position]
    rest = hit.rest
    if rest:
        yield Place(rest, hit.chunk, line, "after", 1.0)
    chunks = list(line.chunks)
    index = chunks.index(hit.chunk)
    # A lone ":" printed in its own column is punctuation, not a value to skip past.
    offset = 0
    for chunk in chunks[index + 1 :]:
        if not labels.strip_separators(chunk.text):
            continue
        yield Place(chunk.text, chunk, line, "right of", 1.0 if offset == 0 else 0.75)
        offset += 1
    yield from _below(ctx, position, hit.chunk)


def _below(ctx: Context, position: int, label: Chunk) -> Iterator[Place]:
    height = max(label.bottom - label.top, 4.0)
    bottom = label.bottom
    for line in ctx.lines[position + 1 : position + 4]:
        if line.page != ctx.lines[position].page or line.top - bottom > height * 2.5:
            return
        for chunk in line.chunks:
            if chunk.x0 < label.x1 + height and chunk.x1 > label.x0 - height:
                yield Place(chunk.text, chunk, line, "below", 0.85)
                return


def column_below(ctx: Context, position: int, label: Chunk, *, rows: int = 8) -> Iterator[Place]:
    """Yield the chunks under a column header, row by row, until the column ends.

    Summary tables print one header ("Nettobetrag", "MwSt-Betrag") over a row
    per VAT rate and a sum row; every row is a candidate and arithmetic picks.
    """
    height = max(label.bottom - label.top, 4.0)
    bottom = label.bottom
    for line in ctx.lines[position + 1 : position + 1 + rows]:
        if line.page != ctx.lines[position].page or line.top - bottom > height * 4:
            return
        for chunk in line.chunks:
            if chunk.x0 < label.x1 + height and chunk.x1 > label.x0 - height:
                yield Place(chunk.text, chunk, line, "below", 0.85)
                bottom = line.bottom
                break


def chunk_field(
    ctx: Context,
    value: Value,
    confidence: float,
    why: str,
    line: Line,
    chunk: Chunk,
    doubt: Chunk | None = None,
) -> FieldValue:
    """Return ``value`` as read from ``chunk``, its confidence lowered by OCR's doubt.

    A value at 0.95 or above is sure by arithmetic or checksum, not by its words, so
    OCR's doubt does not lower it, unless tesseract doubted those very words (0.9).
    ``doubt``, when given, holds the words whose doubt counts (default: the chunk's).
    """
    doubted = chunk if doubt is None else doubt
    sure = confidence * ocr_factor(doubted, ctx.method) if confidence < 0.95 else confidence
    if confidence >= 0.95 and ctx.method is Method.OCR and doubted.conf < 0.5:
        sure = 0.9
    return FieldValue(
        value=value,
        confidence=round(min(sure, 0.99), 3),
        method=method_of(chunk, ctx.method),
        reason=why,
        page=line.page,
        bbox=bbox(chunk),
    )


def bbox(chunk: Chunk) -> BBox:
    """Return a chunk's box."""
    return BBox(chunk.x0, chunk.top, chunk.x1, chunk.bottom)


def ocr_factor(chunk: Chunk, method: Method) -> float:
    """Return how much OCR uncertainty lowers a value read from ``chunk`` (1.0 for text)."""
    if method_of(chunk, method) is not Method.OCR:
        return 1.0
    return min(1.0, 0.15 + chunk.conf)


def place_factor(place: Place, method: Method) -> float:
    """Return how much OCR uncertainty lowers the value at ``place`` (1.0 for text).

    The value's own words count, not a label it shares a chunk with: in "Nr. 471102
    vom" with "Nr." read unsure, the number itself was read sure.
    """
    if method_of(place.chunk, method) is not Method.OCR:
        return 1.0
    return min(1.0, 0.15 + min(w.conf for w in value_words(place)))


def value_words(place: Place) -> tuple[Word, ...]:
    """Return the words of the place's chunk that its text was read from."""
    start = place.chunk.text.find(place.text) if place.where == "after" else -1
    if start <= 0:
        return place.chunk.words
    end, offset, out = start + len(place.text), 0, []
    for word in place.chunk.words:
        if offset + len(word.text) > start and offset < end:
            out.append(word)
        offset += len(word.text) + 1
    return tuple(out) or place.chunk.words


def method_of(chunk: Chunk, method: Method) -> Method:
    """Return how ``chunk`` was read: OCR when any of its words was, else the document's.

    A text page may carry OCR words from its images; a value read from them
    is an OCR value even though the page around it is exact text.
    """
    if any(w.method is Method.OCR for w in chunk.words):
        return Method.OCR
    return method
