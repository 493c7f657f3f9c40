"""Label dictionaries (``extraction/data/labels.toml``) and finding labels in chunks.

Text is compared after :func:`fold`: lower case, accents removed, ``°``/``º``
dropped, whitespace collapsed, so "N° TVA", "Fälligkeitsdatum" and
"FACTUURDATUM" match their dictionary spelling. :func:`fold_map` keeps a map
back to the original characters so a value can be cut out of the real text.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from functools import lru_cache
from importlib import resources
from typing import Any

from extraction.text.layout import Chunk

#: Label strength by dictionary list.
STRONG = 1.0
WEAK = 0.6


@dataclass(frozen=True)
class Hit:
    """A label found in a chunk: which field, how strong, and where in the text."""

    field: str
    label: str
    lang: str
    strength: float
    chunk: Chunk
    start: int
    end: int

    @property
    def rest(self) -> str:
        """Return the chunk text after the label, separators stripped."""
        return strip_separators(self.chunk.text[self.end :])


@cache
def data() -> dict[str, Any]:
    """Return the parsed label file (cached; it is read-only data)."""
    text = resources.files("extraction").joinpath("data/labels.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def fold(text: str) -> str:
    """Return ``text`` lower-cased, accent-free, with ``°`` dropped and spaces collapsed."""
    return _folded(text)[0]


def fold_map(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` and return, for every folded character, its index in ``text``."""
    folded, index = _folded(text)
    return folded, list(index)


@lru_cache(maxsize=8192)
def _folded(text: str) -> tuple[str, tuple[int, ...]]:
    # Every line is folded by several rules (labels, buyer words, names): fold it once.
    if text.isascii() and "  " not in text and text.isprintable():
        # Most text-layer chunks are plain ASCII: folding is lower-casing, one to one.
        return text.lower(), tuple(range(len(text)))
    out: list[str] = []
    index: list[int] = []
    for i, char in enumerate(text):
        piece = _fold_char(char)
        if piece == " " and out and out[-1] == " ":
            continue
        for c in piece:
            out.append(c)
            index.append(i)
    return "".join(out), tuple(index)


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in "°º":
        return ""
    if char.isspace():
        return " "
    piece = unicodedata.normalize("NFKD", char.lower())
    return "".join(c for c in piece if not unicodedata.combining(c))


def strip_separators(text: str) -> str:
    """Drop the punctuation that sits between a label and its value."""
    return text.strip().lstrip(":#.=-\u2013\u2014°º/ \t").strip()


@cache
def field_patterns() -> tuple[tuple[str, str, float, re.Pattern[str]], ...]:
    """Return (field, language, strength, compiled alternation) for every label list."""
    return tuple(
        (field, lang, strength, _alternation(labels))
        for field, lang, strength, labels in _label_lists()
    )


def _label_lists() -> Iterator[tuple[str, str, float, list[str]]]:
    for field, langs in data().items():
        for lang, lists in langs.items():
            if not isinstance(lists, dict):
                break  # a plain data table (months, suffixes), not a label dictionary
            for key, strength in (("strong", STRONG), ("weak", WEAK)):
                labels = sorted({fold(x) for x in lists.get(key, [])}, key=len, reverse=True)
                if labels:
                    yield field, lang, strength, labels


@cache
def _any_label() -> re.Pattern[str]:
    """Return one pattern matching any label of any field: a cheap first filter."""
    return _alternation([label for *_, labels in _label_lists() for label in labels])


def _alternation(labels: list[str]) -> re.Pattern[str]:
    """Return a pattern that finds any of ``labels`` as whole words, the longest first.

    The labels are laid out as a trie: an alternation is tried label by label at each
    position of a chunk (most of the time spent finding labels went there), a trie one
    letter at a time.
    """
    trie: dict[str, Any] = {}
    for label in labels:
        node = trie
        for char in label:
            node = node.setdefault(char, {})
        node[""] = {}
    # Word boundaries that also work for labels ending in "." or "#".
    return re.compile(rf"(?<![a-z0-9])(?:{_trie_pattern(trie)})(?![a-z])")


def _trie_pattern(node: dict[str, Any]) -> str:
    branches = [_label_char(char) + _trie_pattern(rest) for char, rest in node.items() if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # A label may end here or go on: the longer one is tried first.
    return f"(?:{body})?" if "" in node else body


def _label_char(char: str) -> str:
    # OCR drops and adds spaces ("TotalAmount"): a space in a label is optional.
    return r"\s?" if char == " " else re.escape(char)


def hits_in(chunk: Chunk) -> list[Hit]:
    """Return every label occurrence in a chunk (longest label per position wins)."""
    folded, index = fold_map(chunk.text)
    found: list[Hit] = []
    if not _any_label().search(folded):
        return found  # most chunks (numbers, names, addresses) hold no label at all
    for field, lang, strength, pattern in field_patterns():
        for match in pattern.finditer(folded):
            if strength < STRONG and _compound_tail(folded, match.start()):
                continue
            start = index[match.start()]
            end = index[match.end() - 1] + 1 if match.end() > match.start() else start
            found.append(Hit(field, match.group(0), lang, strength, chunk, start, end))
    return _outermost(found)


def _compound_tail(folded: str, start: int) -> bool:
    # "Liefer-Datum" or "Bestell-Nr" name another date or number than the bare weak label.
    return start >= 2 and folded[start - 1] == "-" and folded[start - 2].isalpha()


def _outermost(found: list[Hit]) -> list[Hit]:
    # "Total HT" is a net label, not a "total" followed by junk: inner hits give way.
    # The same word for two fields ("VAT" names the VAT ID and the tax) keeps both:
    # which one it is shows in its value, not in the label.
    def covered(hit: Hit) -> bool:
        return any(
            o is not hit
            and o.start <= hit.start
            and hit.end <= o.end
            and (o.end - o.start, o.strength) > (hit.end - hit.start, hit.strength)
            and ((o.start, o.end) != (hit.start, hit.end) or o.field == hit.field)
            for o in found
        )

    return [h for h in found if not covered(h)]


def language_scores(text: str) -> dict[str, int]:
    """Count the marker words of each language in ``text`` (folded)."""
    folded = fold(text)
    return {lang: len(pattern.findall(folded)) for lang, pattern in _language_patterns().items()}


@cache
def _language_patterns() -> dict[str, re.Pattern[str]]:
    out: dict[str, re.Pattern[str]] = {}
    for lang, words in data()["language_words"].items():
        body = "|".join(re.escape(fold(w)) for w in sorted(words, key=len, reverse=True))
        out[lang] = re.compile(rf"(?<![a-z])(?:{body})(?![a-z])")
    return out


def language_of(text: str) -> str:
    """Return the most likely language code of ``text`` (``en`` when unsure)."""
    scores = language_scores(text)
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] > 0 else "en"
