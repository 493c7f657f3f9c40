"""Text backends: bytes in, positioned words out, one :class:`Page` per page.

Contract of a backend module (invoice2data style, chosen by score like paperless):

- ``is_available() -> bool``: its library or binary is installed here.
- ``score(mime_type, filename) -> int | None``: how well it reads that input;
  ``None`` means "cannot". The highest score wins.
- ``to_text(data) -> str``: plain text, for callers that want only text.

Words carry a box in PDF points (origin top-left), a confidence in 0..1
(1.0 for a PDF text layer, tesseract's own value for OCR) and the method that
read them, so field extraction can reason about layout and about how sure the
reader was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from extraction.models import Method


@dataclass(frozen=True)
class Word:
    """One word on a page: text, box in points (origin top-left), confidence 0..1.

    ``method`` says which reader saw it: a text-layer page may also carry OCR
    words read from its embedded images, and a value built from them must say so.
    """

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    conf: float = 1.0
    method: Method = Method.TEXT


@dataclass(frozen=True)
class Page:
    """The words of one page, in the order the backend produced them."""

    number: int
    width: float
    height: float
    words: tuple[Word, ...]
    method: Method
    #: OCR only: the median height of the words it read surely, in pixels of the image as
    #: given (before any enlarging); 0.0 when unknown.
    text_px: float = 0.0
    #: OCR only: how the page was read, where a reader could not help ("the second OCR
    #: reader is unavailable ..."); the document's flags say it.
    notes: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """Return the page's words joined by spaces (no layout)."""
        return " ".join(w.text for w in self.words)


class TextError(Exception):
    """A backend could not read its input; ``code`` is the flag code to store."""

    def __init__(self, code: str, reason: str) -> None:
        """Keep the machine code next to the human reason."""
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _pdf() -> ModuleType:
    from extraction.text import pdf

    return pdf


def _ocr() -> ModuleType:
    from extraction.text import ocr

    return ocr


#: Backend name -> loader; a loader keeps optional imports lazy.
REGISTRY: dict[str, Callable[[], ModuleType]] = {"pdf": _pdf, "ocr": _ocr}


def choose(mime_type: str, filename: str | None) -> str | None:
    """Return the name of the available backend with the highest score, if any."""
    best: tuple[int, str] | None = None
    for name, load in REGISTRY.items():
        module = load()
        if not module.is_available():
            continue
        value = module.score(mime_type, filename)
        if value is not None and (best is None or value > best[0]):
            best = (value, name)
    return best[1] if best else None
