"""Page images of PDF documents, so the reviewer sees the invoice in any browser.

A browser without a PDF viewer (headless, some kiosks, locked-down desktops)
shows an empty frame for a PDF; a rendered PNG always shows. Rendering uses
pdfium under the extraction package's process-wide lock, because the worker
threads of ``apinbox run`` use pdfium in the same process.
"""

from __future__ import annotations

import io

from extraction.text import pdfium_guard

#: 110 dpi: sharp on a laptop screen, a few hundred KB per page.
_SCALE = 110 / 72
MAX_PREVIEW_PAGES = 20


class PreviewError(ValueError):
    """The document has no page with that number, or cannot be rendered."""


def page_count(pdf: bytes) -> int:
    """Return the number of pages of ``pdf`` (0 when it cannot be opened)."""
    import pypdfium2 as pdfium

    with pdfium_guard.LOCK:
        try:
            document = pdfium.PdfDocument(pdf)
        except pdfium.PdfiumError:
            return 0
        try:
            return len(document)
        finally:
            document.close()


def render_page(pdf: bytes, number: int) -> bytes:
    """Return page ``number`` (1-based) of ``pdf`` as PNG bytes."""
    import pypdfium2 as pdfium

    if not 1 <= number <= MAX_PREVIEW_PAGES:
        msg = f"page {number} is not previewed (1 to {MAX_PREVIEW_PAGES})"
        raise PreviewError(msg)
    with pdfium_guard.LOCK:
        try:
            document = pdfium.PdfDocument(pdf)
        except pdfium.PdfiumError as exc:
            raise PreviewError(str(exc)) from exc
        try:
            if number > len(document):
                msg = f"the document has {len(document)} page(s)"
                raise PreviewError(msg)
            image = document[number - 1].render(scale=_SCALE).to_pil()
        finally:
            document.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
