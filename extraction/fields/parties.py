"""Vendor and buyer names: party sections, legal-form suffixes, the header block.

The seller is whoever a "Seller"/"Verkäufer" section names; failing that, a
name ending in a legal form (GmbH, SARL, B.V., Sdn Bhd ...) outside the buyer's
block, preferably high on page 1; failing that, the first name-like line of
page 1. Names are never high-confidence on their own: a name has no checksum.
"""

from __future__ import annotations

import re
from functools import cache

from extraction.fields import context
from extraction.fields import labels
from extraction.fields.candidates import Candidate
from extraction.fields.candidates import to_field
from extraction.fields.context import Context
from extraction.models import FieldValue

_SEGMENT_SPLIT = re.compile(r"\s+[-\u2013|\u2022]\s+|,\s+|\s{3,}")


@cache
def _suffix_pattern() -> re.Pattern[str]:
    suffixes = sorted(
        {labels.fold(s) for s in labels.data()["company_suffixes"]["all"]}, key=len, reverse=True
    )
    body = "|".join(re.escape(s) for s in suffixes)
    return re.compile(rf"^(?P<name>[a-z0-9].*?(?<![a-z])(?:{body}))(?![a-z0-9])")


@cache
def _words(kind: str) -> re.Pattern[str]:
    words = sorted(
        (labels.fold(w) for w in labels.data()["party_words"][kind]), key=len, reverse=True
    )
    return re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(w) for w in words) + r")(?![a-z])")


def mentions_buyer(text: str) -> bool:
    """Return True when the text talks about the customer (its VAT ID, its address)."""
    return bool(_words("buyer").search(labels.fold(text)))


def mentions_debit(text: str) -> bool:
    """Return True when the text announces a direct debit (the IBAN is the buyer's)."""
    return bool(_words("debit").search(labels.fold(text)))


def buyer_block(ctx: Context) -> frozenset[int]:
    """Return the positions of lines that belong to a buyer/delivery section."""
    out: set[int] = set()
    for position, hit in ctx.hits_for("buyer_name"):
        if _is_heading(hit):
            out.update(_section(ctx, position))
    return frozenset(out)


def _is_heading(hit: labels.Hit) -> bool:
    return len(hit.rest) <= 2 or hit.chunk.text.rstrip().endswith(":")


def _section(ctx: Context, position: int) -> list[int]:
    out = [position]
    bottom = ctx.lines[position].bottom
    for index in range(position + 1, min(position + 8, len(ctx.lines))):
        line = ctx.lines[index]
        height = max(line.bottom - line.top, 4.0)
        if line.page != ctx.lines[position].page or line.top - bottom > height * 2.5:
            break
        out.append(index)
        bottom = line.bottom
    return out


def looks_like_name(text: str) -> bool:
    """Return True for text that could be a company or person name."""
    text = text.strip()
    letters = sum(c.isalpha() for c in text)
    digits = sum(c.isdigit() for c in text)
    if letters < 2 or digits > letters / 3 or len(text) > 80 or "@" in text:
        return False
    return not _words("not_name").search(labels.fold(text))


def party_fields(ctx: Context, fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """Return vendor_name and buyer_name where found."""
    out: dict[str, FieldValue] = {}
    vendor = _vendor(ctx)
    if vendor is not None:
        out["vendor_name"] = vendor
    buyer = _section_name(ctx, "buyer_name")
    if buyer is not None and (vendor is None or buyer.value != vendor.value):
        out["buyer_name"] = to_field(buyer, 0.8 * buyer.score, ctx)
    return out


def _vendor(ctx: Context) -> FieldValue | None:
    cands = [c for c in (_section_name(ctx, "vendor_name"),) if c is not None]
    cands += _suffix_names(ctx)
    if not cands:
        cands += _header_names(ctx)
    if not cands:
        return None
    top = max(cands, key=lambda c: c.score)
    return to_field(top, min(top.score, 0.9) * context.ocr_factor(top.place.chunk, ctx.method), ctx)


def _section_name(ctx: Context, name: str) -> Candidate | None:
    for position, hit in ctx.hits_for(name):
        if not _is_heading(hit) and looks_like_name(hit.rest):
            place = context.Place(hit.rest, hit.chunk, ctx.lines[position], "after", 1.0)
            return Candidate(_clean(hit.rest), 0.85, f"after label '{hit.label}'", place)
        if not _is_heading(hit):
            continue
        found = _name_in_section(ctx, position, hit)
        if found is not None:
            return found
    return None


def _name_in_section(ctx: Context, position: int, hit: labels.Hit) -> Candidate | None:
    section = _section(ctx, position)[1:]
    for index in section:
        for sub in ctx.hits[index]:
            if sub.field != "party_name":
                continue
            for place in context.values_for(ctx, index, sub):
                if looks_like_name(place.text):
                    why = f"'{sub.label}' in the '{hit.label}' section"
                    return Candidate(_clean(place.text), 0.9, why, place)
    for index in section:
        line = ctx.lines[index]
        for chunk in line.chunks:
            if chunk.x1 >= hit.chunk.x0 - 5 and looks_like_name(chunk.text) and not ctx.hits[index]:
                place = context.Place(chunk.text, chunk, line, "below", 1.0)
                return Candidate(_clean(chunk.text), 0.75, f"first line under '{hit.label}'", place)
    return None


def _suffix_names(ctx: Context) -> list[Candidate]:
    buyer = buyer_block(ctx)
    out: list[Candidate] = []
    first_page = ctx.lines[0].page if ctx.lines else 1
    for position, line in enumerate(ctx.lines):
        if line.page != first_page or position in buyer or mentions_buyer(line.text):
            continue
        for chunk in line.chunks:
            name = _suffix_name(chunk.text)
            if name is None:
                continue
            top = ctx.relative_top(line)
            score = 0.7 + (0.12 if top < 0.25 else 0.0) + (0.05 if top > 0.85 else 0.0)
            place = context.Place(chunk.text, chunk, line, "on line", 1.0)
            out.append(Candidate(name, score, "name with a legal-form suffix", place))
    return _boost_repeats(out)


def _suffix_name(text: str) -> str | None:
    for segment in _SEGMENT_SPLIT.split(text):
        folded, index = labels.fold_map(segment)
        match = _suffix_pattern().match(folded)
        if match is None:
            continue
        name = segment[: index[match.end("name") - 1] + 1]
        if looks_like_name(name) and len(name.split()) <= 8:
            return _clean(name)
    return None


def _boost_repeats(cands: list[Candidate]) -> list[Candidate]:
    counts: dict[str, int] = {}
    for cand in cands:
        key = labels.fold(str(cand.value))
        counts[key] = counts.get(key, 0) + 1
    return [
        Candidate(
            c.value,
            min(c.score + 0.05 * (counts[labels.fold(str(c.value))] - 1), 0.9),
            c.reason,
            c.place,
        )
        for c in cands
    ]


def _header_names(ctx: Context) -> list[Candidate]:
    first_page = ctx.lines[0].page if ctx.lines else 1
    for position, line in enumerate(ctx.lines[:8]):
        if line.page != first_page or ctx.hits[position]:
            continue
        chunk = line.chunks[0]
        if looks_like_name(chunk.text) and sum(c.isalpha() for c in chunk.text) >= 3:
            place = context.Place(chunk.text, chunk, line, "on line", 1.0)
            return [Candidate(_clean(chunk.text), 0.55, "first name-like line of page 1", place)]
    return []


def _clean(text: str) -> str:
    return text.strip().strip(",;:-\u2013|").strip()
