"""The extraction flow for one file: split, then read each candidate document.

Order of trust: e-invoice XML (exact) > PDF text layer > OCR. Every candidate
ends as an :class:`ExtractedDocument`, a failure included, so callers never lose
a part silently.
"""

from __future__ import annotations

from extraction import read
from extraction import sniff
from extraction import split
from extraction.config import ExtractionConfig
from extraction.llm_step import with_llm
from extraction.models import Candidate
from extraction.models import DocumentType
from extraction.models import ExtractedDocument
from extraction.models import Flag
from extraction.models import Severity


def extract(data: bytes, filename: str | None, config: ExtractionConfig) -> list[ExtractedDocument]:
    """Return every document found in one file (a message yields several).

    Args:
        data: the raw bytes of the file or message.
        filename: the name it arrived under, used only as a hint for its type.
        config: extraction settings.

    Returns:
        One result per candidate document, in the order they appear.
    """
    return [doc for _, doc in extract_parts(data, filename, config)]


def extract_parts(
    data: bytes, filename: str | None, config: ExtractionConfig
) -> list[tuple[Candidate, ExtractedDocument]]:
    """Like :func:`extract`, but keep each document's bytes (the candidate) beside it."""
    return [(c, extract_candidate(c, config)) for c in candidates(data, filename, config)]


def candidates(data: bytes, filename: str | None, config: ExtractionConfig) -> list[Candidate]:
    """Split a message into parts, or wrap a single file as one candidate."""
    kind = sniff.sniff(data, filename)
    if kind is sniff.Kind.EMAIL:
        return split.split_message(data, config)
    if kind is sniff.Kind.ZIP:
        return split.split_archive(data, filename, config)
    if kind is sniff.Kind.TNEF:
        return split.split_tnef(data, config)
    content_type = sniff.content_type_for(kind, filename)
    return [Candidate(part="1", data=data, filename=filename, content_type=content_type)]


def extract_candidate(candidate: Candidate, config: ExtractionConfig) -> ExtractedDocument:
    """Read one candidate; noise and unreadable input become typed results with reasons."""
    if candidate.skip_reason is not None:
        return read.bare(candidate, DocumentType.NOT_INVOICE, candidate.skip_reason)
    try:
        return with_llm(candidate, read.read_candidate(candidate, config), config)
    except Exception as exc:
        flag = Flag("EXTRACTION_ERROR", f"could not read this document: {exc}", Severity.ERROR)
        return read.failed(candidate, flag)
