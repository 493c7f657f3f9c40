"""Words of a shop's trade in its name ("HARDWARE", "PHARMACY"), read back through OCR's slips.

Like a legal form, a trade is one of a short list of words (labels data
``receipt_words.trades``): a name word one OCR slip away from one ("Hardwae", "PHARHACY")
is that word. The slips are those of faint thermal print: one letter lost inside the word,
or one letter read as its look-alike (M as H or N). A letter lost at an end is no slip:
"SERVICE" and "STATIONER" are words of their own, not "SERVICES" and "STATIONERY"; nor is
any other letter swapped: "STATIONARY" is how some shops print their trade.

A trade of two words joined by an ampersand (``receipt_words.paired_trades``: "CASH &
CARRY") gets its "&" back where OCR lost it or read it as an 8.
"""

from __future__ import annotations

import re
from functools import cache

from extraction.fields import labels
from extraction.fields import legal_forms

#: Letters thermal print lets OCR confuse, each way.
_LOOK_ALIKES = frozenset(
    pair
    for a, b in ("mh", "mn", "nh", "il", "od", "oq", "ce", "ef", "uv", "cg", "bh")
    for pair in ((a, b), (b, a))
)
#: Shorter words are too often a slip away from another real word ("CAFE", "CARE").
_MIN_LETTERS = 6


def respelled(name: str) -> str:
    """Return ``name`` with each trade word OCR misspelt by one slip spelled right, and
    each paired trade with its ampersand."""
    words = " ".join(_word(word) for word in name.split(" "))
    for pattern in _paired_trades():
        words = pattern.sub(r"\1 & \2", words)
    return words


def is_trade(word: str) -> bool:
    """Return whether ``word`` names a trade ("RESTAURANT", "HARDWARE") rather than a shop."""
    folded = labels.fold(word)
    return folded in _trades() or folded in legal_forms.trade_words()


def _word(word: str) -> str:
    if not word.isalpha() or len(word) < _MIN_LETTERS - 1:
        return word
    folded = labels.fold(word)
    if folded in _trades():
        return word
    for trade in _trades():
        if _one_slip(folded, trade):
            return _cased(trade, word)
    return word


def _one_slip(got: str, want: str) -> bool:
    if len(got) == len(want):
        wrong = [(a, b) for a, b in zip(got, want, strict=True) if a != b]
        return len(wrong) == 1 and wrong[0] in _LOOK_ALIKES
    if len(got) + 1 != len(want):
        return False
    return any(want[:i] + want[i + 1 :] == got for i in range(1, len(want) - 1))


def _cased(trade: str, like: str) -> str:
    if like.isupper():
        return trade.upper()
    return trade.capitalize() if like[0].isupper() else trade


@cache
def _trades() -> tuple[str, ...]:
    # In order, so a word a slip away from two trades always reads as the same one.
    words = {labels.fold(w) for w in labels.data()["receipt_words"]["trades"]}
    return tuple(sorted(w for w in words if len(w) >= _MIN_LETTERS))


@cache
def _paired_trades() -> tuple[re.Pattern[str], ...]:
    out = []
    for trade in labels.data()["receipt_words"]["paired_trades"]:
        first, second = (part.strip() for part in trade.split("&"))
        out.append(re.compile(rf"\b({re.escape(first)})\s+(?:8\s+)?({re.escape(second)})\b", re.I))
    return tuple(out)
