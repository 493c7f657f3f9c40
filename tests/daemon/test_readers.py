"""Messages read in reader children: the same parts as in the daemon, and a reader that dies
or hangs fails its message with a reason while the daemon and the next message go on."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

import extraction
from daemon import readers
from daemon import stages
from daemon.intake import Intake
from daemon.retry import RetryStrategy
from daemon.worker import Worker
from extraction.config import LLMConfig
from extraction.models import Method
from matching import Policy
from storage import db
from storage import models
from storage.blobs import BlobStore
from tests.fakes.openai_server import FakeOpenAIServer
from tests.fakes.openai_server import Reply

CORPUS = Path(__file__).parents[1] / "corpus"
TEXT_PDF = CORPUS / "pdf-text" / "invoice2data__free_fiber.pdf"
#: A receipt photo: OCR keeps the child busy for about a second.
RECEIPT = CORPUS / "image-scan" / "sroie__418.jpg"
CONFIG = extraction.ExtractionConfig()


def _summary(parts: readers.Parts) -> list[tuple[str, str, dict[str, object]]]:
    return [
        (c.filename or "", str(d.document_type), {k: v.value for k, v in d.fields.items()})
        for c, d in parts
    ]


@pytest.fixture
def pool() -> Iterator[readers.Readers]:
    made = readers.Readers()
    yield made
    made.close()


def test_a_child_reads_what_the_daemon_reads(pool: readers.Readers) -> None:
    data = TEXT_PDF.read_bytes()
    here = extraction.extract_parts(data, TEXT_PDF.name, CONFIG)
    there = pool.read(data, TEXT_PDF.name, CONFIG, timeout_s=120)
    assert _summary(there) == _summary(here)
    assert [c.data for c, _ in there] == [c.data for c, _ in here]
    assert there[0][1].fields["total_amount"].value is not None


def test_a_child_is_kept_warm_and_lent_again(pool: readers.Readers) -> None:
    data = TEXT_PDF.read_bytes()
    pool.read(data, TEXT_PDF.name, CONFIG, timeout_s=120)
    [first] = pool._idle
    pool.read(data, TEXT_PDF.name, CONFIG, timeout_s=120)
    assert pool._idle == [first]


def test_a_reader_killed_mid_read_fails_that_message_only(pool: readers.Readers) -> None:
    reader = readers.Reader(readers.MEMORY_BYTES)
    failures: list[str] = []

    def read() -> None:
        try:
            reader.read(RECEIPT.read_bytes(), RECEIPT.name, CONFIG, timeout_s=120)
        except readers.ReadFailed as exc:
            failures.append(exc.reason)

    thread = threading.Thread(target=read)
    thread.start()
    time.sleep(0.5)  # the child is importing or reading: either way it dies mid-message
    assert reader.pid is not None
    os.kill(reader.pid, signal.SIGKILL)
    thread.join(30)
    assert failures == ["the reader process died while reading this message (exit code -9)"]
    assert not reader.alive()
    # The next message gets a new child.
    parts = pool.read(TEXT_PDF.read_bytes(), TEXT_PDF.name, CONFIG, timeout_s=120)
    assert parts[0][1].fields["total_amount"].value is not None


def test_a_reading_that_takes_too_long_is_stopped() -> None:
    reader = readers.Reader(readers.MEMORY_BYTES)
    with pytest.raises(readers.ReadFailed, match=r"reading took longer than 0.2 s"):
        reader.read(RECEIPT.read_bytes(), RECEIPT.name, CONFIG, timeout_s=0.2)
    assert not reader.alive()


def test_a_child_that_died_while_idle_is_not_lent(pool: readers.Readers) -> None:
    data = TEXT_PDF.read_bytes()
    pool.read(data, TEXT_PDF.name, CONFIG, timeout_s=120)
    [idle] = pool._idle
    assert idle.pid is not None
    os.kill(idle.pid, signal.SIGKILL)
    idle._process.join(10)
    assert pool.read(data, TEXT_PDF.name, CONFIG, timeout_s=120)
    [fresh] = pool._idle
    assert fresh is not idle and fresh.alive()


def test_an_exception_inside_the_child_comes_back_as_its_reason(pool: readers.Readers) -> None:
    # Bytes that are not bytes: extraction raises before it can type a result.
    with pytest.raises(readers.ReadFailed, match=r"^TypeError: "):
        pool.read(None, "x.pdf", CONFIG, timeout_s=120)  # type: ignore[arg-type]
    [child] = pool._idle  # it lives on, and reads the next message
    assert pool.read(TEXT_PDF.read_bytes(), TEXT_PDF.name, CONFIG, timeout_s=120)
    assert pool._idle == [child]


def test_a_message_whose_reader_hangs_is_parked_with_the_reason(
    engine: Engine, blobs: BlobStore, pool: readers.Readers
) -> None:
    message, _ = Intake(engine, blobs).accept(
        RECEIPT.read_bytes(), source="test", source_ref="r", filename=RECEIPT.name
    )
    read = pool.reading(timeout_s=0.2)
    ctx = stages.StageContext(engine, blobs, CONFIG, Policy(), read)
    worker = Worker(ctx, retry=RetryStrategy(max_attempts=2, base_s=0.0))
    worker.run_until_idle()
    with db.session_scope(engine) as session:
        stored = session.get(models.Message, message.id)
    assert stored is not None
    assert (stored.state, stored.attempts) == ("failed", 2)
    assert stored.error == "ReadFailed: reading took longer than 0.2 s; the reader was stopped"
    # The message itself is kept: a retry from the review desk reads the same bytes.
    assert blobs.exists(message.sha256)


def test_a_reading_is_held_to_the_childs_memory_cap() -> None:
    data = TEXT_PDF.read_bytes()
    roomy = readers.Reader(readers.MEMORY_BYTES)
    [(_, doc)] = roomy.read(data, TEXT_PDF.name, CONFIG, timeout_s=120)
    assert str(doc.document_type) == "invoice"
    roomy.stop()
    # 64 MB is less than the readers' own libraries need: the same file cannot be read, and
    # that is the message's failure (typed by extraction, or the child's), not the daemon's.
    cramped = readers.Reader(64 * 1024**2)
    try:
        [(_, doc)] = cramped.read(data, TEXT_PDF.name, CONFIG, timeout_s=120)
        assert str(doc.document_type) == "failed", doc.type_reason
    except readers.ReadFailed:
        pass
    finally:
        cramped.stop()


def test_parts_that_cannot_cross_the_pipe_come_back_as_a_reason() -> None:
    here, there = multiprocessing.Pipe()
    readers._reply(there, (True, [lambda: None]))  # a function does not pickle
    ok, reason = here.recv()
    assert not ok
    assert reason.startswith("the parts read could not be passed back: ")


def test_the_llm_pass_runs_in_the_child_against_the_configured_server(
    pool: readers.Readers,
) -> None:
    pdf = CORPUS / "e2e" / "invoice2data__NetpresseInvoice.pdf"
    with FakeOpenAIServer() as server:
        server.push(Reply.fields({"due_date": "2022-12-28", "total_amount": "56.02"}))
        llm = LLMConfig(enabled=True, base_url=server.base_url, api_key="test", max_retries=0)
        config = extraction.ExtractionConfig(llm=llm)
        [(_, doc)] = pool.read(pdf.read_bytes(), pdf.name, config, timeout_s=120)
        assert len(server.requests) == 1
    due = doc.fields["due_date"]
    assert (str(due.value), due.method) == ("2022-12-28", Method.LLM)
    assert any(f.code == "LLM_USAGE" for f in doc.flags)
