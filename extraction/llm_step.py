"""The optional LLM pass over an offline result: fill and confirm, then check again.

LLM values go through the same validation as every other value, so the flags
and the document confidence are recomputed after the merge. XML documents are
never sent: their values are exact already.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from extraction import sniff
from extraction import validate
from extraction.config import ExtractionConfig
from extraction.fields.llm import refine_with_llm
from extraction.models import PAYABLE_TYPES
from extraction.models import Candidate
from extraction.models import ExtractedDocument
from extraction.read import confidence
from extraction.text import pdfium_guard

_VISION_PAGES = 3
_VISION_SCALE = 150 / 72


def with_llm(
    candidate: Candidate, doc: ExtractedDocument, config: ExtractionConfig
) -> ExtractedDocument:
    """Return ``doc`` refined by the LLM when it is enabled and the document is worth it."""
    if not config.llm.enabled or doc.method == "xml" or doc.document_type not in PAYABLE_TYPES:
        return doc
    images = page_images(candidate) if config.llm.vision else ()
    refined = refine_with_llm(doc, text=doc.text, page_images=images, config=config.llm)
    if refined is doc:
        return doc
    return _revalidated(doc, refined)


def _revalidated(before: ExtractedDocument, after: ExtractedDocument) -> ExtractedDocument:
    stale = set(validate.validate(before.fields, before.line_items, before.tax_lines))
    fresh = validate.validate(after.fields, after.line_items, after.tax_lines)
    flags = [f for f in after.flags if f not in stale] + [f for f in fresh if f not in after.flags]
    return dataclasses.replace(
        after, flags=tuple(flags), confidence=confidence(after.fields, flags)
    )


def page_images(candidate: Candidate) -> Sequence[bytes]:
    """Return PNG/JPEG bytes of the document's first pages for a vision model."""
    kind = sniff.sniff(candidate.data, candidate.filename)
    if kind is sniff.Kind.IMAGE and candidate.content_type in ("image/png", "image/jpeg"):
        return (candidate.data,)
    if kind is not sniff.Kind.PDF:
        return ()
    try:
        return _render_pdf(candidate.data)
    except Exception:
        return ()


def _render_pdf(data: bytes) -> list[bytes]:
    import io

    import pypdfium2 as pdfium

    out = []
    with pdfium_guard.LOCK:
        pdf = pdfium.PdfDocument(data)
        try:
            for index in range(min(len(pdf), _VISION_PAGES)):
                image = pdf[index].render(scale=_VISION_SCALE).to_pil()
                buffer = io.BytesIO()
                image.save(buffer, format="PNG")
                out.append(buffer.getvalue())
        finally:
            pdf.close()
    return out
