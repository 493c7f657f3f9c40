"""Changing invoices: field edits with re-validation, and approve / reject.

An edit merges the reviewer's values into the stored ones, re-runs
``extraction.validate`` on the result and replaces the flags that validation
owns; flags about a field the reviewer has just set are dropped too, since a
person has now looked at that value. Matching is not re-run here. Every change
writes one audit event with the before and after value of each changed field.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

from sqlmodel import Session

from extraction import models as xmodels
from extraction import validate as validation
from review_api import schemas
from review_api._queries import ConflictError
from review_api._queries import InvalidRequestError
from storage import models
from storage import repo
from storage.states import InvoiceStatus
from storage.states import TransitionError

AMOUNT_KEYS = frozenset({"net_amount", "tax_amount", "total_amount", "amount_due"})
DATE_KEYS = frozenset({"invoice_date", "due_date"})
#: Statuses whose invoices a reviewer may still edit; later ones are in the books.
EDITABLE = frozenset({InvoiceStatus.NEEDS_REVIEW, InvoiceStatus.APPROVED, InvoiceStatus.REJECTED})
FlagKey = tuple[Any, Any]


def edit_invoice(
    session: Session, invoice: models.Invoice, *, update: schemas.InvoiceUpdate, actor: str
) -> dict[str, dict[str, Any]]:
    """Apply ``update`` to ``invoice`` (not committed); return the changes made.

    Raises:
        ConflictError: the invoice is exported, paid or still being processed.
        InvalidRequestError: ``vendor_id`` names no vendor of this company.
    """
    if invoice.status not in EDITABLE:
        msg = f"an invoice that is {invoice.status} can no longer be edited"
        raise ConflictError(msg)
    changes = _field_changes(invoice.fields or {}, update)
    if "vendor_id" in update.model_fields_set and update.vendor_id != invoice.vendor_id:
        _check_vendor(session, invoice, update.vendor_id)
        changes["vendor_id"] = {"before": invoice.vendor_id, "after": update.vendor_id}
        invoice.vendor_id = update.vendor_id
    if not changes:
        return changes
    field_changes = {k: v["after"] for k, v in changes.items() if k != "vendor_id"}
    if field_changes:
        _apply_fields(invoice, field_changes, actor=actor)
    invoice.updated_at = models.utcnow()
    session.add(invoice)
    repo.audit(session, invoice=invoice, actor=actor, action="edit", detail={"changes": changes})
    return changes


def _field_changes(stored: dict[str, Any], update: schemas.InvoiceUpdate) -> dict[str, Any]:
    if update.fields is None:
        return {}
    wanted = update.fields.model_dump(exclude_unset=True)
    if "line_items" in wanted and wanted["line_items"] is not None:
        wanted["line_items"] = [
            {k: v for k, v in item.items() if v is not None} for item in wanted["line_items"]
        ]
    return {
        key: {"before": stored.get(key), "after": value}
        for key, value in wanted.items()
        if stored.get(key) != value
    }


def _check_vendor(session: Session, invoice: models.Invoice, vendor_id: int | None) -> None:
    if vendor_id is None:
        return
    vendor = session.get(models.Vendor, vendor_id)
    if vendor is None or vendor.company_id != invoice.company_id:
        msg = f"vendor {vendor_id} does not exist"
        raise InvalidRequestError(msg)


def _apply_fields(invoice: models.Invoice, changes: dict[str, Any], *, actor: str) -> None:
    merged = {k: v for k, v in {**(invoice.fields or {}), **changes}.items() if v is not None}
    meta = dict(invoice.field_meta or {})
    for key, value in changes.items():
        meta[key] = {
            "value": value,
            "confidence": 1.0,
            "method": str(xmodels.Method.USER),
            "reason": f"edited by {actor}",
        }
    invoice.flags = _revalidated_flags(invoice, merged, meta, edited=set(changes))
    invoice.field_meta = meta
    repo.set_invoice_fields(invoice, fields=merged)


def _revalidated_flags(
    invoice: models.Invoice, merged: dict[str, Any], meta: dict[str, Any], *, edited: set[str]
) -> list[dict[str, Any]]:
    stored = [dict(f) for f in (invoice.flags or [])]
    owned = _validate(invoice.fields or {}, invoice.field_meta or {})
    fresh = _validate(merged, meta)
    owned_keys = {_flag_key(f.to_json()) for f in owned}
    kept = [f for f in stored if _flag_key(f) not in owned_keys and f.get("field") not in edited]
    return _dedupe([*kept, *(f.to_json() for f in fresh)])


def _flag_key(flag: dict[str, Any]) -> FlagKey:
    return flag.get("code"), flag.get("field")


def _dedupe(flags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[FlagKey] = set()
    out = []
    for flag in flags:
        if _flag_key(flag) not in seen:
            seen.add(_flag_key(flag))
            out.append(flag)
    return out


def _validate(fields: dict[str, Any], meta: dict[str, Any]) -> list[xmodels.Flag]:
    values = {}
    for key in (*xmodels.FIELD_KEYS, *xmodels.EXTRA_KEYS):
        typed = _typed(key, fields.get(key))
        if typed is not None:
            values[key] = _field_value(typed, meta.get(key))
    return validation.validate(
        values, _line_items(fields.get("line_items")), _tax_lines(fields.get("tax_breakdown"))
    )


def _typed(key: str, value: Any) -> xmodels.Value | None:
    if value is None or value == "":
        return None
    try:
        if key in AMOUNT_KEYS:
            return Decimal(str(value))
        if key in DATE_KEYS:
            return date.fromisoformat(str(value))
    except (InvalidOperation, ValueError):
        return None  # an unreadable stored value: validation cannot check it anyway
    return str(value)


def _field_value(value: xmodels.Value, meta: Any) -> xmodels.FieldValue:
    meta = meta if isinstance(meta, dict) else {}
    try:
        method = xmodels.Method(meta.get("method", xmodels.Method.TEXT))
    except ValueError:
        method = xmodels.Method.TEXT
    confidence = meta.get("confidence", 1.0)
    if not isinstance(confidence, int | float):
        confidence = 1.0
    return xmodels.FieldValue(value=value, confidence=float(confidence), method=method)


def _dec(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _line_items(raw: Any) -> tuple[xmodels.LineItem, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(
        xmodels.LineItem(
            description=item.get("description"),
            quantity=_dec(item.get("quantity")),
            unit_price=_dec(item.get("unit_price")),
            amount=_dec(item.get("amount")),
        )
        for item in raw
        if isinstance(item, dict)
    )


def _tax_lines(raw: Any) -> tuple[xmodels.TaxLine, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(
        xmodels.TaxLine(
            rate=_dec(t.get("rate")),
            basis=_dec(t.get("basis")),
            amount=_dec(t.get("amount")),
            category=t.get("category"),
        )
        for t in raw
        if isinstance(t, dict)
    )


def decide(
    session: Session,
    invoice: models.Invoice,
    *,
    target: InvoiceStatus,
    actor: str,
    reason: str | None,
) -> None:
    """Approve or reject ``invoice`` (not committed), audited with ``actor``.

    Raises:
        ConflictError: the invoice cannot move to ``target`` from its status.
    """
    detail = {"reason": reason} if reason else {}
    try:
        repo.change_status(session, invoice, target=target, actor=actor, detail=detail)
    except TransitionError as exc:
        raise ConflictError(str(exc)) from exc
