"""Legal forms at the end of a company's name (labels data ``company_suffixes``).

OCR misspells them ("SON BHD", "GMBM", "$B", "SDIV BHD", "SDN BH"); a form is a closed
list, so one slip per word (a wrong letter, "$" for S, or, inside a form of several words,
one letter read as two or a last letter lost) is read back to the dictionary's spelling.
"""

from __future__ import annotations

import re
from functools import cache

from extraction.fields import labels

#: Letters OCR splits in two: N as "IV", H as "IL" or "LI", M as "RN", D as "CL", W as "VV".
_TWO_FOR_ONE_LETTERS = {"iv": "n", "il": "h", "li": "h", "rn": "m", "cl": "d", "vv": "w"}
_TWO_FOR_ONE = re.compile("|".join(_TWO_FOR_ONE_LETTERS))


def spelled(text: str) -> str | None:
    """Return ``text`` with its legal form spelled as the dictionary has it, if it ends in one."""
    words = text.split()
    suffix = suffix_of(words)
    if suffix is None or len(words) <= len(suffix):
        return None
    size = len(suffix)
    printed = " ".join(words[-size:])
    form = printed if _same_letters(printed, suffix) else " ".join(suffix).upper()
    return " ".join([*words[:-size], form])


def suffix_of(words: list[str]) -> tuple[str, ...] | None:
    """Return the legal form the words end in, one OCR slip allowed per word of it.

    Longer forms first ("SON BHD" is "SDN BHD", not a name ending "SON" plus "BHD");
    among forms of one length, one spelled exactly wins over one a slip away: "PLT" is
    a Malaysian form of its own, not a misread "PLC".
    """
    for size in sorted({len(s) for s in _suffixes()}, reverse=True):
        if len(words) >= size:
            found = _ending(words, size, exact=True) or _ending(words, size, exact=False)
            if found is not None:
                return found
    return None


def _ending(words: list[str], size: int, *, exact: bool) -> tuple[str, ...] | None:
    for suffix in _suffixes():
        if len(suffix) != size:
            continue
        # OCR reads the S of a form as "$" ("MYNEWS RETAIL $B", "Castle Blue $/B").
        tail = [labels.fold(w).strip(".,").replace("$", "s") for w in words[-len(suffix) :]]
        wanted = [w.strip(".,") for w in suffix]
        if exact and tail == wanted:
            return suffix
        # A letter read as two only inside a form of several words ("SDIV BHD", "SDN BILD"):
        # alone, "BILD" is more likely a word of its own.
        pairs = zip(tail, wanted, strict=True)
        if not exact and all(_near(a, b, split=size > 1) for a, b in pairs):
            return suffix
    return None


def _near(got: str, want: str, *, split: bool = False) -> bool:
    if got == want:
        return True
    if len(want) < 3:
        return False
    if split and len(got) == len(want) + 1:
        # One letter read as two, and no other slip.
        return _TWO_FOR_ONE.sub(lambda m: _TWO_FOR_ONE_LETTERS[m.group(0)], got, 1) == want
    if split and len(got) == len(want) - 1:
        # The last letter lost at the edge of the print ("SDN BH"), and no other slip.
        return want.startswith(got)
    if len(got) != len(want):
        return False
    return sum(a != b for a, b in zip(got, want, strict=True)) <= 1


def _same_letters(printed: str, suffix: tuple[str, ...]) -> bool:
    return labels.fold(printed).replace(".", "").replace(" ", "") == "".join(suffix).replace(
        ".", ""
    )


@cache
def _suffixes() -> tuple[tuple[str, ...], ...]:
    names = {tuple(labels.fold(s).split()) for s in labels.data()["company_suffixes"]["all"]}
    # Multi-word forms first, so "SDN BHD" wins over "BHD".
    return tuple(sorted(names, key=lambda s: (-len(s), s)))


@cache
def trade_words() -> frozenset[str]:
    """Return the "legal forms" that name a trade ("TRADING"): a real form may follow them."""
    return frozenset(labels.fold(s) for s in labels.data()["company_suffixes"]["trade"])
