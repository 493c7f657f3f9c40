"""Candidates: a proposed value, its score and reason; the shared picking helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from extraction.fields import amounts
from extraction.fields import context
from extraction.fields import labels
from extraction.fields.context import Context
from extraction.models import DocumentType
from extraction.models import FieldValue
from extraction.models import Value


@dataclass(frozen=True)
class Candidate:
    """A proposed value with its score (0..1) and the reason it was proposed."""

    value: Value
    score: float
    reason: str
    place: context.Place


def labelled(ctx: Context, name: str, parse: Callable[[str], Value | None]) -> list[Candidate]:
    """Return a candidate for each label of ``name`` whose value place parses."""
    out: list[Candidate] = []
    for position, hit in ctx.hits_for(name):
        for place in context.values_for(ctx, position, hit):
            value = parse(place.text)
            if value is None:
                continue
            score = (
                strength(ctx, position, hit)
                * place.factor
                * context.place_factor(place, ctx.method)
            )
            reason = f"label '{hit.chunk.text[hit.start : hit.end]}', value {place.where} it"
            out.append(Candidate(value, score, reason, place))
            break
    return out


def strength(ctx: Context, position: int, hit: labels.Hit) -> float:
    """Return a label's strength; a weak label on the document's title line counts more.

    "Nr." or "vom" alone say little, but in "Rechnung Nr. 4711 vom 05.03.2018"
    the title word makes them as good as "Rechnungsnummer".
    """
    if hit.strength >= labels.STRONG or not classify_title(ctx.lines[position].text):
        return hit.strength
    return 0.9


def classify_title(text: str) -> bool:
    """Return True when ``text`` holds an invoice/credit-note/receipt title word."""
    from extraction import classify

    folded = labels.fold(text)
    kinds = (DocumentType.INVOICE, DocumentType.CREDIT_NOTE, DocumentType.RECEIPT)
    return any(classify.keywords()[k].search(folded) for k in kinds)


def best(cands: list[Candidate]) -> tuple[Candidate, int, bool] | None:
    """Return the best candidate, how many candidates agree with it, and whether a rival ties."""
    if not cands:
        return None
    top = max(cands, key=lambda c: c.score)
    agree = sum(1 for c in cands if c.value == top.value)
    rival = any(c.value != top.value and c.score >= top.score - 0.05 for c in cands)
    return top, agree, rival


def to_field(cand: Candidate, confidence: float, ctx: Context, extra: str = "") -> FieldValue:
    """Turn a candidate into a FieldValue with provenance."""
    return FieldValue(
        value=cand.value,
        confidence=round(min(confidence, 0.99), 3),
        method=context.method_of(cand.place.chunk, ctx.method),
        reason=cand.reason + extra,
        page=cand.place.line.page,
        bbox=context.bbox(cand.place.chunk),
    )


def money(text: str) -> Decimal | None:
    """Return the first money amount at the start of a label's value."""
    found = amounts.money_in(text[:40], spaced_thousands=True)
    return found[0].value if found else None
