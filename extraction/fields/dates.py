"""Printed dates -> ``datetime.date``: numeric and with month names in seven languages.

Day-first versus month-first is decided by impossibility first (a 13th month
does not exist) and only then by the document's convention (``day_first``),
and a date that needed the convention says so (``ambiguous``) so its
confidence can be lowered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from extraction.fields import labels


@dataclass(frozen=True)
class FoundDate:
    """A date found in text; ``ambiguous`` when day and month could be swapped."""

    value: date
    start: int
    end: int
    ambiguous: bool


@cache
def month_numbers() -> dict[str, int]:
    """Return every month name and abbreviation (folded) -> month number."""
    table: dict[str, int] = {}
    for names in labels.data()["months"].values():
        for number, name in enumerate(names, start=1):
            table[labels.fold(name)] = number
            table.setdefault(labels.fold(name)[:3], number)
    for abbr, number in labels.data()["month_abbreviations"].items():
        table[abbr] = int(number)
    return table


@cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    months = "|".join(sorted(month_numbers(), key=len, reverse=True))
    return (
        re.compile(r"(?<!\d)(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)"),
        re.compile(
            r"(?<![\d.,])(?P<a>\d{1,2})(?P<s>[./-])(?P<b>\d{1,2})(?P=s)(?P<y>\d{4}|\d{2})(?!\d|[.,]\d)"
        ),
        re.compile(
            rf"(?<!\d)(?P<d>\d{{1,2}})(?:er|st|nd|rd|th)?\.?[\s/-]*(?P<mon>{months})\.?[\s,/-]*(?P<y>\d{{4}}|\d{{2}})(?!\d)"
        ),
        re.compile(
            rf"(?<![a-z])(?P<mon>{months})\.?\s*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})(?!\d)"
        ),
    )


def find_dates(text: str, *, day_first: bool = True) -> list[FoundDate]:
    """Return every valid date in ``text`` in order of appearance.

    Args:
        text: any text; month names may carry accents or capitals.
        day_first: the convention for numeric dates where both orders are valid.

    Returns:
        Dates with their position in ``text``; impossible dates are dropped.
    """
    folded, index = labels.fold_map(text)
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for pattern in _patterns():
        for match in pattern.finditer(folded):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            parsed = _to_date(match, day_first=day_first)
            if parsed is None:
                continue
            taken.append((match.start(), match.end()))
            start, end = index[match.start()], index[match.end() - 1] + 1
            found.append(FoundDate(parsed[0], start, end, parsed[1]))
    return sorted(found, key=lambda f: f.start)


def _to_date(match: re.Match[str], *, day_first: bool) -> tuple[date, bool] | None:
    groups = match.groupdict()
    year = _year(groups["y"])
    if groups.get("mon"):
        return _make(year, month_numbers()[groups["mon"]], int(groups["d"]), ambiguous=False)
    if groups.get("a"):
        a, b = int(groups["a"]), int(groups["b"])
        if a > 12 or b > 12 or a == b:
            day, month = (a, b) if a > 12 or a == b else (b, a)
            return _make(year, month, day, ambiguous=False)
        day, month = (a, b) if day_first else (b, a)
        return _make(year, month, day, ambiguous=True)
    return _make(year, int(groups["m"]), int(groups["d"]), ambiguous=False)


def _year(raw: str) -> int:
    value = int(raw)
    if len(raw) == 2:
        return 2000 + value if value < 70 else 1900 + value
    return value


def _make(year: int, month: int, day: int, *, ambiguous: bool) -> tuple[date, bool] | None:
    if not 1990 <= year <= 2100:
        return None
    try:
        return date(year, month, day), ambiguous
    except ValueError:
        return None
