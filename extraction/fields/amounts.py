"""Money in printed form -> Decimal, and currency markers -> ISO 4217 codes.

Both separators are accepted ("1.234,56", "1,234.56", "1'234.56", "1 234,56");
the last separator followed by 1-2 (or 4) digits is the decimal mark. A lone
separator followed by exactly three digits is a thousands mark ("1.000" is a
thousand euros), because money printed with three decimals is rarer than a
round thousand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from decimal import InvalidOperation

#: Symbols and local abbreviations -> (ISO code, how unambiguous the marker is).
SYMBOLS: dict[str, tuple[str, float]] = {
    "€": ("EUR", 0.97),
    "£": ("GBP", 0.95),
    "₹": ("INR", 0.97),
    "rs": ("INR", 0.85),
    "rs.": ("INR", 0.85),
    "inr": ("INR", 0.97),
    "rm": ("MYR", 0.9),
    "$": ("USD", 0.75),
    "us$": ("USD", 0.95),
    "¥": ("JPY", 0.7),
    "chf": ("CHF", 0.97),
    "fr.": ("CHF", 0.6),
    "kr": ("SEK", 0.5),
    "zł": ("PLN", 0.95),
    "euro": ("EUR", 0.95),
    "euros": ("EUR", 0.95),
}

#: ISO 4217 codes we recognise when printed as words.
ISO_CODES = frozenset(
    [
        "EUR",
        "USD",
        "GBP",
        "CHF",
        "INR",
        "MYR",
        "SGD",
        "AUD",
        "CAD",
        "JPY",
        "CNY",
        "SEK",
        "NOK",
        "DKK",
        "PLN",
        "CZK",
        "HUF",
        "RON",
        "BGN",
        "TRY",
        "ZAR",
        "NZD",
        "HKD",
        "IDR",
        "THB",
        "PHP",
        "AED",
        "SAR",
        "BRL",
        "MXN",
        "KRW",
        "ILS",
        "ISK",
    ]
)

_NUMBER = r"\d{1,3}(?:[.,'\u2019\u00a0\u202f]\d{3})+(?:[.,]\d{1,4})?|\d+(?:[.,]\d{1,4})?"
_AMOUNT = re.compile(
    r"(?<![\d.,/:])(?P<sign>[-\u2212])?\s?(?P<num>" + _NUMBER + r")(?P<trail>-)?(?![\w%/]|[.,:]\d)",
)
_BROKEN_DECIMALS = re.compile(r"[.,] \d\d(?!\d)")
_SPACE_GROUP = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}(?!\d))")


@dataclass(frozen=True)
class Amount:
    """A number found in text, with where it was and how it was written."""

    value: Decimal
    start: int
    end: int
    decimals: int


def parse_number(raw: str) -> tuple[Decimal, int] | None:
    """Return (value, number of decimals) for a printed number without sign or currency."""
    digits = raw.replace("'", "").replace("\u2019", "").replace("\u00a0", "").replace("\u202f", "")
    digits = digits.replace(" ", "")
    seps = [i for i, c in enumerate(digits) if c in ".,"]
    decimals = 0
    if seps:
        last = seps[-1]
        tail = len(digits) - last - 1
        lone = len(seps) == 1 or digits[last] != digits[seps[0]]
        if lone and tail != 3:
            decimals = tail
            digits = digits[:last].replace(".", "").replace(",", "") + "." + digits[last + 1 :]
        else:
            digits = digits.replace(".", "").replace(",", "")
    try:
        return Decimal(digits), decimals
    except InvalidOperation:
        return None


def amounts_in(text: str, *, spaced_thousands: bool = False) -> list[Amount]:
    """Return every amount-like number in ``text``, signs applied.

    Args:
        text: a chunk or a label's value.
        spaced_thousands: also read "1 234,56" as one number; only safe where
            the text is known to be a single value (right of a label).

    Returns:
        The amounts in order of appearance; dates and percentages are skipped.
    """
    if spaced_thousands:
        text = _SPACE_GROUP.sub("", text)
    out: list[Amount] = []
    for match in _AMOUNT.finditer(text):
        parsed = parse_number(match.group("num"))
        if parsed is None:
            continue
        value, decimals = parsed
        if match.group("sign") or match.group("trail") or _parenthesised(text, match):
            value = -value
        out.append(Amount(value, match.start(), match.end(), decimals))
    return out


def _parenthesised(text: str, match: re.Match[str]) -> bool:
    return text[: match.start()].rstrip().endswith("(") and text[match.end() :].lstrip().startswith(
        ")"
    )


def money_in(text: str, *, spaced_thousands: bool = False) -> list[Amount]:
    """Return the amounts that look like money: two decimals, or next to a currency marker."""
    return [
        a
        for a in amounts_in(text, spaced_thousands=spaced_thousands)
        if a.decimals == 2 or (a.decimals == 0 and _whole_money(text, a))
    ]


def _whole_money(text: str, amount: Amount) -> bool:
    # "RM6. 60": OCR put a space after the decimal point; 6 is not the amount.
    broken = _BROKEN_DECIMALS.match(text, amount.end) is not None
    return not broken and currency_near(text, amount) is not None


def currency_near(text: str, amount: Amount) -> str | None:
    """Return the ISO code of a marker touching the amount ("€ 5", "5 EUR", "RM5")."""
    before = text[max(0, amount.start - 5) : amount.start].strip().split(" ")[-1:]
    after = text[amount.end : amount.end + 5].strip().split(" ")[:1]
    for token in (*before, *after):
        code = currency_code(token)
        if code is not None:
            return code[0]
    return None


def currency_code(token: str) -> tuple[str, float] | None:
    """Return (ISO code, certainty) for a currency token such as "EUR", "€" or "RM"."""
    token = token.strip(" :()")
    if token.upper() in ISO_CODES and (token.isupper() or len(token) != 3):
        return token.upper(), 0.97
    return SYMBOLS.get(token.lower())
