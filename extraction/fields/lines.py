"""Line items from tables: a header row names the columns, rows align under them by x.

The header is found by its words (description / quantity / unit price /
amount in six languages, ``[table_columns]`` in labels.toml); each later line
with money under the amount column is an item, and the table ends at the first
net/tax/total label. Headers repeated on later pages restart the columns, so
multi-page tables read as one. Lines without an amount (article numbers,
second description lines, per-line discounts printed elsewhere) are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import replace
from decimal import Decimal
from functools import cache

from extraction.fields import amounts
from extraction.fields import labels
from extraction.fields.context import Context
from extraction.models import LineItem
from extraction.text.layout import Chunk
from extraction.text.layout import Line

CENT = Decimal("0.01")
#: Points a value may stick out of its header's column (right-aligned numbers do).
SLACK = 12.0
_EDGES = re.compile(r"^[^\w]+|[^\w.]+$|(?<=\w)[:]$")
_STOP_FIELDS = frozenset({"net_amount", "tax_amount", "total_amount"})


@dataclass(frozen=True)
class Column:
    """One header cell: its kind and x-range."""

    kind: str
    x0: float
    x1: float


@cache
def _keywords() -> dict[str, tuple[tuple[str, str], ...]]:
    """Return first word -> (folded keyword, column kind), longest keyword first."""
    table = labels.data()["table_columns"]
    pairs = {(labels.fold(w), kind) for kind, words in table.items() for w in words}
    out: dict[str, list[tuple[str, str]]] = {}
    for keyword, kind in sorted(pairs, key=lambda p: len(p[0]), reverse=True):
        out.setdefault(keyword.split(" ")[0], []).append((keyword, kind))
    return {first: tuple(found) for first, found in out.items()}


def line_items(ctx: Context) -> tuple[LineItem, ...]:
    """Return the items of every line-item table in the document, in print order."""
    items: list[LineItem] = []
    columns: list[Column] | None = None
    for position, line in enumerate(ctx.lines):
        found = header_columns(ctx, position)
        if found is not None:
            columns = found
            continue
        if columns is None:
            continue
        if _totals_line(ctx, position):
            columns = None  # the totals block: the table is over
            continue
        item = _row(line, columns)
        if item is None:
            continue
        if items and _adjusts(line, columns, item):
            items[-1] = _adjusted(items[-1], item)
        else:
            items.append(item)
    return tuple(items)


def _adjusts(line: Line, columns: list[Column], item: LineItem) -> bool:
    """Return True for a row that only carries an amount, like "abzgl. 16,7% Rabatt  -2,00".

    Such a row has nothing under the description or quantity headers: it is a
    discount or charge on the item above, whose printed total it changes.
    """
    described = [c for c in columns if c.kind in ("description", "quantity")]
    return item.quantity is None and all(_cell(line, c, slack=0.0) is None for c in described)


def _adjusted(item: LineItem, adjustment: LineItem) -> LineItem:
    total = (item.amount or Decimal(0)) + (adjustment.amount or Decimal(0))
    return replace(item, amount=total)


def header_columns(ctx: Context, position: int) -> list[Column] | None:
    """Return the columns when line ``position`` is a line-item table header, else None.

    A header names an amount column or, failing that, at least a description and
    a quantity or price; its words may wrap onto the lines just above and below
    ("Prix / unitaire"), which are merged in. Without a named amount column the
    rightmost header cell is the line total, as on nearly every invoice.
    """
    line = ctx.lines[position]
    columns = [col for chunk in line.chunks for col in _cell_columns(chunk)]
    kinds = {c.kind for c in columns}
    named = kinds - {"amount", "other"}
    # Items have a description or a quantity; a VAT table (rate, basis, tax) has neither.
    if len(line.chunks) < 3 or not named & {"description", "quantity"}:
        return None
    if "amount" not in kinds and len(named) < 2:
        return None
    columns += [c for near in _wrapped(ctx, position) for c in _line_columns(near)]
    if not any(c.kind == "amount" for c in columns):
        right = max(columns, key=lambda c: c.x1)
        columns.append(Column("amount", right.x0, right.x1))
    return columns


def column_kinds(line: Line) -> set[str]:
    """Return the table columns a line names ("Description Qty Price Amount": four)."""
    return {c.kind for chunk in line.chunks for c in _cell_columns(chunk)}


def _wrapped(ctx: Context, position: int) -> list[Line]:
    line = ctx.lines[position]
    height = max(line.bottom - line.top, 4.0)
    near = [ctx.lines[i] for i in (position - 1, position + 1) if 0 <= i < len(ctx.lines)]
    return [
        n
        for n in near
        if n.page == line.page and min(abs(n.top - line.bottom), abs(line.top - n.bottom)) < height
    ]


def _line_columns(line: Line) -> list[Column]:
    out: list[Column] = []
    for chunk in line.chunks:
        out += _cell_columns(chunk) or [Column("other", chunk.x0, chunk.x1)]
    return out


def _totals_line(ctx: Context, position: int) -> bool:
    # A strong net/tax/total label, or a weak one heading a line with money ("Total  671,15");
    # a weak word in a description ("Wirkarbeit  HT") or a wrapped header ("Tax") does not.
    line = ctx.lines[position]
    weak_ok = bool(amounts.money_in(line.text))
    return any(
        h.field in _STOP_FIELDS
        and (h.strength >= labels.STRONG or (weak_ok and h.chunk is line.chunks[0]))
        for h in ctx.hits[position]
    )


def _cell_columns(chunk: Chunk) -> list[Column]:
    # A cell may hold two headers ("MwSt-% Nettowert", "BTW Prijs incl. BTW"): find each
    # keyword's own words so the column is as wide as the keyword, not the cell.
    folded = [_bare(labels.fold(w.text)) for w in chunk.words]
    out: list[Column] = []
    start = 0
    while start < len(folded) and folded:
        end, kind = _match_at(folded, start)
        if kind is None:
            start += 1
            continue
        out.append(Column(kind, chunk.words[start].x0, chunk.words[end - 1].x1))
        start = end
    return out


def _match_at(words: list[str], start: int) -> tuple[int, str | None]:
    for keyword, kind in _keywords().get(words[start], ()):
        parts = keyword.split(" ")
        if words[start : start + len(parts)] == parts:
            return start + len(parts), kind
    return start, None


def _bare(word: str) -> str:
    # Header words come with punctuation: "Menge/", "(Stk.)", "Betrag:".
    return _EDGES.sub("", word)


def _row(line: Line, columns: list[Column]) -> LineItem | None:
    amount_col = max((c for c in columns if c.kind == "amount"), key=lambda c: c.x1)
    cell = _cell(line, amount_col)
    money = amounts.money_in(cell.text, spaced_thousands=True) if cell else []
    if cell is None or not money or cell is line.chunks[0]:
        return None
    amount = money[-1].value
    price = _number(line, columns, "unit_price", cell)
    return LineItem(
        description=_description(line, columns, cell),
        quantity=_quantity(_number(line, columns, "quantity", cell), price, amount),
        unit_price=price,
        amount=amount,
    )


def _quantity(quantity: Decimal | None, price: Decimal | None, amount: Decimal) -> Decimal | None:
    # "5,000 kg" reads as five thousand by the money rule; quantity x price = amount says 5.
    if quantity is None or price is None or abs(quantity * price - amount) <= CENT:
        return quantity
    scaled = quantity.scaleb(-3)
    return scaled if abs(scaled * price - amount) <= CENT else quantity


def _cell(line: Line, column: Column, *, slack: float = SLACK) -> Chunk | None:
    best: tuple[float, Chunk] | None = None
    for chunk in line.chunks:
        overlap = min(chunk.x1, column.x1 + slack) - max(chunk.x0, column.x0 - slack)
        if overlap > 0 and (best is None or overlap > best[0]):
            best = (overlap, chunk)
    return best[1] if best else None


def _number(line: Line, columns: list[Column], kind: str, taken: Chunk) -> Decimal | None:
    for column in (c for c in columns if c.kind == kind):
        cell = _cell(line, column)
        if cell is None or cell is taken:
            continue
        found = amounts.amounts_in(cell.text, spaced_thousands=True)
        if found:
            return found[0].value
    return None


def _description(line: Line, columns: list[Column], taken: Chunk) -> str | None:
    """Return the text under the description header, else the longest wordy cell.

    Headers are often centred over a left-aligned description, so when nothing
    sits under the header the longest text outside the number columns is it.
    """
    for column in (c for c in columns if c.kind == "description"):
        cell = _cell(line, column, slack=0.0)
        if cell is not None and cell is not taken and _wordy(cell.text):
            return cell.text
    numbers = {_cell(line, c) for c in columns if c.kind in ("quantity", "unit_price", "amount")}
    texts = [c.text for c in line.chunks if c not in numbers and _wordy(c.text)]
    return max(texts, key=len) if texts else None


def _wordy(text: str) -> bool:
    return sum(ch.isalpha() for ch in text) > 2
