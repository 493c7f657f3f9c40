"""Bytes in, structured invoices out: splitting, text, e-invoices, fields, validation.

This package never touches a database or global settings. Its public API:

- ``extract(data, filename, config)``: every document found in one file or message.
- the data classes of :mod:`extraction.models`.
"""

from extraction.config import ExtractionConfig
from extraction.config import LLMConfig
from extraction.models import Candidate
from extraction.models import DocumentType
from extraction.models import EmailContext
from extraction.models import ExtractedDocument
from extraction.models import FieldValue
from extraction.models import Flag
from extraction.models import LineItem
from extraction.pipeline import extract
from extraction.pipeline import extract_parts

__all__ = [
    "Candidate",
    "DocumentType",
    "EmailContext",
    "ExtractedDocument",
    "ExtractionConfig",
    "FieldValue",
    "Flag",
    "LLMConfig",
    "LineItem",
    "extract",
    "extract_parts",
]
