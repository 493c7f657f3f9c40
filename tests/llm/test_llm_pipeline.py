"""The LLM pass inside ``extraction.extract``: off by default, fills gaps, revalidated."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import extraction
from extraction.config import LLMConfig
from extraction.models import Method
from tests.fakes.openai_server import FakeOpenAIServer
from tests.fakes.openai_server import Reply

PDF = Path(__file__).parents[1] / "corpus" / "e2e" / "invoice2data__NetpresseInvoice.pdf"
XML_PDF = Path(__file__).parents[1] / "corpus" / "e2e" / "fnfe__Facture_FR_EN16931.pdf"


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as fake:
        yield fake


def _config(server: FakeOpenAIServer, **extra: object) -> extraction.ExtractionConfig:
    llm = LLMConfig(enabled=True, base_url=server.base_url, api_key="test", max_retries=0, **extra)  # type: ignore[arg-type]
    return extraction.ExtractionConfig(llm=llm)


def test_llm_is_never_called_when_off(server: FakeOpenAIServer) -> None:
    [doc] = extraction.extract(PDF.read_bytes(), PDF.name, extraction.ExtractionConfig())
    assert server.requests == []
    assert all(v.method != Method.LLM for v in doc.fields.values())


def test_llm_fills_a_missing_field_marked_llm_and_sees_the_page(server: FakeOpenAIServer) -> None:
    server.push(Reply.fields({"due_date": "2022-12-28", "total_amount": "56.02"}))
    [doc] = extraction.extract(PDF.read_bytes(), PDF.name, _config(server, vision=True))
    [request] = server.requests
    assert "56,02" in request.text()
    assert len(request.image_urls()) == 1
    due = doc.fields["due_date"]
    assert (str(due.value), due.method) == ("2022-12-28", Method.LLM)
    assert due.confidence <= 0.6
    assert doc.fields["total_amount"].method == Method.TEXT  # confirmed, not replaced
    assert any(f.code == "LLM_USAGE" for f in doc.flags)


def test_tax_rate_offered_as_total_is_rejected(server: FakeOpenAIServer) -> None:
    server.push(Reply.fields({"total_amount": "20", "net_amount": "20"}))
    [doc] = extraction.extract(PDF.read_bytes(), PDF.name, _config(server))
    assert str(doc.fields["total_amount"].value) == "56.02"
    assert doc.fields["total_amount"].method == Method.TEXT


def test_e_invoices_are_never_sent(server: FakeOpenAIServer) -> None:
    [doc] = extraction.extract(XML_PDF.read_bytes(), XML_PDF.name, _config(server))
    assert doc.method == "xml"
    assert server.requests == []


def test_a_dead_server_leaves_the_offline_result(tmp_path: Path) -> None:
    llm = LLMConfig(
        enabled=True, base_url="http://127.0.0.1:9/v1", api_key="x", max_retries=0, timeout_s=2
    )
    offline = extraction.extract(PDF.read_bytes(), PDF.name, extraction.ExtractionConfig())[0]
    [doc] = extraction.extract(PDF.read_bytes(), PDF.name, extraction.ExtractionConfig(llm=llm))
    assert doc.field_values() == offline.field_values()
    assert any(f.code == "LLM_UNAVAILABLE" for f in doc.flags)
