"""The e-invoice result type, its errors, and the UNTDID 1001 document-type rule.

Exception tree::

    ValueError
     +-- NotAnEInvoice   well-formed (or not) XML that is not a CII/UBL invoice
     +-- HostileXML      DTDs, entities: refused before parsing
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal

from extraction.models import DocumentType
from extraction.models import FieldValue
from extraction.models import LineItem
from extraction.models import TaxLine
from extraction.models import Value

#: UNTDID 1001 codes that EN 16931 treats as credit notes.
CREDIT_NOTE_CODES = frozenset(
    {"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"}
)


class NotAnEInvoice(ValueError):
    """The XML is well-formed but is not a CII or UBL invoice."""


class HostileXML(ValueError):
    """The XML uses DTDs, entities or other constructs we refuse to parse."""


@dataclass(frozen=True)
class EInvoice:
    """An e-invoice's content; every value carries method ``xml`` and confidence 1.0."""

    syntax: str  # "cii" | "ubl" | "zugferd1"
    document_type: DocumentType
    fields: dict[str, FieldValue] = field(default_factory=dict)
    line_items: tuple[LineItem, ...] = ()
    tax_lines: tuple[TaxLine, ...] = ()
    #: Document-level charges minus allowances (BT-108 - BT-107) when the file states
    #: either, so ``validate(..., adjustment=...)`` can check the lines against the net.
    adjustment: Decimal | None = None


def document_type(type_code: str | None, total: Value | None) -> DocumentType:
    """Return CREDIT_NOTE for credit-note type codes or a negative total, else INVOICE.

    A negative total under code 380/384 (French "avoir type 380", a corrective
    invoice) moves money back to the buyer, so for payables it is a credit note.

    Args:
        type_code: the UNTDID 1001 code as written (``None`` if absent).
        total: the grand total, if known.
    """
    if type_code is not None and type_code.strip() in CREDIT_NOTE_CODES:
        return DocumentType.CREDIT_NOTE
    if isinstance(total, Decimal) and total < 0:
        return DocumentType.CREDIT_NOTE
    return DocumentType.INVOICE
