"""Every real-world message in the corpus goes through intake and the stages without a crash,
and ends with its documents or a stored reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

import extraction
from daemon import readers
from daemon import stages
from daemon.intake import Intake
from daemon.worker import Worker
from matching import Policy
from storage import db
from storage import models
from storage.blobs import BlobStore

EML = Path(__file__).parents[1] / "corpus" / "eml"


@pytest.mark.parametrize("in_child", [False, True], ids=["in-process", "reader-child"])
def test_every_corpus_message_is_stored_and_split(
    sqlite_engine: Engine, blobs: BlobStore, in_child: bool
) -> None:
    files = sorted(p for p in EML.iterdir() if p.suffix in (".eml", ".tnef"))
    assert len(files) >= 40
    intake = Intake(sqlite_engine, blobs)
    for file in files:
        intake.accept(file.read_bytes(), source="import", source_ref=file.name, filename=file.name)
    # The daemon reads in a child: every part must cross the pipe back whole.
    read = readers.POOL.reading(120) if in_child else extraction.extract_parts
    ctx = stages.StageContext(sqlite_engine, blobs, extraction.ExtractionConfig(), Policy(), read)
    Worker(ctx).run_until_idle()
    with db.session_scope(sqlite_engine) as session:
        messages = session.exec(select(models.Message)).all()
        documents = session.exec(select(models.Document)).all()
    assert {m.state for m in messages} == {"extracted"}, [
        (m.filename, m.error) for m in messages if m.error
    ]
    per_message = {m.id: [d for d in documents if d.message_id == m.id] for m in messages}
    assert all(per_message.values()), [m.filename for m in messages if not per_message[m.id]]
    for doc in documents:
        if doc.document_type in ("not_invoice", "failed"):
            assert doc.flags or doc.type_reason, doc.filename
        assert blobs.exists(doc.sha256)
    forwarded = [m for m in messages if m.email and m.email.get("forwarded_by")]
    assert forwarded and all(
        m.email and m.email["original_from"] != m.email["from"] for m in forwarded
    )
