"""CSV exports to bookkeeping, each approved invoice exactly once.

Formats live in one registry; the built-in ones are registered exactly the way
a third-party format would be (:func:`register_format`).

Exactly once: one transaction claims every approved, unexported invoice of the
company (``FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), renders
the CSV, stores it in the blob store (fsynced), and marks the invoices exported
in a new batch. The file on disk is written only after that commit, from the
stored CSV; if the process dies in between, ``apinbox export --batch N``
writes the same file again and nothing is exported twice.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from decimal import InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from storage import db
from storage import models
from storage import repo
from storage.blobs import BlobStore
from storage.states import InvoiceStatus

Row = dict[str, str]


@dataclass(frozen=True)
class ExportFormat:
    """A CSV dialect for one bookkeeping tool."""

    name: str
    columns: tuple[str, ...]
    row: Callable[[models.Invoice], Row]
    delimiter: str = ","
    encoding: str = "utf-8"
    line_terminator: str = "\r\n"


FORMATS: dict[str, ExportFormat] = {}


def register_format(fmt: ExportFormat) -> None:
    """Make ``fmt`` available to ``apinbox export --format NAME``."""
    FORMATS[fmt.name] = fmt


def _signed(invoice: models.Invoice, key: str) -> str:
    """Return an amount with credit notes negative, as bookkeeping expects."""
    raw = invoice.fields.get(key)
    if raw in (None, ""):
        return ""
    try:
        amount = Decimal(str(raw))
    except InvalidOperation:
        return str(raw)
    if invoice.document_type == "credit_note" and amount > 0:
        amount = -amount
    return str(amount)


def _generic_row(invoice: models.Invoice) -> Row:
    f = invoice.fields
    return {
        "invoice_id": str(invoice.id),
        "document_type": invoice.document_type,
        "vendor_name": str(f.get("vendor_name", "")),
        "vendor_vat_id": str(f.get("vendor_vat_id", "")),
        "vendor_iban": str(f.get("vendor_iban", "")),
        "invoice_number": str(f.get("invoice_number", "")),
        "invoice_date": str(f.get("invoice_date", "")),
        "due_date": str(f.get("due_date", "")),
        "currency": str(f.get("currency", "")),
        "net_amount": _signed(invoice, "net_amount"),
        "tax_amount": _signed(invoice, "tax_amount"),
        "total_amount": _signed(invoice, "total_amount"),
        "po_number": str(f.get("po_number", "")),
    }


register_format(
    ExportFormat(
        name="generic",
        columns=(
            "invoice_id",
            "document_type",
            "vendor_name",
            "vendor_vat_id",
            "vendor_iban",
            "invoice_number",
            "invoice_date",
            "due_date",
            "currency",
            "net_amount",
            "tax_amount",
            "total_amount",
            "po_number",
        ),
        row=_generic_row,
    )
)


class UnknownFormatError(ValueError):
    """No export format of that name is registered."""


def render_csv(fmt: ExportFormat, invoices: Sequence[models.Invoice]) -> bytes:
    """Return the CSV bytes of ``invoices`` in ``fmt`` (header row first)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=fmt.columns, delimiter=fmt.delimiter, lineterminator=fmt.line_terminator
    )
    writer.writeheader()
    for invoice in invoices:
        writer.writerow(_neutralise(fmt.row(invoice)))
    return buffer.getvalue().encode(fmt.encoding)


def _neutralise(row: Row) -> Row:
    # Spreadsheet apps execute cells starting with these; an attacker controls
    # vendor names and numbers, so prefix them with a quote (OWASP CSV injection).
    return {
        k: ("'" + v if v[:1] in ("=", "+", "@", "\t", "\r") or _is_formula_minus(v) else v)
        for k, v in row.items()
    }


def _is_formula_minus(value: str) -> bool:
    if not value.startswith("-"):
        return False
    try:
        Decimal(value)
    except InvalidOperation:
        return True
    return False


def export_approved(
    engine: Engine, blobs: BlobStore, *, company: int, format_name: str, actor: str = "apinbox"
) -> models.ExportBatch | None:
    """Export every approved, not yet exported invoice once; None when there is nothing."""
    fmt = FORMATS.get(format_name)
    if fmt is None:
        msg = f"unknown export format {format_name!r}; known: {', '.join(sorted(FORMATS))}"
        raise UnknownFormatError(msg)
    with db.session_scope(engine) as session:
        invoices = _claim_approved(session, engine, company)
        if not invoices:
            return None
        batch = models.ExportBatch(company_id=company, format=fmt.name, count=len(invoices))
        batch.csv_sha256 = blobs.put(render_csv(fmt, invoices))
        session.add(batch)
        session.flush()
        for invoice in invoices:
            invoice.export_batch_id = batch.id
            repo.change_status(
                session,
                invoice,
                target=InvoiceStatus.EXPORTED,
                actor=actor,
                detail={"batch": batch.id, "format": fmt.name},
            )
    return batch


def _claim_approved(session: Session, engine: Engine, company: int) -> list[models.Invoice]:
    query: Any = (
        select(models.Invoice)
        .where(models.Invoice.company_id == company)
        .where(models.Invoice.status == InvoiceStatus.APPROVED)
        .where(col(models.Invoice.export_batch_id).is_(None))
        .order_by(col(models.Invoice.id))
    )
    if not db.is_sqlite(engine):
        query = query.with_for_update()
    return list(session.exec(query).all())


def write_batch(blobs: BlobStore, batch: models.ExportBatch, out: Path) -> Path:
    """Write a batch's stored CSV to ``out`` atomically (temp file, fsync, rename)."""
    assert batch.csv_sha256 is not None
    data = blobs.get(batch.csv_sha256)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(out)
    return out


def record_path(engine: Engine, *, batch_id: int, path: Path) -> None:
    """Remember where a batch was written."""
    with db.session_scope(engine) as session:
        batch = session.get(models.ExportBatch, batch_id)
        if batch is not None:
            batch.path = str(path)
            session.add(batch)


def get_batch(engine: Engine, *, batch_id: int) -> models.ExportBatch | None:
    """Return the batch with ``batch_id``."""
    with db.session_scope(engine) as session:
        return session.get(models.ExportBatch, batch_id)
