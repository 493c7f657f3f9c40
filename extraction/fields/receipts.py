"""Till receipts: the total, the date and the shop name, read the way a cashier prints them.

A receipt is one narrow column: the shop's name on top, then its address and
registration numbers, a date with a time, the items, a block of totals and the
payment. Labels are noisy under OCR ("ToiaI", "RM53. 60"), so the rules lean
on the receipt's own arithmetic rather than on exact labels:

- total: the amount on a total line (labels data: TOTAL, GRAND TOTAL, NETT,
  JUMLAH ...; a one-letter OCR slip in "total" is tolerated), corroborated by
  cash - change, by subtotal + tax (+ rounding), by an earlier total +
  rounding, by two other totals that add up to it (the parts per tax rate),
  by being printed again, or by being the largest amount; only
  arithmetic that closes gives >= 0.95. When the total line is garbled, those
  sums stand in for it; when one of them lands one digit away from the printed
  total ("64.50" against 51.42 + 3.08), the print was misread and the sum wins,
  below 0.8. Before and after cash rounding, the bill's last line worded "total"
  decides (a tax summary's "TOTAL" row, net, tax and total, is no such line);
- date: every date on the page, preferring one with a time or a date label,
  high on the page; printed twice and unambiguous is the only sure case;
- shop name: see :mod:`extraction.fields.shop_names`.

Only documents that look like receipts are touched (a till-roll page, or
payment lines such as cash / change), and a receipt value replaces the general
heuristics' value only when it is better supported.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from dataclasses import replace
from datetime import date
from decimal import Decimal

from extraction.fields import dates
from extraction.fields import labels
from extraction.fields import lines
from extraction.fields import shop_names
from extraction.fields.context import Context
from extraction.fields.context import chunk_field
from extraction.models import FieldValue
from extraction.models import Method
from extraction.text.layout import Chunk
from extraction.text.layout import Line

#: Money as a till prints it, OCR slips included: "12.50", "RM53. 60", "1,234.50", "13,78",
#: "0.02-" (negative),
#: and "RM" misread as two or three letters ending in M ("FM3.00", "PFM7.00", "[M3.00") or
#: starting with R ("RH0.02", "RY41.45").
_MONEY = re.compile(
    r"(?<![\w.,/-])(?P<sign>-\s?)?(?:RM|R[A-Z]{1,2}(?=[\dOo])|[A-Z\[|(]{1,2}M(?=\d)|\$|S\$)?\s?"
    r"(?P<int>[\dOo]{1,3}(?:,[\dOo]{3})+|[\dOo]{1,6})(?:[.,] ?|\. )(?P<dec>[\dOo]{2})"
    r"(?P<trail>-(?!\d))?(?![\w.,/%]|\s?\d)"
)
#: Cents printed without the zero before the point (".01", ".00"), as some tills do for
#: amounts below one ringgit: a word of its own, after a label (see _cents_only).
_CENTS_ONLY = re.compile(r"(?<!\S)\.(\d\d)(?!\S)")
#: A whole number ending a line, for a total whose decimal point OCR dropped or read as a
#: space ("1000", "6 00").
_BARE_NUMBER = re.compile(r"(?<![\d.,])(\d{1,4}) ?(\d\d)\s*$")
_TIME = re.compile(r"(?<!\d)[0-2]?\d[:.][0-5]\d(?::[0-5]\d)?(?!\d)")
#: A date printed without separators in front of a clock time: "25032018 13:11", or the
#: time as compact after a slash, "20180428/191204" (the time is what makes eight digits
#: a date rather than a number).
_COMPACT_DATE = re.compile(
    r"(?<![\d.,])(?:(?P<d>[0-3]\d)(?P<m>[01]\d)(?P<y>20\d\d)|(?P<Y>20\d\d)(?P<M>[01]\d)(?P<D>[0-3]\d))"
    r"(?=\s+[0-2]?\d:[0-5]\d|/[0-2]\d[0-5]\d[0-5]\d(?!\d))"
)
_LOST_SEPARATOR = re.compile(r"(?<![\d/.-])([0-3]\d)([01]\d)([/.-])(20\d\d)(?!\d)")
_DATE_SLIPS = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1"})
# "Net Tota! 25. 2": a line ending in a digit printed its own amount, OCR just broke it.
_GARBLED_AMOUNT = re.compile(r"\d\s*$")
#: Words saying that the tax is inside an amount (not the "qualifiers" data: that also holds
#: "excl", and a garbled "Total (Excluding GST)" is the net).
_INCLUSIVE = re.compile(r"(?i)\b(?:incl|inkl|with\b|ttc\b)")
_TAX_WORDS = frozenset({"tax_amount"})
_TILDE_MINUS = re.compile(r"~\s?\d")
#: A line wholly in brackets: a note, not a line of the bill.
_REMARK = re.compile(r"^\W*\(.*\)\W*$")
#: Roles of a receipt line, by label field (labels data), strongest first.
_ROLES = ("change", "tendered", "not_total", "total", "rounding", "net_amount", "tax_amount")
#: The receipt-only net label (labels data) plays the general net label's role.
_NET_ALIAS = {"receipt_net": "net_amount"}
_TOTAL_LABELS = frozenset({"total_amount", "receipt_total"})
_NOT_TOTAL = frozenset({"net_amount", "receipt_net", "tax_amount", "not_total"})
#: How much a line's label says "this is the total", by role (derived: computed, not printed).
_LABEL_SCORES = {"net_amount": 0.3, "tendered": 0.35, "derived": 0.4}
#: A page at least this many times taller than wide is a till roll.
TILL_ROLL_RATIO = 1.6
#: A "total" row with this many amounts is a tax summary's (net, tax, total), below the bill:
#: it closes the sums but is not the line the receipt calls its total.
SUMMARY_COLUMNS = 3
#: A tax summary's heading: what follows it totals the tax, not the bill.
_SUMMARY_HEADING = re.compile(r"\b(?:gst|tax|vat|sst)\s*summary\b", re.IGNORECASE)
#: Support of a total that is the sum of two other printed totals (see _sums_of_parts).
PARTS = "parts add up"
_ARITHMETIC = frozenset({"cash - change", "subtotal + tax", "total + rounding", PARTS})
ONE_DIGIT = "printed total one digit apart"
#: Cash rounding moves a total by less than this; a bigger "rounding" is a misread line.
MAX_ROUNDING = Decimal("0.50")
#: What one closing sum adds to a total's score (see _total_score).
ARITHMETIC_WEIGHT = 0.5
#: How sure a total can be when the receipt prints one before and one after cash rounding.
ROUNDING_CONFIDENCE = 0.9


#: A proposed total: value, the line it came from, its label score, the sum it was computed from.
Proposal = tuple[Decimal, "Row", float, str]


@dataclass(frozen=True)
class Row:
    """One line of the receipt: its role, its money amounts and where it sits."""

    position: int
    role: str | None
    amounts: tuple[Decimal, ...]
    line: Line


@dataclass(frozen=True)
class TotalCandidate:
    """A total proposed by one line, and what agrees with it."""

    value: Decimal
    row: Row
    label_score: float
    support: frozenset[str]
    #: The sum this total was computed from ("cash - change"), empty when printed.
    own: str = ""


def receipt_fields(ctx: Context, fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """Return receipt values that should replace or add to ``fields``.

    Args:
        ctx: the document's reading context.
        fields: what the general heuristics found (not changed).

    Returns:
        ``total_amount``, ``invoice_date`` and ``vendor_name`` where the
        receipt rules are better supported than the general value.
    """
    if not looks_like_receipt(ctx):
        return {}
    rows = receipt_rows(ctx)
    found = {
        "total_amount": receipt_total(ctx, rows),
        "invoice_date": receipt_date(ctx),
        "vendor_name": shop_names.receipt_vendor(ctx),
    }
    out = {
        key: value
        for key, value in found.items()
        if value is not None and _better(value, fields.get(key))
    }
    general = fields.get("total_amount")
    if "total_amount" not in out and general is not None and _two_totals(rows):
        out["total_amount"] = _rounding_doubt(general)
    return out


def _rounding_doubt(total: FieldValue) -> FieldValue:
    # The general rules do not see cash rounding: which of the two totals the books
    # want is a choice, as in _total_field.
    if total.confidence <= ROUNDING_CONFIDENCE:
        return total
    why = total.reason + "; printed before and after cash rounding"
    return replace(total, confidence=ROUNDING_CONFIDENCE, reason=why)


def looks_like_receipt(ctx: Context) -> bool:
    """Return True for a till roll (a page much taller than wide) or a scan with cash / change.

    A scanned A4 invoice is neither, so its header is not mistaken for a shop's. A
    payment line ("Credit card") is printed on born-digital invoices too, so it
    counts only on scanned pages, where till receipts come from.
    """
    if any(page.height >= TILL_ROLL_RATIO * page.width for page in ctx.pages):
        return True
    scanned = any(page.method == Method.OCR for page in ctx.pages)
    payment = ("tendered", "change") if scanned else ("change",)
    return any(hit.field in payment for line_hits in ctx.hits for hit in line_hits)


def _better(found: FieldValue, current: FieldValue | None) -> bool:
    if current is None or current.value == found.value:
        return True
    # The receipt rule knows the layout; it yields only to a clearly surer value.
    return found.confidence + 0.15 >= current.confidence


# --- money ---------------------------------------------------------------------------------


def ocr_money(text: str) -> list[Decimal]:
    """Return the money amounts in OCR'd text, in the order printed, tolerating its slips.

    "RM53. 60" is 53.60, "13,78" is 13.78, "1O.5O" is 10.50, ".01" is 0.01; a number needs
    two decimals to count as money, because item codes and quantities have none.
    """
    found = [*_amounts(text), *_cents_only(text)]
    return [value for _, value in sorted(found, key=lambda item: item[0])]


def _amounts(text: str) -> list[tuple[int, Decimal]]:
    out: list[tuple[int, Decimal]] = []
    for match in _MONEY.finditer(text):
        whole = match.group("int").replace(",", "")
        if not any(c.isdigit() for c in whole + match.group("dec")):
            continue
        digits = f"{whole}.{match.group('dec')}".translate(_DATE_SLIPS)
        value = Decimal(digits)
        # Tills print a deduction either way round: "-0.02" or "0.02-".
        signed = -value if match.group("sign") or match.group("trail") else value
        out.append((match.start(), signed))
    return out


def _cents_only(text: str) -> list[tuple[int, Decimal]]:
    # "ROUNDING ADJUSTMENT RM .01": cents alone. After a number ("1 .50"), OCR split one
    # amount in two, and its cents alone would be a wrong amount.
    return [
        (match.start(), Decimal(f"0.{match.group(1)}"))
        for match in _CENTS_ONLY.finditer(text)
        if not text[: match.start()].rstrip()[-1:].isdigit()
    ]


def receipt_rows(ctx: Context) -> list[Row]:
    """Return every line with its role (total, tendered, change ...) and its amounts."""
    rows = []
    for position, line in enumerate(ctx.lines):
        role = _role(ctx, position)
        amounts = ocr_money(line.text)
        if role == "rounding":
            amounts = [_signed(a, line.text) for a in amounts if abs(a) <= MAX_ROUNDING]
        elif role == "change":
            # "CHANGE RETURNED 20.00-": some tills print the change as money going out.
            amounts = [abs(a) for a in amounts]
        rows.append(Row(position, role, tuple(amounts), line))
    return _tendered_above_change(rows)


def _signed(amount: Decimal, text: str) -> Decimal:
    # "Rounding (RM): ~0.02": a thin minus sign reads as a tilde; a rounding may be either way.
    return -amount if amount > 0 and _TILDE_MINUS.search(text) else amount


def _tendered_above_change(rows: list[Row]) -> list[Row]:
    # Change follows the cash given: when OCR garbled that label ("sash 100.20"), the lone
    # amount right above the change line is still what was tendered.
    if any(r.role == "tendered" for r in rows):
        return rows
    for index, row in enumerate(rows[1:], start=1):
        above = rows[index - 1]
        lone = above.role is None and len(above.amounts) == 1
        if row.role == "change" and row.amounts and lone and above.amounts[0] > row.amounts[-1]:
            rows[index - 1] = Row(above.position, "tendered", above.amounts, above.line)
    return rows


def _role(ctx: Context, position: int) -> str | None:
    if _table_header(ctx.lines[position]):
        return None  # "Qty Price Amount" heads the items: the amount below is an item's
    hits = ctx.hits[position]
    fields = {_NET_ALIAS.get(h.field, h.field) for h in hits if h.field not in _TOTAL_LABELS}
    labelled = any(h.field in _TOTAL_LABELS and not _inside_other(h, hits) for h in hits)
    text = ctx.lines[position].text
    # "otal Sales Inclusive GST": a tax word after a garbled total label is still its part.
    inclusive = fields <= _TAX_WORDS and _INCLUSIVE.search(text) is not None
    if labelled or ((not fields or inclusive) and _fuzzy_total(text)):
        # "(Total Included GST @ 4%: 1.42)": a bracketed note states the tax, not the total.
        fields.add("not_total" if _REMARK.match(text) else "total")
    if "change" in fields and "tendered" in fields:
        fields.discard("tendered")  # "Cash change 3.80" is the change
    return next((role for role in _ROLES if role in fields), None)


def _table_header(line: Line) -> bool:
    named = lines.column_kinds(line) & {"description", "quantity", "unit_price", "amount"}
    return len(named) >= 2 and not ocr_money(line.text)


def _inside_other(hit: labels.Hit, hits: tuple[labels.Hit, ...]) -> bool:
    # "Sub Total (RM)": the net label and a "total (rm)" label overlap; the net one decides.
    # A tax word inside the total label ("Total (Inclusive of GST)") does not.
    return any(
        other.field in _NOT_TOTAL
        and other.chunk is hit.chunk
        and other.start < hit.end
        and hit.start < other.end
        and not (other.field == "tax_amount" and hit.start <= other.start <= other.end <= hit.end)
        for other in hits
    )


def _fuzzy_total(text: str) -> bool:
    # "ToiaI", "TOTA1", "Tolal": one wrong letter in "total" is still a total line.
    for token in re.findall(r"[A-Za-z0-9]{4,}", text)[:3]:
        head = token[:5].lower()
        if len(head) == 4 and head in ("tota", "otal"):
            return True
        if len(head) == 5 and sum(a != b for a, b in zip(head, "total", strict=True)) <= 1:
            return True
    return False


# --- total ---------------------------------------------------------------------------------


def receipt_total(ctx: Context, rows: list[Row]) -> FieldValue | None:
    """Return the amount paid for the receipt, with how it was corroborated."""
    cands = _total_candidates(ctx, rows)
    if not cands:
        return None
    scored = [(round(_total_score(c), 6), c) for c in cands]
    top = max(score for score, _ in scored)
    tied = [c for score, c in scored if score == top]
    # At equal support, the reading that can be surest: "TOTAL 35.00" closed by cash - change
    # beats the same amount computed from the payment alone.
    best = max(tied, key=lambda c: (_total_field(ctx, c, rows).confidence, c.row.position))
    return _total_field(ctx, _labelled_total(best, cands, rows), rows)


def _labelled_total(
    best: TotalCandidate, cands: list[TotalCandidate], rows: list[Row]
) -> TotalCandidate:
    """Between the amounts before and after cash rounding, take the one the receipt calls Total.

    "Total: 72.93 / RND ADJ 0.02 / TTL ATF RND 72.95": both are right; the books take
    what the receipt prints on its last line worded "total", not a computed amount or
    an "amount to be paid".
    """
    if best.own or not _two_totals(rows):
        return best  # a computed amount is the one after rounding: nothing to choose
    family = [
        c
        for c in cands
        if not c.own
        and c.row.role == "total"
        and len(c.row.amounts) < SUMMARY_COLUMNS
        and abs(c.value - best.value) <= MAX_ROUNDING
        and _fuzzy_total(c.row.line.text)
    ]
    return max(family, key=lambda c: c.row.position, default=best)


def _total_candidates(ctx: Context, rows: list[Row]) -> list[TotalCandidate]:
    found: list[Proposal] = []
    summary = _summary_start(rows)
    for index, row in enumerate(rows):
        if row.role not in ("total", "net_amount") or row.position > summary:
            continue
        value = _row_amount(rows, index)
        if value is not None and value > 0:
            found.append((value, row, _label_score(ctx, row), ""))
    printed = [f for f in found if f[1].role == "total"]
    found += _derived(rows, printed)
    sums = _sums_of_parts(rows)
    cands = [
        TotalCandidate(value, row, score, _support(value, row, rows, printed, sums), own)
        for value, row, score, own in found
    ]
    # A subtotal may or may not include the tax: its sum counts only when something agrees.
    return [c for c in cands if c.own != "subtotal + tax" or c.support - {c.own, "largest amount"}]


def _summary_start(rows: list[Row]) -> int:
    # "GST SUMMARY" / "TOTAL 105.57 6.33": the rows below add up the tax summary's columns
    # (net, tax), not the bill.
    starts = (row.position for row in rows if _SUMMARY_HEADING.search(row.line.text))
    return next(starts, len(rows))


def _sums_of_parts(rows: list[Row]) -> set[Decimal]:
    """Return the sums of any two different totals the receipt prints (neither of them zero).

    "TOTAL 0% SUPPLIES 35.14" and "TOTAL 6% SUPPLIES (INC. GST) -3.82" (goods taken back)
    make "TOTAL PAYABLE 31.32": the parts printed per tax rate add up to the total.
    """
    amounts = [_row_amount(rows, i) for i, row in enumerate(rows) if row.role == "total"]
    # Two different amounts: a total printed twice is one part, not two.
    parts = sorted({amount for amount in amounts if amount})
    return {a + b for a, b in itertools.combinations(parts, 2)}


def _derived(rows: list[Row], totals: list[Proposal]) -> list[Proposal]:
    # What the customer paid, computed: OCR often garbles the one total line.
    out: list[Proposal] = []
    paid = [r for r in rows if r.role == "tendered" and r.amounts]
    change = [r for r in rows if r.role == "change" and r.amounts]
    if len(paid) == 1 and len(change) <= 1:
        given = change[0].amounts[-1] if change else Decimal(0)
        role, own = ("derived", "cash - change") if change else ("tendered", "paid exactly")
        out.append((paid[0].amounts[-1] - given, paid[0], _LABEL_SCORES[role], own))
    for rounding in (r for r in rows if r.role == "rounding" and r.amounts):
        out += [
            (t + rounding.amounts[-1], rounding, _LABEL_SCORES["derived"], "total + rounding")
            for t, _, _, _ in totals
        ]
    out += _summed(rows)
    return [c for c in out if c[0] > 0]


def _summed(rows: list[Row]) -> list[Proposal]:
    # Subtotal + tax (+ rounding): the sum the total line should print, for when it does not.
    nets = [(rows[i], _row_amount(rows, i)) for i, r in enumerate(rows) if r.role == "net_amount"]
    taxes = _amounts_of(rows, "tax_amount") | _summary_taxes(rows, nets) | {Decimal(0)}
    rounding = _amounts_of(rows, "rounding") | {Decimal(0)}
    sums = {
        (amount + tax + r, net)
        for net, amount in nets
        if amount is not None
        for tax in taxes
        for r in rounding
        if tax or r
    }
    return [(value, net, _LABEL_SCORES["derived"], "subtotal + tax") for value, net in sums]


def _summary_taxes(rows: list[Row], nets: list[tuple[Row, Decimal | None]]) -> set[Decimal]:
    # "SR 6% 106.10 6.37" in the tax summary: the subtotal again, then the tax on it. This
    # reads the tax when its own line was misread ("Total OST (RM) 637").
    subtotals = {amount for _, amount in nets if amount is not None}
    return {
        after
        for row in rows
        if row.role != "net_amount"
        for before, after in itertools.pairwise(row.amounts)
        if before in subtotals and 0 < after < before
    }


def _row_amount(rows: list[Row], index: int) -> Decimal | None:
    row = rows[index]
    if row.amounts:
        return row.amounts[-1]
    lost = _lost_point(row, rows)
    below = rows[index + 1] if index + 1 < len(rows) else None
    own = _GARBLED_AMOUNT.search(row.line.text) is not None
    if lost is None and not own and below is not None and below.role is None:
        return below.amounts[0] if len(below.amounts) == 1 else None
    return lost


def _lost_point(row: Row, rows: list[Row]) -> Decimal | None:
    # "GRAND TOTAL 1000": OCR dropped the decimal point. Read as cents only when another
    # line prints that very amount (the subtotal, the item), so a count is not taken.
    found = _BARE_NUMBER.search(row.line.text)
    if found is None:
        return None
    value = Decimal(found.group(1) + found.group(2)).scaleb(-2)
    printed = (a for other in rows if other is not row for a in other.amounts)
    return value if value > 0 and value in printed else None


def _label_score(ctx: Context, row: Row) -> float:
    if row.role in _LABEL_SCORES:
        return _LABEL_SCORES[row.role or ""]
    hits = [h for h in ctx.hits[row.position] if h.field in _TOTAL_LABELS]
    if not hits:
        return 0.5
    return 0.8 if max(h.strength for h in hits) >= labels.STRONG else 0.6


def _support(
    value: Decimal, row: Row, rows: list[Row], totals: list[Proposal], sums: set[Decimal]
) -> frozenset[str]:
    out: set[str] = set()
    if value in sums:
        out.add(PARTS)
    paid = _amounts_of(rows, "tendered")
    change = _amounts_of(rows, "change")
    if any(p - c == value for p in paid for c in change):
        out.add("cash - change")
    elif value in paid and not any(c > 0 for c in change):
        out.add("paid exactly")
    if _closes(value, rows):
        out.add("subtotal + tax")
    rounding = _amounts_of(rows, "rounding")
    if any(t + r == value for t, _, _, _ in totals for r in rounding if r != 0):
        out.add("total + rounding")
    # "Total: 17.22 / RND ADJ -0.02 / TTL ATF RND 17.20": each print closes the other.
    if any(value + r == t for t, other, _, _ in totals if other is not row for r in rounding if r):
        out.add("total + rounding")
    if any(t == value and other is not row for t, other, _, _ in totals):
        out.add("printed again")
    if any(one_digit_apart(t, value) for t, _, _, _ in totals):
        out.add(ONE_DIGIT)
    amounts = (a for r in rows if r.role not in ("tendered", "change") for a in r.amounts)
    if value == max(amounts, default=value):
        out.add("largest amount")
    return frozenset(out)


def _amounts_of(rows: list[Row], role: str) -> set[Decimal]:
    return {r.amounts[-1] for r in rows if r.role == role and r.amounts}


def _closes(value: Decimal, rows: list[Row]) -> bool:
    return any(total == value for total, _, _, _ in _summed(rows))


def _total_score(cand: TotalCandidate) -> float:
    closing = _arithmetic(cand)
    # A computed total is not corroborated by its own sum.
    arithmetic = len(closing - {cand.own})
    others = cand.support - closing
    repeated = 0.15 if "printed again" in others else 0.0
    # Arithmetic that lands one digit away from the printed total says the print was misread.
    misread = 0.5 if cand.own in _ARITHMETIC and ONE_DIGIT in others else 0.0
    # One sum that closes outweighs a printed label's lead over a computed amount (0.8 - 0.4)
    # together with a soft hint ("largest amount"): two sums that agree beat a misread print.
    closes = ARITHMETIC_WEIGHT * arithmetic
    return cand.label_score + closes + 0.05 * len(others) + repeated + misread


def one_digit_apart(a: Decimal, b: Decimal) -> bool:
    """Return True when two amounts differ in one digit above the cents ("64.50", "54.50").

    A last-digit difference is what rounding makes, so it is not taken for a misread.
    """
    x, y = f"{a:.2f}", f"{b:.2f}"
    if len(x) != len(y) or abs(a - b) < Decimal("0.10"):
        return False
    return sum(c != d for c, d in zip(x, y, strict=True)) == 1


def _arithmetic(cand: TotalCandidate) -> frozenset[str]:
    # A rounded total that the customer paid to the cent is closed by the payment too.
    if cand.row.role == "rounding" and "paid exactly" in cand.support:
        return cand.support & (_ARITHMETIC | {"paid exactly"})
    return cand.support & _ARITHMETIC


def _total_field(ctx: Context, cand: TotalCandidate, rows: list[Row]) -> FieldValue:
    arithmetic = _arithmetic(cand)
    others = cand.support - arithmetic
    if cand.own:
        # Computed, not printed: its own sum is no corroboration, a second one is.
        confidence = 0.97 if arithmetic - {cand.own} else min(0.75, 0.6 + 0.05 * len(others))
    elif arithmetic and (others or len(arithmetic) > 1):
        confidence = 0.97
    elif arithmetic:
        confidence = 0.9
    else:
        confidence = min(0.85, cand.label_score + 0.05 * len(others))
    if confidence >= 0.95 and (_two_totals(rows) or _contradicted(cand.value, rows)):
        # Before or after rounding, which one the books want is a choice; a total line
        # printing something else was misread, or this was.
        confidence = ROUNDING_CONFIDENCE
    line, chunk = _best_copy(cand, rows)
    what = f"computed ({cand.own})" if cand.own else "receipt total line"
    why = what + (f"; {', '.join(sorted(cand.support))}" if cand.support else "")
    return chunk_field(ctx, cand.value, confidence, why, line, chunk)


def _best_copy(cand: TotalCandidate, rows: list[Row]) -> tuple[Line, Chunk]:
    # A total printed twice is as sure as its clearest print: one smudged copy of it
    # must not make tesseract's doubt the field's.
    copies = [cand.row.line]
    if cand.row.role == "total":
        copies += [r.line for r in rows if r.role == "total" and r.amounts[-1:] == (cand.value,)]
    chunks = [(line, _chunk_with(line, cand.value)) for line in copies]
    return max(chunks, key=lambda pair: pair[1].conf)


def _two_totals(rows: list[Row]) -> bool:
    rounded = any(r.role == "rounding" and any(a != 0 for a in r.amounts) for r in rows)
    printed = {r.amounts[-1] for r in rows if r.role == "total" and r.amounts}
    return rounded or len(printed) > 1


def _contradicted(value: Decimal, rows: list[Row]) -> bool:
    return any(r.role == "total" and r.amounts[-1] != value for r in rows if r.amounts)


def _chunk_with(line: Line, value: Decimal) -> Chunk:
    for chunk in reversed(line.chunks):
        if value in ocr_money(chunk.text):
            return chunk
    return line.chunks[-1]


# --- date ----------------------------------------------------------------------------------


def receipt_date(ctx: Context) -> FieldValue | None:
    """Return the receipt's date: one with a time or a label, high on the page, first."""
    found: list[tuple[float, int, date, bool, Line, Chunk]] = []
    for position, line in enumerate(ctx.lines):
        for chunk in line.chunks:
            for hit in dates.find_dates(_date_text(chunk.text), day_first=ctx.day_first):
                score = _date_score(ctx, position, line, hit.value)
                found.append((score, position, hit.value, hit.ambiguous, line, chunk))
    if not found:
        return None
    score, _, value, ambiguous, line, chunk = max(found, key=lambda f: (f[0], -f[1]))
    repeats = sum(1 for f in found if f[2] == value)
    confidence = 0.7 + min(score, 0.2)
    if repeats >= 2 and not ambiguous:
        confidence = 0.95
    elif ambiguous:
        confidence -= 0.1
    why = "receipt date" + ("; printed twice" if repeats >= 2 else "")
    return chunk_field(ctx, value, confidence, why, line, chunk)


def _date_text(text: str) -> str:
    # OCR reads 0 as O and 1 as l inside dates ("O1/O3/2O18"); fix them between digits.
    fixed = re.sub(
        r"(?<=[\d/.-])[OolI]|[OolI](?=[\d/.-]\d)", lambda m: m.group(0).translate(_DATE_SLIPS), text
    )
    # A separator lost between day and month ("2703/2018") is put back as printed after them.
    fixed = _LOST_SEPARATOR.sub(r"\1\3\2\3\4", fixed)
    return _COMPACT_DATE.sub(_separated, fixed)


def _separated(match: re.Match[str]) -> str:
    # ISO order when the year leads; day first otherwise (the dates module reads both).
    if match.group("Y"):
        return f"{match.group('Y')}-{match.group('M')}-{match.group('D')}"
    return f"{match.group('d')}/{match.group('m')}/{match.group('y')}"


def _date_score(ctx: Context, position: int, line: Line, value: date) -> float:
    score = 0.0
    if _TIME.search(line.text.replace(value.isoformat(), "")):
        score += 0.1
    labelled = [h for h in ctx.hits[position] if h.field == "invoice_date"]
    if labelled:
        # "Invoice Date" over a bare "Date", which also heads an order or delivery date.
        score += 0.15 if max(h.strength for h in labelled) >= labels.STRONG else 0.1
    if any(h.field == "due_date" for h in ctx.hits[position]):
        score -= 0.3
    return score + (0.05 if ctx.relative_top(line) < 0.5 else 0.0)
