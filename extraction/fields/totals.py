"""Net, tax and total: the candidate set where net + tax = total wins; and the currency.

Labels alone are weak evidence for money ("Total" also heads a column, a VAT
line also prints its basis), so each label proposes every amount on its line
and the arithmetic picks: a triple that closes is corroborated by itself.
Receipts rarely print net and tax; there "cash - change = total" corroborates.
"""

from __future__ import annotations

import itertools
import re
from decimal import Decimal

from extraction.fields import amounts
from extraction.fields import context
from extraction.fields.candidates import Candidate
from extraction.fields.candidates import strength
from extraction.fields.candidates import to_field
from extraction.fields.context import Context
from extraction.models import FieldValue

_TOKEN = re.compile(r"[A-Za-z]{2,5}\$?\.?|[€$£₹¥]")


def money_candidates(ctx: Context, name: str) -> list[Candidate]:
    """Return every money amount placed after, right of or (failing that) below a label."""
    out: list[Candidate] = []
    for position, hit in ctx.hits_for(name):
        on_line = False
        for place in context.values_for(ctx, position, hit):
            if place.where == "below" and on_line:
                break
            found = amounts.money_in(place.text, spaced_thousands=place.where != "after")
            if not found:
                continue
            on_line = on_line or place.where != "below"
            factor = (
                strength(ctx, position, hit)
                * place.factor
                * context.ocr_factor(place.chunk, ctx.method)
            )
            label = hit.chunk.text[hit.start : hit.end]
            reason = f"label '{label}', amount {place.where} it"
            out.append(Candidate(found[-1].value, factor, reason, place))
    return out


def amount_fields(ctx: Context) -> dict[str, FieldValue]:
    """Return net_amount, tax_amount and total_amount where they can be supported."""
    net = money_candidates(ctx, "net_amount")
    tax = money_candidates(ctx, "tax_amount")
    total = money_candidates(ctx, "total_amount")
    triple = _closing_triple(net, tax, total)
    if triple is not None:
        return _from_triple(ctx, triple)
    out: dict[str, FieldValue] = {}
    chosen = _total(ctx, total)
    if chosen is not None:
        out["total_amount"] = chosen
    for key, cands in (("net_amount", net), ("tax_amount", tax)):
        if cands and (chosen is None or max(cands, key=_rank).value != chosen.value):
            top = max(cands, key=_rank)
            out[key] = to_field(top, 0.7 * top.score, ctx, "; arithmetic not confirmed")
    return out


def _rank(cand: Candidate) -> tuple[float, Decimal]:
    return cand.score, abs(Decimal(str(cand.value)))


def _closing_triple(
    net: list[Candidate], tax: list[Candidate], total: list[Candidate]
) -> tuple[Candidate, Candidate, Candidate] | None:
    best: tuple[float, tuple[Candidate, Candidate, Candidate]] | None = None
    for n, t, g in itertools.product(net, tax, total):
        if n.value == g.value and t.value != 0:
            continue
        if Decimal(str(n.value)) + Decimal(str(t.value)) != Decimal(str(g.value)) or g.value == 0:
            continue
        score = n.score + t.score + g.score + (0.5 if t.value != 0 else 0.0)
        if best is None or score > best[0]:
            best = (score, (n, t, g))
    return best[1] if best else None


def _from_triple(
    ctx: Context, triple: tuple[Candidate, Candidate, Candidate]
) -> dict[str, FieldValue]:
    n, t, g = triple
    closes = t.value != 0
    base = 0.97 if closes else 0.88
    why = "; net + tax = total" if closes else "; net = total with zero tax"
    return {
        key: to_field(
            c,
            base * min(1.0, c.score + 0.4) * context.ocr_factor(c.place.chunk, ctx.method),
            ctx,
            why,
        )
        for key, c in (("net_amount", n), ("tax_amount", t), ("total_amount", g))
    }


def _total(ctx: Context, cands: list[Candidate]) -> FieldValue | None:
    if not cands:
        return None
    top = max(cands, key=_rank)
    agree = sum(1 for c in cands if c.value == top.value)
    if _paid_minus_change(ctx, top):
        return to_field(
            top,
            0.95 * context.ocr_factor(top.place.chunk, ctx.method),
            ctx,
            "; paid - change = total",
        )
    if agree >= 2 and top.score >= 0.99:
        return to_field(top, 0.95, ctx, f"; printed {agree} times")
    rivals = {c.value for c in cands if c.score >= top.score - 0.05}
    confidence = 0.85 * top.score if len(rivals) == 1 else 0.6 * top.score
    return to_field(top, confidence, ctx)


def _paid_minus_change(ctx: Context, total: Candidate) -> bool:
    paid = {c.value for c in money_candidates(ctx, "tendered")}
    change = {c.value for c in money_candidates(ctx, "change")}
    value = Decimal(str(total.value))
    return any(Decimal(str(p)) - Decimal(str(c)) == value for p in paid for c in change)


def currency(ctx: Context) -> FieldValue | None:
    """Return the document currency from ISO codes and symbols next to amounts."""
    weights: dict[str, float] = {}
    certainty: dict[str, float] = {}
    first: dict[str, tuple[context.Place, str]] = {}
    for position, line in enumerate(ctx.lines):
        labelled = any(h.field == "currency" for h in ctx.hits[position])
        for chunk in line.chunks:
            for code, sure, why in _markers(chunk.text, labelled=labelled):
                weights[code] = weights.get(code, 0.0) + sure
                certainty[code] = max(certainty.get(code, 0.0), sure)
                first.setdefault(
                    code, (context.Place(chunk.text, chunk, line, "on line", 1.0), why)
                )
    if not weights:
        return None
    code = max(weights, key=lambda c: weights[c])
    others = sum(w for c, w in weights.items() if c != code)
    conf = certainty[code] if others < 0.3 * weights[code] else 0.6
    place, why = first[code]
    return to_field(
        Candidate(code, conf, why, place), conf * context.ocr_factor(place.chunk, ctx.method), ctx
    )


def _markers(text: str, *, labelled: bool) -> list[tuple[str, float, str]]:
    out: list[tuple[str, float, str]] = []
    has_money = bool(amounts.money_in(text))
    for match in _TOKEN.finditer(text):
        found = amounts.currency_code(match.group(0))
        if found is None:
            continue
        code, sure = found
        is_iso = match.group(0).upper() == code
        if labelled:
            out.append((code, 0.98, f"currency label with '{match.group(0)}'"))
        elif has_money or (is_iso and sure >= 0.95) or match.group(0) in "€£₹":
            out.append((code, sure, f"'{match.group(0)}' next to amounts"))
    return out
