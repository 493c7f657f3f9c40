"""E-invoices: CII (Factur-X, ZUGFeRD 1.0/2.x, XRechnung) and UBL 2.1, read exactly.

Public API (used by :mod:`extraction.read`):

- ``read_xml(data) -> EInvoice``: parse an e-invoice XML document. Raises
  :class:`NotAnEInvoice` for XML of another kind and :class:`HostileXML` for
  DTDs, entities and other parser attacks.
- ``embedded_xml(pdf) -> tuple[str, bytes] | None``: the e-invoice XML attached
  to a PDF/A-3 (Factur-X / ZUGFeRD / XRechnung), with its attachment name.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from extraction.models import DocumentType
from extraction.models import FieldValue
from extraction.models import LineItem
from extraction.models import TaxLine


class NotAnEInvoice(ValueError):  # noqa: N818 - reads as a fact, not a failure
    """The XML is well-formed but is not a CII or UBL invoice."""


class HostileXML(ValueError):  # noqa: N818
    """The XML uses DTDs, entities or other constructs we refuse to parse."""


@dataclass(frozen=True)
class EInvoice:
    """An e-invoice's content; every value carries method ``xml`` and confidence 1.0."""

    syntax: str  # "cii" | "ubl" | "zugferd1"
    document_type: DocumentType
    fields: dict[str, FieldValue] = field(default_factory=dict)
    line_items: tuple[LineItem, ...] = ()
    tax_lines: tuple[TaxLine, ...] = ()


def read_xml(data: bytes) -> EInvoice:
    """Parse an e-invoice; see the module docstring."""
    raise NotImplementedError


def embedded_xml(pdf: bytes) -> tuple[str, bytes] | None:
    """Return ``(attachment name, xml bytes)`` of the PDF's e-invoice, if any."""
    raise NotImplementedError
