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
