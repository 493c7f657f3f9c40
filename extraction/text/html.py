"""HTML and plain text -> one synthetic :class:`Page` the field rules can read.

HTML is parsed with lxml.html and only its visible text is kept: scripts,
styles and the head are dropped and nothing is ever fetched (no images, no
stylesheets, no remote content). Table cells become column gaps and block
elements become lines, then each character gets a fixed-pitch box so the
layout rules see "label   value" the same way they do in a PDF.
"""

from __future__ import annotations

from lxml import etree  # no stubs in the lock
from lxml import html as lxml_html

from extraction.models import Method
from extraction.text import Page
from extraction.text import TextError
from extraction.text import Word

#: Fixed pitch of the synthetic layout, in points.
CHAR_WIDTH = 6.0
LINE_HEIGHT = 12.0
_BLOCKS = frozenset(
    [
        "p",
        "div",
        "br",
        "tr",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "section",
        "article",
        "header",
        "footer",
        "address",
        "blockquote",
        "pre",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "hr",
        "form",
        "center",
    ]
)
_CELLS = frozenset({"td", "th"})
_HIDDEN = frozenset({"script", "style", "head", "title", "noscript", "template", "svg"})


def is_available() -> bool:
    """Return True: lxml is a hard dependency."""
    return True


def score(mime_type: str, filename: str | None) -> int | None:
    """Read HTML and plain text; nothing else."""
    return 50 if mime_type in ("text/html", "text/plain") else None


def to_text(data: bytes) -> str:
    """Return the visible text of an HTML document, lines and column gaps kept."""
    try:
        root = lxml_html.document_fromstring(data)
    except (etree.ParserError, ValueError) as exc:
        raise TextError("HTML_BROKEN", f"the HTML cannot be parsed: {exc}") from exc
    parts: list[str] = []
    _walk(root, parts)
    lines = ("".join(parts)).split("\n")
    return "\n".join(" ".join(line.split("\x00")).rstrip() for line in lines if line.strip())


def _walk(element: etree._Element, parts: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _HIDDEN or not isinstance(element.tag, str):
        _tail(element, parts)
        return
    if tag in _BLOCKS:
        parts.append("\n")
    parts.append(_clean(element.text))
    for child in element:
        _walk(child, parts)
    if tag in _CELLS:
        parts.append("    ")
    if tag in _BLOCKS:
        parts.append("\n")
    _tail(element, parts)


def _tail(element: etree._Element, parts: list[str]) -> None:
    parts.append(_clean(element.tail))


def _clean(text: str | None) -> str:
    return " ".join((text or "").split()) + (" " if text and text[-1:].isspace() else "")


def to_page(data: bytes) -> Page:
    """Return the visible text of an HTML document as a one-page layout."""
    return text_page(to_text(data))


def plain_page(data: bytes) -> Page:
    """Return plain text (UTF-8, else Latin-1) as a one-page layout."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text_page(text)


def text_page(text: str) -> Page:
    """Lay out ``text`` on a fixed-pitch page: one line per line, one box per word."""
    words: list[Word] = []
    lines = text.expandtabs(8).splitlines()
    for row, line in enumerate(lines):
        top = row * LINE_HEIGHT
        column = 0
        for token in line.split(" "):
            if token:
                x0 = column * CHAR_WIDTH
                words.append(
                    Word(token, x0, top, x0 + len(token) * CHAR_WIDTH, top + LINE_HEIGHT * 0.8)
                )
            column += len(token) + 1
    width = max((w.x1 for w in words), default=CHAR_WIDTH)
    return Page(1, width, max(len(lines), 1) * LINE_HEIGHT, tuple(words), Method.TEXT)
