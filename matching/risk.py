"""Risk flags: duplicates and changed bank details."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from extraction.models import Flag
from extraction.models import Severity
from matching.vendors import normalise_id
from storage import models


def bank_change(fields: dict[str, Any], vendor: models.Vendor | None) -> list[Flag]:
    """Flag an IBAN that differs from the one on file for the vendor."""
    iban = normalise_id(fields.get("vendor_iban"))
    known = normalise_id(vendor.iban if vendor else None)
    if not iban or not known or iban == known:
        return []
    name = vendor.name if vendor else "the vendor"
    reason = (
        f"the invoice asks for payment to IBAN {iban}, but {name} is on file with {known}: "
        "confirm the change with the vendor by phone before paying"
    )
    return [Flag("BANK_DETAILS_CHANGED", reason, Severity.ERROR, "vendor_iban")]


def duplicates(
    fields: dict[str, Any], vendor_id: int | None, others: Sequence[models.Invoice]
) -> list[Flag]:
    """Flag an invoice whose vendor and number (or number and total) are already known."""
    number = normalise_id(fields.get("invoice_number"))
    if not number:
        return []
    for other in others:
        if normalise_id(other.invoice_number) != number:
            continue
        same_vendor = vendor_id is not None and other.vendor_id == vendor_id
        same_total = other.total_amount is not None and other.total_amount == fields.get(
            "total_amount"
        )
        if same_vendor or same_total:
            shown = fields.get("invoice_number")
            reason = f"invoice number {shown} was already received (invoice #{other.id})"
            return [Flag("DUPLICATE_INVOICE", reason, Severity.ERROR, "invoice_number")]
    return []
