"""Legal forms at the end of a company's name (labels data ``company_suffixes``).

OCR misspells them ("SON BHD", "GMBM"); a form is a closed list, so one slip per
word is read back to the dictionary's spelling.
"""

from __future__ import annotations

from functools import cache

from extraction.fields import labels


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
    """Return the legal form the words end in, one OCR slip allowed per word of it."""
    for suffix in _suffixes():
        if len(words) < len(suffix):
            continue
        tail = [labels.fold(w).strip(".,") for w in words[-len(suffix) :]]
        if all(_near(a, b.strip(".,")) for a, b in zip(tail, suffix, strict=True)):
            return suffix
    return None


def _near(got: str, want: str) -> bool:
    if got == want:
        return True
    if len(want) < 3 or len(got) != len(want):
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
