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
from functools import cache

from extraction.fields import amounts
from extraction.fields import context
from extraction.fields import ids
from extraction.fields import labels
from extraction.fields.candidates import Candidate
from extraction.fields.candidates import strength
from extraction.fields.candidates import to_field
from extraction.fields.context import Context
from extraction.models import FieldValue
from extraction.models import Method
from extraction.text.layout import Line

#: Money label fields, by how specific a label of that field is.
_MONEY_FIELDS = {"net_amount": 2, "tax_amount": 1, "total_amount": 0}
_TOKEN = re.compile(r"[A-Za-z]{2,5}\$?\.?|[€$£₹¥]")
#: An unlabelled tax found as the gap between net and total: a weak candidate, and the
#: triple it closes is not sure enough to pass unseen (a print can match by chance).
GAP_SCORE = 0.5
GAP_CONFIDENCE = 0.9
#: A space OCR put inside a number: before one or two digits and the decimals, it cannot
#: be a thousands mark.
_SPLIT_DIGITS = re.compile(r"(?<=\d) (?=\d{1,2}[.,]\d\d(?!\d))")
#: A chunk this short before a row's label is a speck of the margin, not the row's start.
MAX_SPECK = 2
#: The joined reading's score, like an unlabelled gap's: never sure enough to pass unseen.
SPLIT_SCORE = 0.5


def money_candidates(ctx: Context, name: str) -> list[Candidate]:
    """Return every money amount placed after, right of or (failing that) below a label.

    A strong label with nothing on its line is a column header: every amount
    down its column is a candidate (per-rate rows and the sum row alike).
    """
    out: list[Candidate] = []
    for position, hit in ctx.hits_for(name):
        if _qualifier(ctx, position, hit):
            continue
        on_line = [p for p in context.values_for(ctx, position, hit) if p.where != "below"]
        found = _money_places(ctx, position, hit, on_line)
        if not found:
            found = _money_places(ctx, position, hit, _under(ctx, position, hit))
        out += found
    return out


def _qualifier(ctx: Context, position: int, hit: labels.Hit) -> bool:
    # One label names a cell's amount: not one after "inkl."/"ohne" (that qualifies), then
    # the strongest, then the more specific (net, tax, over a generic sum), then the first.
    # So "Rechnungssumme Netto (excl. USt.)" is a net and "Summe inkl. USt" a total.
    def rank(h: labels.Hit) -> tuple[bool, float, int, int]:
        return not _qualified(h), h.strength, _MONEY_FIELDS.get(h.field, -1), -h.start

    return any(
        other.chunk is hit.chunk and other.field in _MONEY_FIELDS and rank(other) > rank(hit)
        for other in ctx.hits[position]
    )


def _qualified(hit: labels.Hit) -> bool:
    before = labels.fold(hit.chunk.text[: hit.start]).replace("(", " ").split()
    return bool(before) and before[-1].rstrip(".:") in _qualifier_words()


@cache
def _qualifier_words() -> frozenset[str]:
    return frozenset(labels.fold(w) for w in labels.data()["qualifiers"]["all"])


def _under(ctx: Context, position: int, hit: labels.Hit) -> list[context.Place]:
    if hit.strength >= labels.STRONG and not hit.rest:
        return list(context.column_below(ctx, position, hit.chunk))
    return [p for p in context.values_for(ctx, position, hit) if p.where == "below"]


def _money_places(
    ctx: Context, position: int, hit: labels.Hit, places: list[context.Place]
) -> list[Candidate]:
    out: list[Candidate] = []
    for place in places:
        if _vat_id_first(place.text):
            break  # "TVA : FR11999999998 ...": the label names the VAT ID, not an amount
        found = _money(place, strong=hit.strength >= labels.STRONG)
        if not found:
            continue
        factor = (
            strength(ctx, position, hit) * place.factor * context.place_factor(place, ctx.method)
        )
        label = hit.chunk.text[hit.start : hit.end]
        reason = f"label '{label}', amount {place.where} it"
        out.append(Candidate(found[-1].value, factor, reason, place))
        out += _split_reading(ctx, place, min(factor, SPLIT_SCORE), reason)
    return out


def _split_reading(
    ctx: Context, place: context.Place, score: float, reason: str
) -> list[Candidate]:
    # OCR splits a number at a gap in the print ("-21 8,48 €" for -218,48): the joined
    # reading is a weak candidate that only the arithmetic of a closing triple can pick.
    if context.method_of(place.chunk, ctx.method) is not Method.OCR:
        return []
    joined = _SPLIT_DIGITS.sub("", place.text)
    found = amounts.money_in(joined) if joined != place.text else []
    why = f"{reason}; digits OCR split read as one number"
    return [Candidate(found[-1].value, score, why, place)] if found else []


def _vat_id_first(text: str) -> bool:
    found = ids.vat_ids(text[:24])
    return bool(found) and found[0].start <= 2


def _money(place: context.Place, *, strong: bool) -> list[amounts.Amount]:
    found = amounts.money_in(place.text, spaced_thousands=place.where != "after")
    if found or not strong or place.where == "after":
        return found
    # A value cell right of or under a strong label may drop trailing zeros ("21,3", "70").
    alone = amounts.amounts_in(place.text.strip(), spaced_thousands=True)
    if (
        len(alone) == 1
        and alone[0].decimals < 2
        and alone[0].end - alone[0].start >= len(place.text.strip()) - 1
    ):
        return alone
    return []


def amount_fields(ctx: Context) -> dict[str, FieldValue]:
    """Return net_amount, tax_amount and total_amount where they can be supported."""
    net = money_candidates(ctx, "net_amount")
    tax = money_candidates(ctx, "tax_amount")
    total = money_candidates(ctx, "total_amount")
    triple = _closing_triple(net, tax, total)
    if triple is not None:
        return _from_triple(ctx, triple)
    triple = _closing_triple(net, _printed_gaps(ctx, net, total), total)
    if triple is not None:
        return _from_triple(ctx, triple, base=GAP_CONFIDENCE)
    summed = _breakdown_sum(net, tax, total)
    if summed is not None:
        return _from_breakdown(ctx, *summed)
    out: dict[str, FieldValue] = {}
    chosen = _total(ctx, total)
    if chosen is not None:
        out["total_amount"] = chosen
    for key, cands in (("net_amount", net), ("tax_amount", tax)):
        if cands and (chosen is None or max(cands, key=_rank).value != chosen.value):
            top = max(cands, key=_rank)
            out[key] = to_field(top, 0.7 * top.score, ctx, "; arithmetic not confirmed")
    return out


def _printed_gaps(ctx: Context, net: list[Candidate], total: list[Candidate]) -> list[Candidate]:
    """Return amounts printed below a net amount that equal total - net: the tax, unlabelled.

    OCR garbles labels ("Total taxee 46,25"); an amount printed in the totals block
    that is exactly the gap between a labelled net and total is its tax.
    """
    out: list[Candidate] = []
    for n, g in itertools.product(net, total):
        gap = Decimal(str(g.value)) - Decimal(str(n.value))
        if gap == 0 or gap == Decimal(str(n.value)) or (gap > 0) != (Decimal(str(g.value)) > 0):
            continue
        # A credit note's tax may be printed without the minus its net and total carry.
        printed = {gap, abs(gap)}
        out += [
            Candidate(gap, GAP_SCORE, "an amount below the net that is total - net", place)
            for place in _printed_below(ctx, n.place.line, printed)
            if place.line is not g.place.line
        ]
    return out


def _printed_below(ctx: Context, start: Line, values: set[Decimal]) -> list[context.Place]:
    lines = itertools.dropwhile(lambda line: line is not start, ctx.lines)
    return [
        context.Place(chunk.text, chunk, line, "on line", 1.0)
        for line in itertools.islice(lines, 1, None)
        if line.page == start.page
        for chunk in line.chunks
        if values.intersection(a.value for a in amounts.money_in(chunk.text))
    ]


def _rank(cand: Candidate) -> tuple[float, Decimal]:
    return cand.score, abs(Decimal(str(cand.value)))


def _closing_triple(
    net: list[Candidate], tax: list[Candidate], total: list[Candidate]
) -> tuple[Candidate, Candidate, Candidate] | None:
    best: tuple[tuple[float, Decimal], tuple[Candidate, Candidate, Candidate]] | None = None
    for n, raw, g in itertools.product(net, tax, total):
        t = _sign_aligned(n, raw, g)
        if n.value == g.value and t.value != 0:
            continue
        if Decimal(str(n.value)) + Decimal(str(t.value)) != Decimal(str(g.value)) or g.value == 0:
            continue
        # Per-rate rows close too; the sum row is the largest of equally placed triples.
        score = (
            round(n.score + t.score + g.score + (0.5 if t.value != 0 else 0.0), 2),
            abs(Decimal(str(g.value))),
        )
        if best is None or score > best[0]:
            best = (score, (n, t, g))
    return best[1] if best else None


def _breakdown_sum(
    net: list[Candidate], tax: list[Candidate], total: list[Candidate]
) -> tuple[Candidate, list[Candidate], Candidate] | None:
    """Return (net, tax rows, total) when the VAT rows add up to total - net.

    A breakdown table prints one tax amount per rate and sometimes no tax
    total at all; the rows summing to the gap between net and total is the
    same corroboration as a printed tax total that closes.
    """
    rows = _one_per_line([c for c in tax if _row_header(c)])
    if len(rows) < 2:
        return None
    row_sum = sum((Decimal(str(c.value)) for c in rows), Decimal(0))
    pairs = [
        (n, g)
        for n, g in itertools.product(net, total)
        if Decimal(str(g.value)) - Decimal(str(n.value)) == row_sum and row_sum != 0
    ]
    if not pairs:
        return None
    n, g = max(pairs, key=lambda p: p[0].score + p[1].score)
    return n, rows, g


def _row_header(cand: Candidate) -> bool:
    # A VAT row is headed by its label ("Umsatzsteuer (S)  198,00  19  37,62"); a label
    # further right ("19% UST(S)") only names the category of a charge or allowance.
    # Specks in the margin before it ("3", a scan's sideways copyright line) head nothing.
    first = next((c for c in cand.place.line.chunks if len(c.text) > MAX_SPECK), None)
    return first is not None and any(h.field == "tax_amount" for h in labels.hits_in(first))


def _one_per_line(cands: list[Candidate]) -> list[Candidate]:
    # One tax amount per printed row: the same row may be reached by several labels.
    # A rate row prints rate, basis, then tax: the rightmost amount is the tax.
    seen: dict[tuple[int, int], Candidate] = {}
    for cand in cands:
        key = (cand.place.line.page, cand.place.line.index)
        if key not in seen or cand.place.chunk.x0 > seen[key].place.chunk.x0:
            seen[key] = cand
    return list(seen.values())


def _from_breakdown(
    ctx: Context, n: Candidate, rows: list[Candidate], g: Candidate
) -> dict[str, FieldValue]:
    tax_value = sum((Decimal(str(c.value)) for c in rows), Decimal(0))
    why = f"; {len(rows)} VAT rows sum to total - net"
    tax = Candidate(
        tax_value, min(c.score for c in rows), "sum of the VAT breakdown rows", rows[-1].place
    )
    return {
        key: to_field(
            c,
            0.95 * min(1.0, c.score + 0.4) * context.place_factor(c.place, ctx.method),
            ctx,
            why,
        )
        for key, c in (("net_amount", n), ("tax_amount", tax), ("total_amount", g))
    }


def _sign_aligned(n: Candidate, t: Candidate, g: Candidate) -> Candidate:
    """Return the tax with the sign of net and total when only its sign was left off.

    Credit notes sometimes print "-218,48 / 14,99 / -233,47": the magnitudes
    close, the tax line just lacks its minus sign.
    """
    net, tax, total = (Decimal(str(c.value)) for c in (n, t, g))
    if net - tax != total or tax == 0 or (net < 0) != (total < 0) or (tax < 0) == (net < 0):
        return t
    return Candidate(-tax, t.score * 0.9, t.reason + "; sign taken from net and total", t.place)


def _from_triple(
    ctx: Context, triple: tuple[Candidate, Candidate, Candidate], base: float = 0.97
) -> dict[str, FieldValue]:
    n, t, g = triple
    closes = t.value != 0
    base = base if closes else min(base, 0.88)
    why = "; net + tax = total" if closes else "; net = total with zero tax"
    if Decimal(str(g.value)) < 0:
        # Credit notes print minus signs by habit, not by rule: the magnitude is sure,
        # the sign is not (an e-invoice of type 381 states the same note as positive).
        base, why = 0.78, why + "; negative amounts (sign convention of a credit note)"
    return {
        key: to_field(
            c,
            base * min(1.0, c.score + 0.4) * context.place_factor(c.place, ctx.method),
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
            0.95 * context.place_factor(top.place, ctx.method),
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
        Candidate(code, conf, why, place), conf * context.place_factor(place, ctx.method), ctx
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
