"""The header of a till receipt: its first lines of print, and which of them read as a name.

The header is the name, then the address, phone and registration numbers, then the title;
below the title come the customer and the bill. Its lines are counted from the first word
(specks above the print are no lines of it) and end at the title once the shop's address was
printed, or 40 % down the print. A line's text keeps the chunks read surely enough or that
read as a name, without the registration number printed after the name (:func:`bare_name`);
a word OCR could not read before BHD is SDN, the only form of two words that ends so.
:mod:`extraction.fields.shop_names` chooses the shop's name among them.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache

from extraction.fields import labels
from extraction.fields import legal_forms
from extraction.fields import parties
from extraction.fields.context import Context
from extraction.text.layout import Chunk
from extraction.text.layout import Line

#: Words of a name and nothing else: tesseract's confidence in them can be 0 when the
#: letters are large and bold, yet they are read right ("ENTERPRISE").
PLAIN_WORDS = re.compile(r"[A-Za-z][A-Za-z&'\u2019.\-]*(?: [A-Za-z&'\u2019.\-]+)*")
#: How many lines from the top the shop's name is looked for in (counted from the first word).
HEADER_LINES = 10
#: A document's title alone on its line: printed after the shop's address, it ends the header.
_TITLE = re.compile(
    r"(?:simplified )?(?:tax )?invoice|(?:official |cash |sales )?receipt|cash bill|cash sales?"
)
#: A bracketed group inside a name: the branch ("(JALAN KLANG LAMA)") or "(M)".
_BRANCH = re.compile(r"\([^()]*\)")
#: A price: "VEGETABLES 2.20 ZRL" is a bill's line, whatever its tax code reads as.
_PRICE = re.compile(r"(?<![\d.,])\d+[.,]\d\d(?![\d.,])")
#: Tesseract's confidence in a word it could not read at all.
_UNREADABLE = 0.1
_POSTCODE = re.compile(r"(?<!\d)\d{5}(?!\d)")
_TYPOGRAPHIC_APOSTROPHE = "\u2019"
#: "BOOK TA .K(TAMAN DAYA)": a branch's bracket printed against the word before it ("MR.D.I.Y(M)"
#: is how that shop prints its form).
_GLUED_BRACKET = re.compile(r"(?<=[A-Za-z.])\((?=[A-Za-z]{2})")
#: A bracketed group ending a line with a digit in at least four characters: a
#: registration number, however garbled ("(587969-U)", "( lu/SJ&9-P)"), but not "[002]".
_NUMBERED_GROUP = re.compile(r"\s*[(\[](?=[^()\[\]]*\d)[^()\[\]]{4,}[)\]]?\s*$")
#: A code with leading zeros before a name is a till's store number, not a name's ("7 ELEVEN").
_STORE_NUMBER = re.compile(r"^#?0\d{2,}\s+(?=[A-Za-z])")
#: A registration inside the line ends the name: "MYNEWS RETAIL SB(306295-X) FKA BISON STORES SB".
_REGISTRATION_INSIDE = re.compile(r"\s*\(\s*\d{4,}-?\s*[A-Za-z]\s*\).*$")
# "273500-U (KSB)": the company number, then the branch's code.
_REGISTRATION = re.compile(
    r"\s*[(\[]?\s*\d[\d\s]{3,}-?\s*[A-Z]?\s*[)\]]?(?:\s*\([A-Z0-9]{1,4}\))?\s*$"
)
# "KING?S": OCR's question mark between two letters is the apostrophe it could not place.
_LOST_APOSTROPHE = re.compile(r"(?<=[A-Za-z])\?(?=[A-Za-z]\b)")
# "POPULAR BOOK CO. CM) SDN BHD": an opening bracket read as a letter before "(M)".
_LOST_BRACKET = re.compile(r"(?<!\S)[CcTt{\[|]([A-Z]{1,2})\)")
# "—sSUBANG HEALTHCARE": a dash, and a stray small letter after it, before a capitalised name.
_LEADING_SMUDGE = re.compile(r"^[^\w(\[]+(?:[a-z](?=[A-Z]{2}))?")


def header(ctx: Context) -> list[tuple[Line, str]]:
    # A billing or delivery address block ("Factuuradres" over "Strategic Corp") is the
    # customer's, however high on the page it sits.
    buyer = parties.buyer_block(ctx)
    out: list[tuple[Line, str]] = []
    for position, read in _top_lines(ctx):
        if position in buyer:
            continue
        line = _with_form_completed(read)
        legal = _legal(line.text)
        kept = (
            c.text
            for c in line.chunks
            if legal or c.conf >= 0.3 or _plain_name(c.text) or _legal(c.text)
        )
        text = _LEADING_SMUDGE.sub("", " ".join(kept)).strip(" |:;,.-_*'\"")
        text = _without_trailing_speck(line, text)
        if text:
            out.append((line, text))
    return out


def _with_form_completed(line: Line) -> Line:
    chunks = tuple(_form_completed(chunk) for chunk in line.chunks)
    return line if chunks == line.chunks else replace(line, chunks=chunks)


def _form_completed(chunk: Chunk) -> Chunk:
    # "RAPID RAIL SC': BHD": tesseract could not read the word before BHD at all, and it starts
    # as SDN does. "SDN BHD" is the only form of two words that ends in BHD: the word is SDN,
    # as sure as the BHD that confirms it.
    words = list(chunk.words)
    for i in range(1, len(words)):
        before, form = words[i - 1], words[i]
        if (
            before.conf < _UNREADABLE
            and 2 <= len(before.text) <= 4
            and before.text[0] in "Ss$5"
            and legal_forms.suffix_of([form.text]) == ("bhd",)
        ):
            words[i - 1] = replace(before, text="SDN", conf=form.conf)
    return Chunk(tuple(words))


def _top_lines(ctx: Context) -> list[tuple[int, Line]]:
    if not ctx.lines:
        return []
    first = ctx.lines[0]
    out: list[tuple[int, Line]] = []
    counted = 0
    for position, line in enumerate(ctx.lines):
        if counted == HEADER_LINES or line.page != first.page or _below_header(ctx, first, line):
            break
        # Specks read as "|" or "I" above the print ("|", "|", "I", "A" over a shop's
        # name) are not lines of its header: the count starts at the first word.
        counted += counted > 0 or any(sum(c.isalnum() for c in w) >= 2 for w in line.text.split())
        out.append((position, line))
        if _TITLE.fullmatch(labels.fold(line.text).strip(" .:*-=")) and _addressed(out):
            break
    return out


def _below_header(ctx: Context, first: Line, line: Line) -> bool:
    # The header is the top 40 % of the print, which a photo may show far down its frame.
    start = ctx.relative_top(first)
    return ctx.relative_top(line) - start > 0.4 * (1.0 - start)


def _addressed(lines: list[tuple[int, Line]]) -> bool:
    return any(_POSTCODE.search(line.text) for _, line in lines)


def _without_trailing_speck(line: Line, text: str) -> str:
    # "PERNIAGAAN RIANG RIA 4": a lone digit read unsure after a name is a speck of the paper.
    last = line.chunks[-1].words[-1]
    if len(last.text) == 1 and last.text.isdigit() and last.conf < 0.5 and text.endswith(last.text):
        return text[:-1].rstrip()
    return text


def bare_name(text: str) -> str:
    """Return a header line's name without the registration number printed after it.

    "Dion Realties Sdn Bhd (Co. No:20154-T)", "Farmasi Maluri S/B(587969-U)": a
    bracketed group holding a long number is a registration, not part of the name; inside
    the line it ends the name. OCR's "_" for a space, "?" for an apostrophe, a letter for an
    opening bracket ("CM)") and a typographic apostrophe for the till's plain one are put
    back as printed. A store's number before the name ("#000002 BAIFU (M) SDN BHD") is none
    of it.
    """
    name = _NUMBERED_GROUP.sub("", _REGISTRATION_INSIDE.sub("", _STORE_NUMBER.sub("", text)))
    name = _REGISTRATION.sub("", name).replace("_", " ").replace(_TYPOGRAPHIC_APOSTROPHE, "'")
    name = _LOST_APOSTROPHE.sub("'", name)
    if "(" not in name:
        name = _LOST_BRACKET.sub(r"(\1)", name)
    return " ".join(_GLUED_BRACKET.sub(" (", name).split())


def _legal(text: str) -> bool:
    # A legal form at the end ("FOUR QUARTERS SUN BHD") makes doubtful words a name.
    return legal_forms.suffix_of(bare_name(text).split()) is not None


def _plain_name(text: str) -> bool:
    # Three letters alone at low confidence are more often a smudge read as "Bee".
    return len(text) >= 4 and bool(PLAIN_WORDS.fullmatch(text))


def is_name_line(text: str) -> bool:
    letters = sum(c.isalpha() for c in text)
    words = [w for w in re.findall(r"[A-Za-z&']+", text) if len(w) >= 2]
    if letters < 4 or not words or letters < 0.6 * len(text.replace(" ", "")):
        return False
    if max(len(w) for w in words) < 3:
        return False
    digits = sum(c.isdigit() for c in text)
    if digits > letters / 3 or _POSTCODE.search(text) or _PRICE.search(text) or "@" in text:
        return False
    # "BOOK TA .K (TAMAN DAYA) SDN BHD": a branch in brackets may name its street or estate.
    return not _receipt_word(labels.fold(_BRANCH.sub(" ", text)), "not_vendor")


@cache
def _receipt_pattern(kind: str) -> re.Pattern[str]:
    words = sorted((labels.fold(w) for w in labels.data()["receipt_words"][kind]), key=len)
    body = "|".join(re.escape(w) for w in reversed(words))
    return re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z])")


def _receipt_word(folded: str, kind: str) -> bool:
    return bool(_receipt_pattern(kind).search(folded))
