"""Sanity guards against the classic mistakes of a model reading an invoice.

Each guard looks at the typed values the model proposed, the offline document
and the original (unredacted) text, and rejects values that cannot be right:

- an amount that does not appear in the text in any usual formatting
  ("2,34" read as 234 fails here, because "234" is nowhere in the text);
- a total or net equal to the VAT rate ("19" when the text says 19 %);
- an identifier or IBAN that is not printed in the text, or a name most of
  whose words are not (a hallucination);
- a total smaller than the net or the tax, a due date before the invoice date.

Text checks are skipped when there is no text (an image-only document read
with vision), since there is nothing to check against.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from decimal import InvalidOperation

from extraction.llm.coerce import Rejection
from extraction.llm.schema import FIELDS
from extraction.llm.schema import Kind
from extraction.models import ExtractedDocument
from extraction.models import Value

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " "})
_PERCENT = re.compile(r"(?<![\d.,])(\d{1,2}(?:[.,]\d{1,2})?)\s*%")
_RATE_SENSITIVE = ("total_amount", "net_amount")


def check(
    values: dict[str, Value], doc: ExtractedDocument, text: str
) -> tuple[dict[str, Value], list[Rejection]]:
    """Return the values that pass every guard, and the rejected ones with reasons.

    Args:
        values: typed values proposed by the model.
        doc: the offline result (its fields and tax lines give context).
        text: the original document text, not redacted.

    Returns:
        The kept values and the rejections.
    """
    text = text.translate(_SPACES)
    kept = dict(values)
    rejections: list[Rejection] = []
    for key, reason in _text_problems(kept, doc, text):
        rejections.append(Rejection(key, str(kept.pop(key)), reason))
    for key, reason in _consistency_problems(kept, doc):
        if key in kept:
            rejections.append(Rejection(key, str(kept.pop(key)), reason))
    return kept, rejections


def _text_problems(
    values: dict[str, Value], doc: ExtractedDocument, text: str
) -> list[tuple[str, str]]:
    if not text.strip():
        return []
    rates = _rates(doc, text)
    problems = []
    for key, value in values.items():
        kind = FIELDS[key][0]
        if kind is Kind.AMOUNT and isinstance(value, Decimal):
            reason = amount_problem(key, value, text, rates)
        elif kind in (Kind.IDENTIFIER, Kind.IBAN) and isinstance(value, str):
            reason = None if _compact(value) in _compact(text) else "not printed in the text"
        elif kind is Kind.NAME and isinstance(value, str):
            reason = None if _name_in_text(value, text) else "most of the name is not in the text"
        else:
            reason = None
        if reason:
            problems.append((key, reason))
    return problems


def amount_problem(key: str, value: Decimal, text: str, rates: Iterable[Decimal]) -> str | None:
    """Return why ``value`` cannot be the amount ``key`` in ``text``, or None if plausible."""
    if key in _RATE_SENSITIVE and any(value == r for r in rates):
        # A rate-equal total is believable only written as money ("19.00"), never as "19".
        if _found(_renderings(value, money_only=True), text):
            return None
        return f"equals the VAT rate ({value} %)"
    if _found(_renderings(value, money_only=False), text):
        return None
    return "does not appear in the text in any formatting"


def _rates(doc: ExtractedDocument, text: str) -> set[Decimal]:
    rates = {t.rate for t in doc.tax_lines if t.rate is not None}
    for match in _PERCENT.finditer(text):
        try:
            rates.add(Decimal(match.group(1).replace(",", ".")))
        except InvalidOperation:  # pragma: no cover - the pattern only matches digits
            continue
    return rates


def _renderings(value: Decimal, *, money_only: bool) -> set[str]:
    """Every usual way to print ``value``: 1234.5 -> 1,234.50 / 1.234,50 / 1 234,5 / ..."""
    whole, frac = f"{abs(value):.2f}".split(".")
    fracs = [frac] if money_only else [frac, frac.rstrip("0")]
    out = {str(abs(value))} if not money_only else set()
    for group in ("", ",", ".", " ", "'"):
        grouped = _group(whole, group)
        for point in (".", ","):
            if point != group:
                out.update(grouped + (point + f if f else "") for f in fracs)
    return out


def _group(whole: str, sep: str) -> str:
    if not sep or len(whole) <= 3:
        return whole
    head = len(whole) % 3 or 3
    parts = [whole[:head]] + [whole[i : i + 3] for i in range(head, len(whole), 3)]
    return sep.join(parts)


def _found(renderings: set[str], text: str) -> bool:
    # Digits (or "1," / "1.") right before or after mean we matched inside a bigger number;
    # a following "%" means it is a rate, not an amount.
    alternatives = "|".join(re.escape(r) for r in sorted(renderings, key=len, reverse=True))
    pattern = rf"(?<!\d)(?<!\d[.,'])(?:{alternatives})(?!\d)(?![.,']\d)(?!\s*%)"
    return re.search(pattern, text) is not None


def _name_in_text(name: str, text: str) -> bool:
    # Models tidy names ("ACME SUPPLIES GMBH" -> "Acme Supplies GmbH"), so compare words,
    # case-insensitively, and accept when at least half of them are printed.
    words = [w for w in re.findall(r"\w+", name.casefold()) if len(w) > 1]
    present = set(re.findall(r"\w+", text.casefold()))
    return not words or 2 * sum(w in present for w in words) >= len(words)


def _compact(text: str) -> str:
    return "".join(c for c in text.upper() if c.isalnum())


def _consistency_problems(
    values: dict[str, Value], doc: ExtractedDocument
) -> list[tuple[str, str]]:
    def effective(key: str) -> Value | None:
        if key in values:
            return values[key]
        return doc.fields[key].value if key in doc.fields else None

    problems = []
    net, tax, total = (effective(k) for k in ("net_amount", "tax_amount", "total_amount"))
    if _smaller(total, net):
        problems += _blame(values, ("total_amount", "net_amount"), f"total {total} < net {net}")
    if _smaller(total, tax):
        problems += _blame(values, ("total_amount", "tax_amount"), f"total {total} < tax {tax}")
    issued, due = effective("invoice_date"), effective("due_date")
    if isinstance(issued, date) and isinstance(due, date) and due < issued:
        problems += _blame(values, ("due_date", "invoice_date"), "due date before invoice date")
    return problems


def _smaller(big: Value | None, small: Value | None) -> bool:
    if not isinstance(big, Decimal) or not isinstance(small, Decimal):
        return False
    same_sign = (big >= 0) == (small >= 0)
    return same_sign and abs(big) < abs(small)


def _blame(values: dict[str, Value], keys: tuple[str, ...], reason: str) -> list[tuple[str, str]]:
    # Only the model's values are rejected; an offline value stays and validation judges it.
    return [(k, reason) for k in keys if k in values]
