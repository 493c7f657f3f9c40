"""The shop's name on a till receipt: the header line that names it, read through OCR's slips.

Among the header's lines (:mod:`extraction.fields.receipt_header`), the name is the first line
with a legal form ("SDN BHD", "S/B", "TRADING"; OCR's slips in a form are read back to the
dictionary spelling), else the first line that reads as a name. A company the receipt names
as its seller ("Owned by") comes first, and one on the line below a brand ("KIKU JAPANESE
RESTAURANT" / "TK DIVISION KITCHEN SDN BHD") before the brand; a name printed over two lines
("LIAN CHI VEGETARIAN" / "RESTAURANT SDN BHD") is joined. A form is checked against a closed
list, so OCR's doubt about its letters is no doubt about the name; a trade in the name
("PHARHACY") is read back to its spelling as a form is (:mod:`extraction.fields.trade_words`).
"""

from __future__ import annotations

import re
from dataclasses import replace

from extraction.fields import legal_forms
from extraction.fields import receipt_header
from extraction.fields import trade_words
from extraction.fields.context import Context
from extraction.fields.context import chunk_field
from extraction.models import FieldValue
from extraction.text.layout import Chunk
from extraction.text.layout import Line

#: A line that is one bracketed group of a few words, letters only: a branch. OCR reads
#: the closing bracket as a brace or square bracket now and then ("(JALAN KLANG LAMA}").
_BRANCH_LINE = re.compile(r"\(\s*([A-Za-z][A-Za-z.' ]{2,40}?)\s*[)}\]]")


def receipt_vendor(ctx: Context) -> FieldValue | None:
    """Return the shop's name: a header line with a legal form, else the first name line.

    A company the receipt names as its seller ("Owned by" over "Dommal Food Services
    Sdn Bhd", below a "DOMINO'S PIZZA" header) comes first: the books want the legal
    seller, not the brand. A trade in the name is spelled right ("Hardwae": HARDWARE).
    """
    found = _shop_name(ctx)
    if found is None or not isinstance(found.value, str):
        return found
    return replace(found, value=trade_words.respelled(found.value))


def _shop_name(ctx: Context) -> FieldValue | None:
    named = _named_seller(ctx)
    if named is not None:
        return named
    header = receipt_header.header(ctx)
    names = [i for i, (_, text) in enumerate(header) if _reads_as_name(text)]
    found = _suffixed(header, names[:4])
    if found is not None:
        line, chunk, name = found
        why = "receipt header line with a legal-form suffix"
        return chunk_field(ctx, name, 0.8, why, line, chunk, _name_words(chunk))
    for index in names:
        block = _name_block(header, names, index)
        words = [w for line, _ in block for c in line.chunks for w in c.words]
        if sum(w.conf for w in words) / len(words) >= 0.4:
            line = block[0][0]
            name = " ".join(receipt_header.bare_name(text) for _, text in block)
            why = "first name line of the receipt"
            if len(block) > 1:
                why = "name printed over two lines of the receipt's header"
            return chunk_field(ctx, name, 0.6, why, line, line.chunks[0])
    return None


def _reads_as_name(text: str) -> bool:
    return receipt_header.is_name_line(receipt_header.bare_name(text))


def _name_words(chunk: Chunk) -> Chunk:
    # The legal form was read back to a closed list ("$/B" at 0.02 is S/B): tesseract's doubt
    # about its letters is no doubt about the name. The words before it carry the doubt.
    suffix = legal_forms.suffix_of([w.text for w in chunk.words])
    if suffix is None or len(chunk.words) <= len(suffix):
        return chunk
    return Chunk(chunk.words[: -len(suffix)])


def _name_block(
    header: list[tuple[Line, str]], names: list[int], index: int
) -> list[tuple[Line, str]]:
    # "RESTAURANT JIAWEI" over "JIAWEI HOUSE" over "002693074-K": the registration number
    # follows the whole name, so two name lines right above it are one name. A line with
    # a number ("22 LRG PERUSAHAAN 4") is the address, printed before it on some tills.
    after = index + 2
    if header[index][1].endswith(" &") and index + 1 in names:
        return header[index:after]  # "HOME MASTER HARDWARE &" over "ELECTRICAL"
    if (
        index + 1 in names
        and not any(c.isdigit() for c in header[index + 1][1])
        and after < len(header)
        and _registration_line(header[after][1])
    ):
        return header[index:after]
    return header[index : index + 1]


def _registration_line(text: str) -> bool:
    return any(c.isdigit() for c in text) and not receipt_header.bare_name(text)


def _named_seller(ctx: Context) -> FieldValue | None:
    for position, hit in ctx.hits_for("vendor_name"):
        line = ctx.lines[position]
        if hit.start > 2:
            continue  # inside a sentence: "Paid by transfer from MAYBANK BERHAD"
        if hit.rest:
            text, chunk = hit.rest, hit.chunk
        elif position + 1 < len(ctx.lines) and hit.chunk is line.chunks[-1]:
            line = ctx.lines[position + 1]
            text, chunk = line.text, line.chunks[0]
        else:
            continue
        name = legal_forms.spelled(receipt_header.bare_name(text))
        if name is not None and receipt_header.is_name_line(name):
            why = f"company named after '{hit.label}'"
            return chunk_field(ctx, name, 0.8, why, line, chunk, _name_words(chunk))
    return None


def _suffixed(header: list[tuple[Line, str]], names: list[int]) -> tuple[Line, Chunk, str] | None:
    for index in names:
        line, whole = header[index]
        # Rightmost first: "SWC" | "ENTERPRISE" | "SDN BHD" is one name, not "SWC ENTERPRISE".
        # The whole line last: "—sSUBANG HEALTHCARE SDN" | "BHD" is one name too.
        spans = [(c, _with_left_words(line, p)) for p, c in reversed(list(enumerate(line.chunks)))]
        for chunk, text in [*spans, (line.chunks[-1], whole)]:
            fixed = legal_forms.spelled(receipt_header.bare_name(text).rsplit(":", 1)[-1])
            if fixed is None or not receipt_header.is_name_line(fixed):
                continue
            if _continues(fixed) and index - 1 in names:
                # "LIAN CHI VEGETARIAN" over "RESTAURANT SDN BHD": one name on two lines.
                return line, chunk, f"{header[index - 1][1]} {fixed}"
            below = _company_below(fixed, header, names, index)
            if below is not None:
                return below
            return line, chunk, _with_form_below(fixed.strip(), header, index)
    for index in names:
        line, text = header[index]
        if index + 1 < len(header):
            joined = _joined(text, header[index + 1][1])
            if joined is not None:
                return line, line.chunks[0], joined
    return None


def _company_below(
    name: str, header: list[tuple[Line, str]], names: list[int], index: int
) -> tuple[Line, Chunk, str] | None:
    # "KIKU JAPANESE RESTAURANT" over "TK DIVISION KITCHEN SDN BHD": a trade word ends the
    # shop's name; the company that runs it is the next line, with a legal form of its own.
    if not _trade_only(name) or index + 1 not in names:
        return None
    line, text = header[index + 1]
    fixed = legal_forms.spelled(receipt_header.bare_name(text))
    if (
        fixed is None
        or _trade_only(fixed)
        or _continues(fixed)
        or not receipt_header.is_name_line(fixed)
    ):
        return None
    return line, line.chunks[-1], fixed


def _trade_only(name: str) -> bool:
    return " ".join(legal_forms.suffix_of(name.split()) or ()) in legal_forms.trade_words()


def _with_form_below(name: str, header: list[tuple[Line, str]], index: int) -> str:
    # "TSH POWER HARDWARE" over "TRADING": a line that is only a legal form ends the name,
    # unless the name already ended in one ("KFC SDN BHD" over "RESTAURANT").
    if not _trade_only(name):
        return _with_branch_below(name, header, index)
    bracketed = _bracketed_below(name, header, index)
    if bracketed is not None:
        return bracketed
    below = (
        receipt_header.bare_name(header[index + 1][1]).split() if index + 1 < len(header) else []
    )
    suffix = legal_forms.suffix_of(below)
    if suffix is None or len(below) != len(suffix):
        return name
    return legal_forms.spelled(" ".join([name, *below])) or name


def _with_branch_below(name: str, header: list[tuple[Line, str]], index: int) -> str:
    # "CHECKERS HYPERMARKET SDN BHD" over "(JALAN KLANG LAMA)": the branch, printed alone in
    # brackets under the company, is part of the name the receipt gives; "(162761-M)"
    # there is its registration (_BRANCH_LINE holds no digit).
    below = header[index + 1][1].strip() if index + 1 < len(header) else ""
    branch = _BRANCH_LINE.fullmatch(below)
    if branch is None or legal_forms.suffix_of(name.split()) is None:
        return name
    return f"{name} ({' '.join(branch.group(1).split())})"


def _bracketed_below(name: str, header: list[tuple[Line, str]], index: int) -> str | None:
    # "AIK HUAT HARDWARE" over "ENTERPRISE (SETIA" over "ALAM) SDN BHD": a bracket opened on
    # the next line and closed on the one after carries the name on to its legal form.
    below = [receipt_header.bare_name(text) for _, text in header[index + 1 : index + 3]]
    if len(below) < 2 or not (_opens_bracket(below[0]) and _closes_bracket(below[1])):
        return None
    joined = legal_forms.spelled(" ".join([name, *below]))
    return joined if joined is not None and not _trade_only(joined) else None


def _opens_bracket(text: str) -> bool:
    return text.count("(") > text.count(")")


def _closes_bracket(text: str) -> bool:
    return text.count(")") > text.count("(")


def _with_left_words(line: Line, position: int) -> str:
    # Wide letter spacing splits one name into chunks ("FY EAGLE" | "ENTERPRISE",
    # "Taste Of" | "The World Sdn Bhd"): plain words to the left belong to it.
    start = position
    while start > 0 and receipt_header.PLAIN_WORDS.fullmatch(line.chunks[start - 1].text):
        start -= 1
    return " ".join(c.text for c in line.chunks[start : position + 1])


def _continues(name: str) -> bool:
    words = name.split()
    suffix = legal_forms.suffix_of(words) or ()
    head = words[: len(words) - len(suffix)]
    # "CO. CM) SDN BHD": a bracket closed but not opened was opened on the line above.
    joined = " ".join(head)
    if ")" in joined and "(" not in joined:
        return True
    # "CO. (M) SDN BHD": a form and a bracket are no name of their own; "BEMED (SP)" is one.
    form_first = len(head) == 2 and "(" in head[1] and legal_forms.suffix_of(head[:1]) is not None
    # "RESTAURANT SDN BHD" under "LIAN CHI VEGETARIAN": one word and a form are no name of
    # their own, unless the form is a trade and the word a name ("YONGFATT ENTERPRISE").
    single = len(head) == 1 and (not _trade_only(name) or trade_words.is_trade(head[0]))
    # "& TEA LEAF (M) SDN. BHD." under "THE COFFEE BEAN": an "and" starts no name.
    return not head or single or head[0].startswith(("(", "&")) or form_first


def _joined(text: str, below: str) -> str | None:
    # "MPH BOOKSTORES" over "SDN BHD": the legal form got a line of its own.
    words = receipt_header.bare_name(below).split()
    suffix = legal_forms.suffix_of(words)
    # "379,JALAN PERMAS SATU": an address is no name, whatever slip makes a form of its end.
    if (
        suffix is None
        or len(words) - len(suffix) > 2
        or not receipt_header.is_name_line(" ".join(words))
    ):
        return None
    return legal_forms.spelled(" ".join([text, *words]))
