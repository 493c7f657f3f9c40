"""Words -> lines -> chunks: the reading order field extraction works on.

A *line* is every word whose vertical centre lies within the same band; a
*chunk* is a run of words on a line with no column-sized gap between them
("Total TTC" or "671,15 €"), which is how a label is told from its value
when both sit on one line. Geometry, not the backend's own grouping, decides,
so PDF text and OCR words are treated alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from extraction.text import Page
from extraction.text import Word


@dataclass(frozen=True)
class Chunk:
    """Adjacent words on one line; ``conf`` is the weakest word's confidence."""

    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        """Return the words joined by single spaces."""
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        """Return the left edge."""
        return self.words[0].x0

    @property
    def x1(self) -> float:
        """Return the right edge."""
        return self.words[-1].x1

    @property
    def top(self) -> float:
        """Return the top edge."""
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        """Return the bottom edge."""
        return max(w.bottom for w in self.words)

    @property
    def conf(self) -> float:
        """Return the weakest word's confidence."""
        return min(w.conf for w in self.words)


@dataclass(frozen=True)
class Line:
    """One visual line of a page, chunks left to right."""

    page: int
    index: int
    chunks: tuple[Chunk, ...]

    @property
    def text(self) -> str:
        """Return the chunks joined by a wide gap marker (three spaces)."""
        return "   ".join(c.text for c in self.chunks)

    @property
    def top(self) -> float:
        """Return the top edge."""
        return min(c.top for c in self.chunks)

    @property
    def bottom(self) -> float:
        """Return the bottom edge."""
        return max(c.bottom for c in self.chunks)


def lines_of(page: Page) -> list[Line]:
    """Group a page's words into lines (top to bottom) of chunks (left to right)."""
    words = [w for w in page.words if w.text.strip()]
    if not words:
        return []
    bands = _bands(words)
    return [
        Line(page=page.number, index=i, chunks=_chunks(sorted(band, key=lambda w: w.x0)))
        for i, band in enumerate(bands)
    ]


def _bands(words: list[Word]) -> list[list[Word]]:
    bands: list[list[Word]] = []
    centres: list[float] = []
    heights: list[float] = []
    for word in sorted(words, key=lambda w: (w.top + w.bottom) / 2):
        centre = (word.top + word.bottom) / 2
        height = max(word.bottom - word.top, 1.0)
        if bands and abs(centre - centres[-1]) <= 0.45 * min(height, heights[-1]) + 0.5:
            bands[-1].append(word)
            n = len(bands[-1])
            centres[-1] = (centres[-1] * (n - 1) + centre) / n
            heights[-1] = max(heights[-1], height)
        else:
            bands.append([word])
            centres.append(centre)
            heights.append(height)
    return bands


def _chunks(words: list[Word]) -> tuple[Chunk, ...]:
    height = median(max(w.bottom - w.top, 1.0) for w in words)
    chunks: list[list[Word]] = [[words[0]]]
    for word in words[1:]:
        gap = word.x0 - chunks[-1][-1].x1
        # A word space is ~0.3 em; a column gap is well over one em.
        if gap > height * 1.1:
            chunks.append([word])
        else:
            chunks[-1].append(word)
    return tuple(Chunk(words=tuple(c)) for c in chunks)
