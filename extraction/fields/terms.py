"""Due dates computed from payment terms: "zahlbar innerhalb 30 Tagen", "net 30", "30 jours".

A direct-debit invoice states no due date but the day the amount will be collected
("wird am 20.03.2014 ... per SEPA-Lastschrift eingezogen"): that day is when it is paid.

A computed due date is weaker evidence than a printed one (the terms may
count from delivery, or from the end of the month), so it is only proposed
when no date is printed next to a due-date label, and at lower confidence.
When both exist and agree, the agreement corroborates the printed date.
"""

from __future__ import annotations

import re
from datetime import date
from datetime import timedelta
from functools import cache

from extraction.fields import context
from extraction.fields import dates
from extraction.fields import labels
from extraction.fields.context import Context
from extraction.models import FieldValue
from extraction.text.layout import Chunk
from extraction.text.layout import Line

#: Confidence of a due date computed from the terms alone.
COMPUTED_CONFIDENCE = 0.6
#: Longest payment term we believe (beyond it the number is something else).
MAX_DAYS = 180
#: Confidence of a due date read from a direct-debit sentence (no label, but one meaning).
DEBIT_CONFIDENCE = 0.8


@cache
def _pattern() -> re.Pattern[str]:
    table = labels.data()["payment_days"]
    before = "|".join(
        re.escape(labels.fold(w)) for w in sorted(table["before"], key=len, reverse=True)
    )
    units = "|".join(
        re.escape(labels.fold(w)) for w in sorted(table["units"], key=len, reverse=True)
    )
    return re.compile(
        rf"(?<![a-z])(?:(?:{before})\s*(?P<a>\d{{1,3}})\s*(?:{units})"
        rf"|net\s*(?P<b>\d{{1,3}})|(?P<c>\d{{1,3}})\s*(?:{units})\s*net)(?![a-z0-9])"
    )


@cache
def _not_due() -> tuple[str, ...]:
    return tuple(labels.fold(w) for w in labels.data()["payment_days"]["not_due"])


def term_days(text: str) -> int | None:
    """Return the payment term in days stated in ``text``, or None.

    Discount ("2% Skonto innerhalb 10 Tagen") and penalty terms are not due terms.
    """
    folded = labels.fold(text)
    match = _pattern().search(folded)
    if match is None:
        return None
    if any(word in _clause(folded, match.start(), match.end()) for word in _not_due()):
        return None
    days = int(match.group("a") or match.group("b") or match.group("c"))
    return days if 0 < days <= MAX_DAYS else None


def _clause(text: str, start: int, end: int) -> str:
    # The comma/semicolon/sentence clause holding the match: "netto bis ..., 3% Skonto ..."
    # is two clauses, and only the second one is about a discount.
    left = max(text.rfind(sep, 0, start) for sep in (", ", "; ", ". "))
    rights = [i for i in (text.find(sep, end) for sep in (", ", "; ", ". ")) if i >= 0]
    return text[left + 1 : min(rights, default=len(text))]


def due_from_terms(ctx: Context, issued: date) -> FieldValue | None:
    """Return the invoice date plus the stated payment term, at lower confidence."""
    for line in ctx.lines:
        days = term_days(line.text)
        if days is None:
            continue
        why = f"invoice date + {days} days of payment terms"
        return _due(
            ctx, issued + timedelta(days=days), COMPUTED_CONFIDENCE, why, line, line.chunks[0]
        )
    return None


def _due(
    ctx: Context, value: date, confidence: float, why: str, line: Line, chunk: Chunk
) -> FieldValue:
    return FieldValue(
        value=value,
        confidence=confidence * context.ocr_factor(chunk, ctx.method),
        method=context.method_of(chunk, ctx.method),
        reason=why,
        page=line.page,
        bbox=context.bbox(chunk),
    )


@cache
def _debit_pattern() -> re.Pattern[str]:
    words = sorted((labels.fold(w) for w in labels.data()["direct_debit"]["words"]), key=len)
    return re.compile("|".join(re.escape(w) for w in reversed(words)))


def due_from_debit(ctx: Context) -> FieldValue | None:
    """Return the collection date of a direct-debit sentence, which may span two lines."""
    for position, line in enumerate(ctx.lines):
        if not _debit_pattern().search(labels.fold(line.text)):
            continue
        previous = ctx.lines[position - 1 : position] if position else []
        for candidate in [line, *(p for p in previous if p.page == line.page)]:
            for chunk in candidate.chunks:
                found = dates.find_dates(chunk.text, day_first=ctx.day_first)
                if found:
                    why = "date the amount is collected by direct debit"
                    return _due(ctx, found[0].value, DEBIT_CONFIDENCE, why, candidate, chunk)
    return None
