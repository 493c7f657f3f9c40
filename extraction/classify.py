"""What a document is: invoice, credit note, receipt, reminder, order/quote, or not an invoice.

Keywords per language live in ``extraction/data/doctypes.toml``; a keyword in
the title area (top of page 1, or a line of its own) weighs more than one in
running text. E-invoices carry their own type code, which :mod:`extraction.read`
uses instead of this module.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources

from extraction.fields import amounts
from extraction.fields import labels
from extraction.models import DocumentType
from extraction.models import FieldValue

#: Lines counted as the title area.
TITLE_LINES = 15
TITLE_WEIGHT = 3


@cache
def keywords() -> dict[DocumentType, re.Pattern[str]]:
    """Return a folded-keyword pattern per document type (all languages together)."""
    text = resources.files("extraction").joinpath("data/doctypes.toml").read_text(encoding="utf-8")
    out: dict[DocumentType, re.Pattern[str]] = {}
    for name, langs in tomllib.loads(text).items():
        words = sorted(
            {labels.fold(w) for lst in langs.values() for w in lst}, key=len, reverse=True
        )
        body = "|".join(re.escape(w) for w in words)
        out[DocumentType(name)] = re.compile(rf"(?<![a-z])(?:{body})(?![a-z])")
    return out


def scores(text: str) -> dict[DocumentType, int]:
    """Return the weighted keyword count of every document type in ``text``."""
    lines = [labels.fold(line) for line in text.splitlines()]
    out: dict[DocumentType, int] = {}
    for doc_type, pattern in keywords().items():
        total = 0
        for index, line in enumerate(lines):
            hits = len(pattern.findall(line))
            # A credit-note word ("avoir" is also a French verb) counts only as a title.
            if doc_type is DocumentType.CREDIT_NOTE and index >= TITLE_LINES:
                continue
            total += hits * (TITLE_WEIGHT if index < TITLE_LINES else 1)
        out[doc_type] = total
    return out


def classify(text: str, fields: dict[str, FieldValue]) -> tuple[DocumentType, str]:
    """Return the document type and the reason for it.

    Args:
        text: the document's text, one line per visual line.
        fields: what field extraction found (a total makes a payable more likely).

    Returns:
        The type and a human reason naming the deciding evidence.
    """
    found = scores(text)
    specific = {t: s for t, s in found.items() if t is not DocumentType.INVOICE and s > 0}
    invoice = found.get(DocumentType.INVOICE, 0)
    has_money = "total_amount" in fields
    if DocumentType.CREDIT_NOTE in specific:
        return DocumentType.CREDIT_NOTE, _why(
            DocumentType.CREDIT_NOTE, specific[DocumentType.CREDIT_NOTE]
        )
    if specific:
        kind = max(specific, key=lambda t: specific[t])
        # Receipts often also say "tax invoice"; reminders and quotes must outweigh it.
        if specific[kind] > invoice or (kind is DocumentType.RECEIPT and specific[kind] == invoice):
            return kind, _why(kind, specific[kind])
    if invoice:
        return DocumentType.INVOICE, _why(DocumentType.INVOICE, invoice)
    if has_money and ("invoice_number" in fields or "invoice_date" in fields):
        return DocumentType.INVOICE, "no title keyword, but a total with a number or date"
    if "invoice_date" in fields and amounts.money_in(text):
        return DocumentType.RECEIPT, "no title keyword, but a date and amounts (a till receipt)"
    if not text.strip():
        return DocumentType.NOT_INVOICE, "no text could be read from the document"
    return DocumentType.NOT_INVOICE, "no invoice keyword and no total found"


def _why(kind: DocumentType, score: int) -> str:
    return f"{kind.value.replace('_', ' ')} keywords (weight {score})"
