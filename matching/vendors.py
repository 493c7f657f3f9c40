"""Vendor matching: VAT ID > IBAN > exact name > fuzzy name > sender domain.

Only the first three identify a vendor; a fuzzy name or a sender domain is a
suggestion for the reviewer, never enough to approve on its own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz import process

from storage import models

_LEGAL_FORMS = re.compile(
    r"\b(gmbh|ag|kg|ug|sarl|sas|sa|srl|spa|bv|nv|ltd|limited|llc|inc|corp|co|plc|sdn\s*bhd|bhd|oy|ab|as|eurl)\b\.?"
)
_FUZZY_MIN = 90.0


@dataclass(frozen=True)
class VendorMatch:
    """A matched vendor (or none), how it matched, and why."""

    vendor_id: int | None
    method: str  # vat_id | iban | name | fuzzy_name | email_domain | none
    reason: str
    #: True when the match identifies the vendor well enough to approve.
    certain: bool


def normalise_id(value: str | None) -> str:
    """Return an identifier without case, spaces or separators."""
    return re.sub(r"[^0-9A-Za-z]", "", value or "").upper()


def normalise_name(value: str | None) -> str:
    """Return a company name folded for comparison (legal forms dropped)."""
    text = unicodedata.normalize("NFKC", value or "").casefold()
    text = _LEGAL_FORMS.sub(" ", text)
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def match_vendor(
    fields: dict[str, Any], vendors: Sequence[models.Vendor], *, sender: str | None = None
) -> VendorMatch:
    """Find the vendor of an invoice among ``vendors``."""
    for matcher in (_by_vat, _by_iban, _by_name, _by_fuzzy_name):
        found = matcher(fields, vendors)
        if found is not None:
            return found
    return _by_domain(sender, vendors) or VendorMatch(
        None, "none", "no known vendor matches", certain=False
    )


def _by_vat(fields: dict[str, Any], vendors: Sequence[models.Vendor]) -> VendorMatch | None:
    vat = normalise_id(fields.get("vendor_vat_id"))
    for vendor in vendors if vat else ():
        if normalise_id(vendor.vat_id) == vat:
            return VendorMatch(
                vendor.id, "vat_id", f"VAT ID {vat} is {vendor.name}'s", certain=True
            )
    return None


def _by_iban(fields: dict[str, Any], vendors: Sequence[models.Vendor]) -> VendorMatch | None:
    iban = normalise_id(fields.get("vendor_iban"))
    hits = [v for v in vendors if iban and normalise_id(v.iban) == iban]
    if len(hits) == 1:
        return VendorMatch(hits[0].id, "iban", f"IBAN is {hits[0].name}'s", certain=True)
    return None


def _by_name(fields: dict[str, Any], vendors: Sequence[models.Vendor]) -> VendorMatch | None:
    name = normalise_name(fields.get("vendor_name"))
    hits = [v for v in vendors if name and normalise_name(v.name) == name]
    if len(hits) == 1:
        return VendorMatch(hits[0].id, "name", f"name equals vendor {hits[0].name!r}", certain=True)
    return None


def _by_fuzzy_name(fields: dict[str, Any], vendors: Sequence[models.Vendor]) -> VendorMatch | None:
    name = normalise_name(fields.get("vendor_name"))
    choices = {v.id: normalise_name(v.name) for v in vendors}
    best = (
        process.extractOne(name, choices, scorer=fuzz.token_sort_ratio)
        if name and choices
        else None
    )
    if best is None or best[1] < _FUZZY_MIN:
        return None
    vendor = next(v for v in vendors if v.id == best[2])
    reason = f"name resembles vendor {vendor.name!r} ({best[1]:.0f}% similar); please confirm"
    return VendorMatch(vendor.id, "fuzzy_name", reason, certain=False)


def _by_domain(sender: str | None, vendors: Sequence[models.Vendor]) -> VendorMatch | None:
    domain = (
        (sender or "").rsplit("@", 1)[-1].strip(">").lower() if sender and "@" in sender else ""
    )
    hits = [v for v in vendors if domain and (v.email_domain or "").lower() == domain]
    if len(hits) == 1:
        reason = f"sent from {domain}, the domain of vendor {hits[0].name!r}; please confirm"
        return VendorMatch(hits[0].id, "email_domain", reason, certain=False)
    return None
