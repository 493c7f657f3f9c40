"""Storage behaviour on both backends: durable intake, leases, exactly-once export."""

from __future__ import annotations

import csv
import io
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from storage import db
from storage import exports
from storage import models
from storage import queue
from storage import repo
from storage.blobs import BlobMissingError
from storage.blobs import BlobStore
from storage.states import InvoiceStatus
from storage.states import TransitionError
from tests.support import records


def _invoice(engine: Engine, blobs: BlobStore, *, status: InvoiceStatus, **fields: str) -> int:
    doc_type = fields.pop("document_type", "invoice")
    data = repr(sorted(fields.items())).encode() + status.encode()  # distinct bytes per invoice
    return records.store_invoice(
        engine,
        blobs,
        company=repo.company_id(engine),
        data=data,
        fields=fields,
        status=status,
        document_type=doc_type,
    )


def test_blob_store_round_trip_and_missing(blobs: BlobStore) -> None:
    sha = blobs.put(b"%PDF-1.4 invoice")
    assert blobs.put(b"%PDF-1.4 invoice") == sha
    assert blobs.get(sha) == b"%PDF-1.4 invoice"
    assert blobs.path_for(sha).parent.parent.name == sha[:2]
    with pytest.raises(BlobMissingError):
        blobs.get("0" * 64)


def test_same_bytes_are_stored_once_per_company(engine: Engine, blobs: BlobStore) -> None:
    company = repo.company_id(engine)
    first, created = repo.store_message(
        engine,
        blobs,
        company=company,
        source="imap:ap",
        source_ref="INBOX/1/1",
        data=b"raw message",
    )
    again, created_again = repo.store_message(
        engine,
        blobs,
        company=company,
        source="imap:ap",
        source_ref="INBOX/2/1",
        data=b"raw message",
    )
    other = repo.company_id(engine, slug="client-b")
    theirs, created_theirs = repo.store_message(
        engine, blobs, company=other, source="folder", source_ref="a.eml", data=b"raw message"
    )
    assert (created, created_again, created_theirs) == (True, False, True)
    assert again.id == first.id
    assert theirs.id != first.id
    assert blobs.get(first.sha256) == b"raw message"


def test_claim_leases_one_record_to_one_worker(engine: Engine, blobs: BlobStore) -> None:
    company = repo.company_id(engine)
    repo.store_message(engine, blobs, company=company, source="t", source_ref="1", data=b"one")
    lease = timedelta(minutes=5)
    got = queue.claim_next(
        engine, models.Message, state_column="state", state="received", worker="a", lease=lease
    )
    assert got is not None and got.claimed_by == "a" and got.attempts == 1
    assert (
        queue.claim_next(
            engine, models.Message, state_column="state", state="received", worker="b", lease=lease
        )
        is None
    )
    later = models.utcnow() + timedelta(minutes=6)
    again = queue.claim_next(
        engine,
        models.Message,
        state_column="state",
        state="received",
        worker="b",
        lease=lease,
        now=later,
    )
    assert again is not None and again.id == got.id and again.attempts == 2


def test_concurrent_claims_never_hand_out_a_record_twice(engine: Engine, blobs: BlobStore) -> None:
    company = repo.company_id(engine)
    for n in range(20):
        repo.store_message(
            engine, blobs, company=company, source="t", source_ref=str(n), data=b"m%d" % n
        )
    claimed: list[int] = []
    lock = threading.Lock()

    def work(name: str) -> None:
        while (
            rec := queue.claim_next(
                engine,
                models.Message,
                state_column="state",
                state="received",
                worker=name,
                lease=timedelta(minutes=5),
            )
        ) is not None:
            with lock:
                claimed.append(rec.id or 0)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == sorted(set(claimed))
    assert len(claimed) == 20


def test_transitions_are_checked_and_audited(engine: Engine, blobs: BlobStore) -> None:
    invoice_id = _invoice(engine, blobs, status=InvoiceStatus.NEEDS_REVIEW, invoice_number="7")
    with db.session_scope(engine) as session:
        invoice = session.get(models.Invoice, invoice_id)
        assert invoice is not None
        with pytest.raises(TransitionError):
            repo.change_status(session, invoice, target=InvoiceStatus.EXPORTED, actor="t")
        repo.change_status(session, invoice, target=InvoiceStatus.APPROVED, actor="alice")
    with db.session_scope(engine) as session:
        events = session.exec(
            select(models.AuditEvent).where(models.AuditEvent.invoice_id == invoice_id)
        ).all()
    assert [(e.actor, e.action, e.detail["from"]) for e in events] == [
        ("alice", "approved", "needs_review")
    ]


def test_export_writes_each_approved_invoice_exactly_once(
    engine: Engine, blobs: BlobStore, tmp_path: Path
) -> None:
    company = repo.company_id(engine)
    a = _invoice(
        engine,
        blobs,
        status=InvoiceStatus.APPROVED,
        invoice_number="A-1",
        vendor_name="=cmd|' /C calc'!A0",
        total_amount="119.00",
        currency="EUR",
        invoice_date="2024-03-01",
    )
    _invoice(
        engine, blobs, status=InvoiceStatus.NEEDS_REVIEW, invoice_number="B-1", total_amount="5.00"
    )
    c = _invoice(
        engine,
        blobs,
        status=InvoiceStatus.APPROVED,
        invoice_number="C-1",
        total_amount="20.00",
        net_amount="16.81",
        document_type="credit_note",
    )
    batch = exports.export_approved(engine, blobs, company=company, format_name="generic")
    assert batch is not None and batch.count == 2
    out = exports.write_batch(blobs, batch, tmp_path / "out.csv")
    raw = out.read_bytes()
    assert raw.startswith(b"invoice_id,document_type,vendor_name,") and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    assert [int(r["invoice_id"]) for r in rows] == [a, c]
    assert rows[0]["vendor_name"].startswith("'=")  # no formula reaches a spreadsheet
    assert (rows[1]["total_amount"], rows[1]["net_amount"]) == ("-20.00", "-16.81")
    assert exports.export_approved(engine, blobs, company=company, format_name="generic") is None
    with pytest.raises(exports.UnknownFormatError):
        exports.export_approved(engine, blobs, company=company, format_name="nope")


def test_concurrent_exports_split_nothing_twice(engine: Engine, blobs: BlobStore) -> None:
    company = repo.company_id(engine)
    for n in range(10):
        _invoice(
            engine,
            blobs,
            status=InvoiceStatus.APPROVED,
            invoice_number=f"N{n}",
            total_amount="1.00",
        )
    batches: list[int] = []

    def run() -> None:
        batch = exports.export_approved(engine, blobs, company=company, format_name="generic")
        if batch is not None:
            batches.append(batch.count)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(batches) == 10


def test_migrations_match_the_models(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == [], "models changed without a migration: run storage.migrate.autogenerate"
