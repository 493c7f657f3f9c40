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
from extraction.fields import legal_forms
from extraction.fields.candidates import Candidate
from extraction.fields.candidates import to_field
from extraction.fields.context import Context
from extraction.models import FieldValue
from extraction.models import Method
from extraction.text.layout import Chunk
from extraction.text.layout import Line

#: A hyphen joining the label to the next word: one compound word, not "label - value".
_COMPOUND = re.compile(r"-[^\W\d_]")
#: Points (about 2 cm): the least a column reaches past its heading's end.
MIN_COLUMN = 50.0
#: A postcode followed by a town ("69001 Lyon", "88802Spielkreis", "D-80333 München").
_POSTCODE = re.compile(r"(?<![\d.,])(?:[a-z]{1,2}-)?\d{4,5}\s?[a-z]{3,}")
_SEGMENT_SPLIT = re.compile(r"\s+[-\u2013|\u2022]\s+|,\s+|\s{3,}")
#: A web address or e-mail domain: "www.acme-tools.de", "info@acme.fr", "https://acme.com/x".
_DOMAIN = re.compile(
    r"(?:@|\bwww\.|https?://(?:www\.)?)(?P<name>[a-z0-9][a-z0-9-]{1,40})\.[a-z]{2,6}\b", re.I
)
#: Mail and web hosts that name no company.
_GENERIC_DOMAINS = frozenset(
    {
        "gmail",
        "googlemail",
        "yahoo",
        "hotmail",
        "outlook",
        "live",
        "gmx",
        "web",
        "orange",
        "free",
        "wanadoo",
        "aol",
        "icloud",
        "t-online",
        "libero",
        "tcpdf",
        "google",
        "paypal",
    }
)


@cache
def _suffix_pattern(*, longest: bool = False) -> re.Pattern[str]:
    suffixes = sorted(
        {labels.fold(s) for s in labels.data()["company_suffixes"]["all"]}, key=len, reverse=True
    )
    body = "|".join(re.escape(s) for s in suffixes)
    reach = ".*" if longest else ".*?"
    return re.compile(rf"^(?P<name>[a-z0-9]{reach}(?<![a-z])(?:{body}))(?![a-z0-9])")


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


def _labelled_value(hit: labels.Hit) -> bool:
    # "Seller: ACME SA" names a party; "Lieferant GmbH" or "Facture à régler" does not,
    # nor does a compound ("Verkäufer-BIC:" is the seller's BIC).
    after = hit.chunk.text[hit.end :].lstrip()
    compound = _COMPOUND.match(hit.chunk.text, hit.end) is not None
    return (
        hit.start <= 2 and after[:1] in (":", "-", "\u2013") and len(hit.rest) > 2 and not compound
    )


def _is_heading(hit: labels.Hit) -> bool:
    # "Bill to:" heads a block; "Facture à régler par virement :" is a sentence.
    return hit.start <= 2 and len(hit.rest) <= 2


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
    buyer = _section_name(ctx, "buyer_name") or _section_name(ctx, "delivery_name")
    if buyer is None or (vendor is not None and buyer.value == vendor.value):
        buyer = _addressee(ctx, vendor)
    if buyer is not None and (vendor is None or buyer.value != vendor.value):
        out["buyer_name"] = to_field(buyer, 0.8 * buyer.score, ctx)
    return out


def _addressee(ctx: Context, vendor: FieldValue | None) -> Candidate | None:
    """Return the first line of the unlabelled address block in the top part of page 1.

    Letters put the addressee where an envelope window shows it, below the
    letterhead: a block of left-aligned lines with a postcode + town. The seller's own
    block (it holds the seller's name) is not the addressee.
    """
    seller = labels.fold(str(vendor.value)) if vendor is not None else None
    for block in _blocks(ctx):
        first = block[0]
        texts = [labels.fold(c.text) for _, c in block]
        if seller and any(seller in t for t in texts):
            continue
        if len(block) < 3 or not any(_POSTCODE.search(t) for t in texts[1:]):
            continue
        line, chunk = ctx.lines[first[0]], first[1]
        if looks_like_name(chunk.text) and not any(h.chunk is chunk for h in ctx.hits[first[0]]):
            place = context.Place(chunk.text, chunk, line, "on line", 1.0)
            return Candidate(_clean(chunk.text), 0.7, "first line of the address block", place)
    return None


def _blocks(ctx: Context) -> list[list[tuple[int, Chunk]]]:
    """Group page-1 chunks of the top half into left-aligned, closely stacked blocks."""
    first_page = ctx.lines[0].page if ctx.lines else 1
    blocks: list[list[tuple[int, Chunk]]] = []
    for position, line in enumerate(ctx.lines):
        # The letterhead fills the top tenth; the envelope window sits below it.
        if line.page != first_page or not 0.1 < ctx.relative_top(line) < 0.45:
            continue
        for chunk in line.chunks:
            _place_in_block(blocks, position, chunk)
    return blocks


def _place_in_block(blocks: list[list[tuple[int, Chunk]]], position: int, chunk: Chunk) -> None:
    height = max(chunk.bottom - chunk.top, 4.0)
    for block in blocks:
        last = block[-1][1]
        if abs(last.x0 - chunk.x0) <= 3 and 0 <= chunk.top - last.bottom <= height * 3:
            block.append((position, chunk))
            return
    blocks.append([(position, chunk)])


def _vendor(ctx: Context) -> FieldValue | None:
    cands = [c for c in (_section_name(ctx, "vendor_name"),) if c is not None]
    cands += _suffix_names(ctx)
    cands += _account_holders(ctx, cands)
    if not cands:
        cands += _header_names(ctx)
    if not cands:
        cands += _domain_names(ctx)
    if not cands:
        return None
    top = _without_stated_form(max(cands, key=lambda c: c.score), ctx.text)
    return to_field(top, min(top.score, 0.9) * context.place_factor(top.place, ctx.method), ctx)


#: A legal form stated on its own in the legal notice: "SARL au capital de 120 000 €".
_STATED_FORM = re.compile(r"(?<![a-z])(?P<form>[a-z.]{2,8})\s+au\s+capital(?:\s+social)?\s+de\b")


def _without_stated_form(cand: Candidate, text: str) -> Candidate:
    """Drop a trailing legal form that the page states apart from the name.

    French law keeps the legal form out of the company's name (the "dénomination
    sociale") and has the page state it in the legal notice, "SARL au capital de
    ...". The letterhead's "Au bon moulin SARL" is then the name and the form side
    by side; the name is "Au bon moulin". A form not restated that way stays.
    """
    forms = {m.group("form") for m in _STATED_FORM.finditer(labels.fold(text))}
    name = str(cand.value)
    words = name.split()
    if len(words) < 2 or labels.fold(words[-1]) not in forms:
        return cand
    trimmed = _clean(" ".join(words[:-1]))
    why = f"{cand.reason}; the legal form '{words[-1]}' is stated apart"
    return Candidate(trimmed, cand.score, why, cand.place)


def _section_name(ctx: Context, name: str) -> Candidate | None:
    for position, hit in ctx.hits_for(name):
        if _labelled_value(hit) and looks_like_name(hit.rest):
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
    left, right = _column(ctx.lines[position], hit.chunk)
    for index in section:
        line = ctx.lines[index]
        cells = [c for c in line.chunks if left <= c.x0 < right]
        text = " ".join(c.text for c in cells)
        # "N ame:": a label OCR split, so no label hit; a cell ending in a colon names a field.
        if cells and cells[0].text.rstrip().endswith(":"):
            continue
        if cells and looks_like_name(text) and not _any_hit(cells, ctx.hits[index]):
            text = " ".join(c.text for c in _near(cells, hit.chunk))
            place = context.Place(text, cells[0], line, "below", 1.0)
            return Candidate(_clean(text), 0.75, f"first line under '{hit.label}'", place)
    return None


def _column(line: Line, heading: Chunk) -> tuple[float, float]:
    """Return the x-range of a heading's column: up to the next heading on its line."""
    right = min((c.x0 for c in line.chunks if c.x0 > heading.x1), default=float("inf"))
    return heading.x0 - 5, right - 1


def _near(cells: list[Chunk], heading: Chunk) -> list[Chunk]:
    # A heading alone on its line ("Adresse de livraison") may have a block beside it
    # without a heading of its own, whose line OCR joins to this one ("Ma jolie
    # boutique | Hotel Saint Denis"): the name ends where that column starts, one
    # heading's width (at least MIN_COLUMN) past the heading's end.
    reach = heading.x1 + max(heading.x1 - heading.x0, MIN_COLUMN)
    return [c for c in cells if c.x0 < reach] or cells


def _any_hit(cells: list[Chunk], hits: tuple[labels.Hit, ...]) -> bool:
    # A label word inside a name ("MUSTER-KUNDE GMBH") does not make the line a label.
    return any(h.chunk in cells and (_is_heading(h) or _labelled_value(h)) for h in hits)


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
            if context.method_of(chunk, ctx.method) is Method.OCR:
                name = legal_forms.spelled(name) or name  # "CITY SON BHD" is "CITY SDN BHD"
            top = ctx.relative_top(line)
            score = 0.7 + (0.12 if top < 0.25 else 0.0) + (0.05 if top > 0.85 else 0.0)
            place = context.Place(chunk.text, chunk, line, "on line", 1.0)
            out.append(Candidate(name, score, "name with a legal-form suffix", place))
    return _boost_repeats(out)


def _suffix_name(text: str) -> str | None:
    for segment in _SEGMENT_SPLIT.split(text):
        folded, index = labels.fold_map(segment)
        match = _suffix_pattern().match(folded)
        if match is not None and folded[match.end() :].lstrip().startswith("&"):
            # "HOME MASTER HARDWARE & ELECTRICAL": the name goes on past its trade.
            longest = _suffix_pattern(longest=True).match(folded)
            match = longest if longest is not None and longest.end() > match.end() else None
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
    # A letter may open with the addressee under "Factuuradres"/"Bill to": that is the buyer.
    buyer = buyer_block(ctx)
    first_page = ctx.lines[0].page if ctx.lines else 1
    for position, line in enumerate(ctx.lines[:8]):
        if line.page != first_page or ctx.hits[position] or position in buyer:
            continue
        chunk = line.chunks[0]
        if looks_like_name(chunk.text) and sum(c.isalpha() for c in chunk.text) >= 3:
            place = context.Place(chunk.text, chunk, line, "on line", 1.0)
            return [Candidate(_clean(chunk.text), 0.55, "first name-like line of page 1", place)]
    return []


def _clean(text: str) -> str:
    return text.strip().strip(",;:-\u2013|").strip()


def _account_holders(ctx: Context, others: list[Candidate]) -> list[Candidate]:
    """Return the holder of the account named in the payment details ("Kontoinhaber: X").

    The payee of the bank details is the seller; a name that another rule found
    too (a letterhead name with a legal form) is corroborated by it.
    """
    out: list[Candidate] = []
    seen = {labels.fold(str(c.value)) for c in others}
    for position, hit in ctx.hits_for("account_holder"):
        name = _clean(_SEGMENT_SPLIT.split(hit.rest)[0]) if hit.rest else ""
        if len(name) < 2 or not looks_like_name(name) or mentions_buyer(name):
            continue
        agrees = labels.fold(name) in seen
        score = 0.85 if agrees else 0.72
        place = context.Place(name, hit.chunk, ctx.lines[position], "after", 1.0)
        out.append(Candidate(name, score, f"account holder after '{hit.label}'", place))
    return out


def _domain_names(ctx: Context) -> list[Candidate]:
    """Return the brand in a printed web address or e-mail domain, as a last resort.

    Brands often show their name only in a logo; the web address in the footer
    still names them. A domain is not a company name (no legal form, no
    spelling), so this is never more than a low-confidence hint.
    """
    buyer = buyer_block(ctx)
    for position, line in enumerate(ctx.lines):
        if position in buyer or mentions_buyer(line.text):
            continue
        for chunk in line.chunks:
            for match in _DOMAIN.finditer(chunk.text):
                name = match.group("name")
                if name.lower() in _GENERIC_DOMAINS or not any(c.isalpha() for c in name):
                    continue
                place = context.Place(chunk.text, chunk, line, "on line", 1.0)
                why = "brand from a printed web/e-mail domain (no better candidate)"
                return [Candidate(name.capitalize(), 0.4, why, place)]
    return []
