"""View models for the pages: labels, queue rows, form fields and audit sentences.

Pure functions over API shapes, so the templates stay free of logic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from review_api import schemas
from storage.states import InvoiceStatus
from storage.states import TransitionError
from storage.states import check_transition

LABELS = {
    "vendor_name": "Vendor",
    "vendor_vat_id": "Vendor VAT ID",
    "vendor_iban": "Vendor IBAN",
    "vendor_bic": "Vendor BIC",
    "vendor_tax_number": "Vendor tax number",
    "vendor_address": "Vendor address",
    "buyer_name": "Buyer",
    "invoice_number": "Invoice number",
    "invoice_date": "Invoice date",
    "due_date": "Due date",
    "po_number": "PO number",
    "payment_terms": "Payment terms",
    "document_type_code": "Document type code",
    "currency": "Currency",
    "net_amount": "Net amount",
    "tax_amount": "Tax amount",
    "total_amount": "Total amount",
    "amount_due": "Amount due",
    "line_items": "Line items",
    "vendor_id": "Vendor record",
}
#: The form's sections; ``always`` fields show even when empty, the rest only when known.
SECTIONS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "Vendor",
        ("vendor_name", "vendor_vat_id", "vendor_iban"),
        ("vendor_bic", "vendor_tax_number", "vendor_address"),
    ),
    (
        "Invoice",
        ("invoice_number", "invoice_date", "due_date", "po_number", "buyer_name"),
        ("payment_terms", "document_type_code"),
    ),
    ("Amounts", ("currency", "net_amount", "tax_amount", "total_amount"), ("amount_due",)),
)
EDITABLE_KEYS = tuple(k for _, always, extra in SECTIONS for k in (*always, *extra))
AMOUNT_KEYS = frozenset({"net_amount", "tax_amount", "total_amount", "amount_due"})
DATE_KEYS = frozenset({"invoice_date", "due_date"})
TABS = (
    ("needs_review", "Needs review"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("exported", "Exported"),
    ("all", "All"),
)
STATUS_LABELS = {
    "new": "Processing",
    "needs_review": "Needs review",
    "approved": "Approved",
    "rejected": "Rejected",
    "exported": "Exported",
    "paid": "Paid",
}


@dataclass(frozen=True)
class FormField:
    """One input of the invoice form."""

    key: str
    label: str
    value: str
    kind: str
    provenance: str
    error: str | None


def sender(email: dict[str, Any] | None, fallback: str) -> str:
    """Return who the invoice came from: the original sender when it was forwarded."""
    if email:
        who = email.get("original_from") or email.get("from")
        if who:
            return str(who)
    return fallback


def queue_row(invoice: schemas.InvoicePublic, received_from: str) -> dict[str, Any]:
    """Return what one row of the queue table shows."""
    fields = invoice.fields
    return {
        "id": invoice.id,
        "status": invoice.status,
        "status_label": STATUS_LABELS.get(invoice.status, invoice.status),
        "vendor": fields.get("vendor_name") or "",
        "number": fields.get("invoice_number") or "",
        "date": fields.get("invoice_date") or "",
        "due": fields.get("due_date") or "",
        "total": fields.get("total_amount") or "",
        "currency": fields.get("currency") or "",
        "confidence": invoice.confidence,
        "flags": len(invoice.flags),
        "errors": sum(1 for f in invoice.flags if f.severity == "error"),
        "received_from": received_from,
        "received_at": invoice.created_at,
    }


def provenance(meta: Any) -> str:
    """Return a short note on where a value came from, e.g. ``text · 92%``."""
    if not isinstance(meta, dict) or "method" not in meta:
        return ""
    if meta["method"] == "user":
        return str(meta.get("reason") or "edited by hand")
    confidence = meta.get("confidence")
    if isinstance(confidence, int | float):
        return f"{meta['method']} · {round(confidence * 100)}%"
    return str(meta["method"])


def _kind(key: str) -> str:
    if key in AMOUNT_KEYS:
        return "amount"
    if key in DATE_KEYS:
        return "date"
    return "currency" if key == "currency" else "text"


def form_sections(
    invoice: schemas.InvoiceDetail,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> list[tuple[str, list[FormField]]]:
    """Return the form's sections; ``values`` override the stored ones after a failed save."""
    stored = display_values(invoice.fields)
    shown = {**stored, **(values or {})}
    errors = errors or {}
    sections = []
    for title, always, extra in SECTIONS:
        keys = [*always, *(k for k in extra if stored.get(k) or k in errors)]
        sections.append(
            (
                title,
                [
                    FormField(
                        k,
                        LABELS[k],
                        shown.get(k, ""),
                        _kind(k),
                        provenance(invoice.field_meta.get(k)),
                        errors.get(k),
                    )
                    for k in keys
                ],
            )
        )
    return sections


def display_values(fields: dict[str, Any]) -> dict[str, str]:
    """Return the stored values as the form shows them (strings, empty when unknown)."""
    return {k: "" if fields.get(k) is None else str(fields[k]) for k in EDITABLE_KEYS}


def can_move(status: str, target: InvoiceStatus) -> bool:
    """Return True when an invoice in ``status`` may become ``target``."""
    try:
        check_transition(InvoiceStatus(status), target)
    except (TransitionError, ValueError):
        return False
    return True


def _short(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, list):
        return f"{len(value)} line(s)"
    text = str(value)
    return f"“{text[:80]}…”" if len(text) > 80 else f"“{text}”"


def describe(event: schemas.AuditEventPublic) -> list[str]:
    """Return the human sentences of one audit event."""
    detail = event.detail
    if event.action == "edit":
        changes = detail.get("changes", {})
        return [
            f"{LABELS.get(k, k)}: {_short(c.get('before'))} → {_short(c.get('after'))}"
            for k, c in changes.items()
            if isinstance(c, dict)
        ]
    lines = []
    if "from" in detail:
        lines.append(f"was {STATUS_LABELS.get(detail['from'], detail['from'])}")
    if detail.get("reason"):
        lines.append(f"Reason: {detail['reason']}")
    return lines


def action_label(action: str) -> str:
    """Return how the audit trail names an action."""
    labels = {"edit": "Edited", **STATUS_LABELS}
    return labels.get(action, action.replace("_", " ").capitalize())
