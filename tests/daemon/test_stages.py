"""The flow through the stages on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf import PdfWriter
from sqlalchemy.engine import Engine
from sqlmodel import select

import extraction
from daemon import stages
from daemon.intake import Intake
from daemon.retry import RetryStrategy
from daemon.worker import Worker
from matching import Policy
from storage import db
from storage import models
from storage import repo
from storage.blobs import BlobStore

E2E = Path(__file__).parents[1] / "corpus" / "e2e"
FACTURX = (E2E / "fnfe__Facture_FR_EN16931.pdf").read_bytes()
TEXT_PDF = (E2E / "invoice2data__NetpresseInvoice.pdf").read_bytes()


def _worker(engine: Engine, blobs: BlobStore, **kwargs: object) -> Worker:
    ctx = stages.StageContext(engine, blobs, extraction.ExtractionConfig(), Policy())
    return Worker(ctx, **kwargs)  # type: ignore[arg-type]


def _invoices(engine: Engine) -> list[models.Invoice]:
    with db.session_scope(engine) as session:
        return list(session.exec(select(models.Invoice).order_by(models.Invoice.id)).all())


def _add_vendor(engine: Engine, **fields: str) -> None:
    company = repo.company_id(engine)
    with db.session_scope(engine) as session:
        session.add(models.Vendor(company_id=company, **fields))


def test_known_vendor_with_clean_e_invoice_is_approved(engine: Engine, blobs: BlobStore) -> None:
    intake = Intake(engine, blobs)
    intake.accept(FACTURX, source="test", source_ref="a.pdf", filename="a.pdf")
    _add_vendor(engine, name="Au bon moulin", vat_id="FR11999999998")
    assert _worker(engine, blobs).run_until_idle() == 2
    [invoice] = _invoices(engine)
    assert invoice.status == "approved"
    assert invoice.vendor_id is not None
    assert invoice.fields["total_amount"] == "671.15"
    assert invoice.field_meta["total_amount"]["method"] == "xml"


def test_unknown_vendor_goes_to_review_with_reasons(engine: Engine, blobs: BlobStore) -> None:
    Intake(engine, blobs).accept(TEXT_PDF, source="test", source_ref="n.pdf", filename="n.pdf")
    _worker(engine, blobs).run_until_idle()
    [invoice] = _invoices(engine)
    assert invoice.status == "needs_review"
    codes = {f["code"] for f in invoice.flags}
    assert "VENDOR_UNKNOWN" in codes
    assert all(f["reason"] for f in invoice.flags)


def test_changed_bank_account_blocks_approval(engine: Engine, blobs: BlobStore) -> None:
    _add_vendor(
        engine, name="Au bon moulin", vat_id="FR11999999998", iban="FR7630006000011234567890189"
    )
    Intake(engine, blobs).accept(FACTURX, source="test", source_ref="a.pdf", filename="a.pdf")
    _worker(engine, blobs).run_until_idle()
    [invoice] = _invoices(engine)
    assert invoice.status == "needs_review"
    assert "BANK_DETAILS_CHANGED" in {f["code"] for f in invoice.flags}


def test_a_resent_file_is_kept_but_never_becomes_a_second_invoice(
    engine: Engine, blobs: BlobStore
) -> None:
    intake = Intake(engine, blobs)
    intake.accept(FACTURX, source="test", source_ref="a.pdf", filename="a.pdf")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("copy.pdf", FACTURX)
    resent, _ = intake.accept(
        archive.getvalue(), source="test", source_ref="b.zip", filename="b.zip"
    )
    _worker(engine, blobs).run_until_idle()
    [invoice] = _invoices(engine)
    with db.session_scope(engine) as session:
        [copy] = session.exec(
            select(models.Document).where(models.Document.message_id == resent.id)
        ).all()
    assert copy.sha256 == blobs.put(FACTURX)
    assert [f["code"] for f in copy.flags] == ["DUPLICATE_DOCUMENT"]
    assert f"#{invoice.id}" in copy.flags[0]["reason"]


def test_same_invoice_number_in_another_file_is_flagged_duplicate(
    engine: Engine, blobs: BlobStore
) -> None:
    _add_vendor(engine, name="Au bon moulin", vat_id="FR11999999998")
    intake = Intake(engine, blobs)
    intake.accept(FACTURX, source="test", source_ref="a.pdf", filename="a.pdf")
    other = (E2E / "fnfe__Facture_FR_BASIC.pdf").read_bytes()
    intake.accept(other, source="test", source_ref="b.pdf", filename="b.pdf")
    _worker(engine, blobs).run_until_idle()
    first, second = _invoices(engine)
    assert first.status == "approved"
    assert second.status == "needs_review"
    assert "DUPLICATE_INVOICE" in {f["code"] for f in second.flags}


def _encrypted_pdf() -> bytes:
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(TEXT_PDF)).pages:
        writer.add_page(page)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "doc_type"),
    [
        ("locked.pdf", _encrypted_pdf(), "failed"),
        ("cut.pdf", TEXT_PDF[: len(TEXT_PDF) // 3], "failed"),
        ("empty.pdf", b"", "failed"),
        ("bomb.xml", b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa">]><l>&a;</l>', "failed"),
        ("notes.txt", b"lunch on friday?", "not_invoice"),
    ],
)
def test_bad_input_is_kept_with_a_reason_and_never_stops_the_flow(
    engine: Engine, blobs: BlobStore, name: str, data: bytes, doc_type: str
) -> None:
    intake = Intake(engine, blobs)
    bad, _ = intake.accept(data, source="test", source_ref=name, filename=name)
    intake.accept(TEXT_PDF, source="test", source_ref="after.pdf", filename="after.pdf")
    _worker(engine, blobs).run_until_idle()
    with db.session_scope(engine) as session:
        docs = session.exec(
            select(models.Document).where(models.Document.message_id == bad.id)
        ).all()
        message = session.get(models.Message, bad.id)
    assert message is not None and message.state == "extracted"
    assert [d.document_type for d in docs] == [doc_type]
    assert docs[0].flags and all(f["reason"] for f in docs[0].flags)
    assert blobs.get(message.sha256) == data
    assert len(_invoices(engine)) == 1  # the message behind it was processed


def test_a_failing_stage_is_retried_then_parked_with_its_reason(
    engine: Engine, blobs: BlobStore
) -> None:
    message, _ = Intake(engine, blobs).accept(
        TEXT_PDF, source="test", source_ref="x", filename="x.pdf"
    )
    blobs.path_for(message.sha256).unlink()  # the stage cannot read its input
    worker = _worker(engine, blobs, retry=RetryStrategy(max_attempts=2, base_s=0.0))
    worker.run_until_idle()
    with db.session_scope(engine) as session:
        stored = session.get(models.Message, message.id)
    assert stored is not None
    assert (stored.state, stored.attempts) == ("failed", 2)
    assert stored.error is not None and "BlobMissingError" in stored.error


def test_a_worker_that_died_mid_stage_is_replaced_without_duplicates(
    engine: Engine, blobs: BlobStore
) -> None:
    from storage import queue

    Intake(engine, blobs).accept(TEXT_PDF, source="test", source_ref="x", filename="x.pdf")
    claimed = queue.claim_next(
        engine,
        models.Message,
        state_column="state",
        state="received",
        worker="dead",
        lease=timedelta(seconds=-1),
    )
    assert claimed is not None  # claimed by a worker that then vanished: its lease is over
    _worker(engine, blobs).run_until_idle()
    _worker(engine, blobs).run_until_idle()
    assert len(_invoices(engine)) == 1
    with db.session_scope(engine) as session:
        assert len(session.exec(select(models.Document)).all()) == 1
