"""Identifiers: VAT IDs (python-stdnum), IBAN and BIC (schwifty), document numbers.

Checksums are what make an identifier trustworthy: a valid one may reach high
confidence, a well-shaped but invalid one is still reported (labelled) at low
confidence so validation can flag it instead of the value silently vanishing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extraction.fields import amounts
from extraction.fields import dates

#: EU member states (Greece as EL and GR), then Northern Ireland and the non-EU prefixes we check.
_EU = "AT|BE|BG|CY|CZ|DE|DK|EE|EL|GR|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK"
_COUNTRIES = _EU + "|XI|GB|CH|NO"
_VAT = re.compile(
    rf"(?<![A-Z0-9])(?P<cc>{_COUNTRIES})[ .-]?"
    r"(?P<body>(?:U)?[0-9A-Z](?:[ .]?[0-9A-Z]){7,13})(?![0-9A-Z])"
)
_IBAN = re.compile(r"(?<![A-Z0-9])(?P<iban>[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){10,30})")
_BIC = re.compile(r"(?<![A-Z0-9])(?P<bic>[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)(?![A-Z0-9])")
_DOC_NUMBER = re.compile(r"^[#]?\s?(?P<num>[A-Za-z0-9][A-Za-z0-9_/.\-]{1,34}[A-Za-z0-9])")
_PHONE = re.compile(r"^\+?\(?\d{2,4}\)?[ ./-]\d{2,4}[ ./-]\d{2,4}")
#: An underscore drawn as its own glyph comes out of the text layer with spaces around it.
_SPACED_UNDERSCORE = re.compile(r"(?<=[A-Za-z0-9])\s*_\s*(?=[A-Za-z0-9])")
#: An IBAN as OCR may read it: look-alike letters in its check digits ("NLSO").
#: Tried at every word's start ("IBAN NLSO…" also starts an IBAN-shaped run at "IBAN").
_IBAN_LIKE = re.compile(r"(?<![A-Z0-9])(?=(?P<iban>[A-Z]{2}[0-9A-Z]{2}(?:[ ]?[A-Z0-9]){10,30}))")
_SPEC_PART = re.compile(r"(\d+)!([anc])")
#: Look-alikes OCR confuses, each way.
_AS_DIGIT = {
    "O": "0",
    "D": "0",
    "Q": "0",
    "I": "1",
    "L": "1",
    "Z": "2",
    "S": "5",
    "G": "6",
    "B": "8",
}
_AS_LETTER = {"0": "O", "1": "I", "2": "Z", "5": "S", "6": "G", "8": "B"}
#: At most this many characters put back: more is a guess, not a reading.
MAX_RESTORED = 2
#: "Nr." or "N°" that OCR glued to the number it announces ("Nr.471102").
_GLUED_MARKER = re.compile(r"^(?:(?:Nr|No)[.:]|N[°º])\s?(?=\d)", re.IGNORECASE)
#: A short capital prefix printed apart from the rest ("BLR WFLD2015...", "INV 20931").
_SPLIT_PREFIX = re.compile(
    r"^#?\s?(?P<prefix>[A-Z]{2,5})\s(?P<rest>[A-Z0-9][A-Za-z0-9_/.\-]{3,34})"
)


@dataclass(frozen=True)
class FoundId:
    """An identifier found in text: compact form, checksum verdict, position."""

    value: str
    valid: bool
    start: int
    end: int


def vat_ids(text: str) -> list[FoundId]:
    """Return VAT-ID-shaped tokens in ``text``, compacted, with their checksum verdict."""
    from stdnum.eu import vat as eu_vat

    out: list[FoundId] = []
    for match in _VAT.finditer(text.upper()):
        compact = re.sub(r"[ .-]", "", match.group(0))
        if not any(c.isdigit() for c in compact[2:]) or sum(c.isdigit() for c in compact) < 7:
            continue
        valid = _vat_valid(eu_vat, compact)
        out.append(FoundId(compact, valid, match.start(), match.end()))
    return out


def _vat_valid(module: object, compact: str) -> bool:
    try:
        return bool(module.is_valid(compact))  # type: ignore[attr-defined]
    except Exception:
        return False


def ibans(text: str) -> list[FoundId]:
    """Return the valid IBANs in ``text`` (printed with or without spaces)."""
    from schwifty import IBAN

    out: list[FoundId] = []
    for match in _IBAN.finditer(text.upper()):
        compact = match.group("iban").replace(" ", "")
        # The regex may run into the next word; try shorter prefixes until one is valid.
        for end in range(len(compact), 14, -1):
            try:
                iban = IBAN(compact[:end])
            except ValueError:
                continue
            out.append(FoundId(str(iban.compact), valid=True, start=match.start(), end=match.end()))
            break
    return out


def ocr_ibans(text: str) -> list[FoundId]:
    """Return IBANs that OCR misread by letter/digit look-alikes and their checksum restores.

    Where the country's format wants a digit and OCR read a letter ("NLSO…" for NL50),
    or the other way round, the look-alike is put back; only a result that passes the
    mod-97 check is returned (a wrong guess passes about once in 97).
    """
    from schwifty import IBAN

    out: list[FoundId] = []
    for match in _IBAN_LIKE.finditer(text.upper()):
        repaired = _restored(match.group("iban").replace(" ", ""))
        if repaired is None:
            continue
        try:
            iban = IBAN(repaired)
        except ValueError:
            continue
        end = match.start() + len(match.group("iban"))
        out.append(FoundId(str(iban.compact), valid=True, start=match.start(), end=end))
    return out


def _restored(compact: str) -> str | None:
    kinds = _iban_kinds(compact[:2])
    if kinds is None or len(compact) < len(kinds):
        return None
    chars = list(compact[: len(kinds)])
    for index, (char, kind) in enumerate(zip(chars, kinds, strict=True)):
        if kind == "n" and not char.isdigit():
            chars[index] = _AS_DIGIT.get(char, "")
        elif kind == "a" and not char.isalpha():
            chars[index] = _AS_LETTER.get(char, "")
    restored = "".join(chars)
    if len(restored) != len(kinds):
        return None  # a character with no look-alike of the wanted kind
    changed = sum(a != b for a, b in zip(restored, compact, strict=False))
    return restored if 0 < changed <= MAX_RESTORED else None


def _iban_kinds(country: str) -> str | None:
    """Return the character kind (a letter, n digit, c either) of each position of an IBAN."""
    from schwifty import registry

    try:
        spec = registry.get_iban_spec(country)
    except Exception:  # not a country with IBANs
        return None
    body = "".join(kind * int(count) for count, kind in _SPEC_PART.findall(spec.iban_spec[2:]))
    return "aa" + body


def iban_shaped(text: str) -> list[FoundId]:
    """Return IBAN-shaped tokens whose checksum fails (for a labelled, flagged value).

    A printed IBAN that does not check is a typo or a fraud attempt either way;
    it is reported (at low confidence) so validation can flag it, never dropped.
    """
    valid = {found.value for found in ibans(text)}
    out: list[FoundId] = []
    for match in _IBAN.finditer(text.upper()):
        compact = match.group("iban").replace(" ", "")
        if compact not in valid and 15 <= len(compact) <= 34 and compact[2:4].isdigit():
            out.append(FoundId(compact, valid=False, start=match.start(), end=match.end()))
    return out


def bics(text: str) -> list[FoundId]:
    """Return BIC-shaped tokens whose country part is a real country (schwifty)."""
    from schwifty import BIC

    out: list[FoundId] = []
    for match in _BIC.finditer(text):
        try:
            bic = BIC(match.group("bic"))
        except ValueError:
            continue
        out.append(FoundId(str(bic), valid=True, start=match.start(), end=match.end()))
    return out


def document_number(text: str) -> str | None:
    """Return the document number at the start of ``text``, or None when it is not one.

    Dates, plain amounts, phone numbers and words without a digit are rejected:
    an invoice number always carries at least one digit.
    """
    text = _GLUED_MARKER.sub("", _SPACED_UNDERSCORE.sub("_", text.strip()))
    if not text or _PHONE.match(text):
        return None
    match = _DOC_NUMBER.match(text)
    if match is None:
        return None
    number = _with_prefix(text) or match.group("num").rstrip(".-/")
    if not any(c.isdigit() for c in number) or dates.find_dates(number):
        return None
    found = amounts.amounts_in(number)
    if (
        found
        and found[0].start == 0
        and found[0].end == len(number)
        and found[0].decimals in (1, 2)
    ):
        return None
    return number


def _with_prefix(text: str) -> str | None:
    """Return "PREFIX REST" when a letters-only prefix stands apart from a number with digits.

    The prefix alone has no digit and would be rejected; the gap is the text
    layer's (an underscore or a narrow space it dropped), not the end of the value.
    """
    match = _SPLIT_PREFIX.match(text)
    if match is None or not any(c.isdigit() for c in match.group("rest")):
        return None
    return f"{match.group('prefix')} {match.group('rest').rstrip('.-/')}"
