"""Any failure of the LLM leaves the offline result intact, plus one flag; nothing raises."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from extraction.config import LLMConfig
from extraction.fields.llm import refine_with_llm
from extraction.models import ExtractedDocument
from extraction.models import Severity
from tests.fakes.invoices import INVOICE_TEXT
from tests.fakes.invoices import d
from tests.fakes.invoices import offline_doc
from tests.fakes.openai_server import FakeOpenAIServer
from tests.fakes.openai_server import RecordedRequest
from tests.fakes.openai_server import Reply


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as fake:
        yield fake


def config_at(base_url: str, **overrides: Any) -> LLMConfig:
    settings: dict[str, Any] = {
        "enabled": True,
        "base_url": base_url,
        "api_key": "k",
        "timeout_s": 5.0,
        "max_retries": 0,
    }
    settings.update(overrides)
    return LLMConfig(**settings)


def assert_fallback(out: ExtractedDocument, doc: ExtractedDocument, code: str) -> None:
    assert out.fields == doc.fields
    assert out.flags[: len(doc.flags)] == doc.flags
    [flag] = out.flags[len(doc.flags) :]
    assert flag.code == code
    assert flag.severity in (Severity.INFO, Severity.WARNING)
    assert flag.reason.startswith("LLM not used")


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_server_down_falls_back() -> None:
    doc = offline_doc({"total_amount": d("1469.13")})
    config = config_at(f"http://127.0.0.1:{unused_port()}/v1")
    out = refine_with_llm(doc, text=INVOICE_TEXT, config=config)
    assert_fallback(out, doc, "LLM_UNAVAILABLE")


def test_timeout_falls_back_within_the_configured_time(server: FakeOpenAIServer) -> None:
    slow = Reply.fields({"currency": "EUR"})
    slow.delay_s = 5.0
    server.push(slow)
    doc = offline_doc({})
    started = time.monotonic()
    out = refine_with_llm(doc, text=INVOICE_TEXT, config=config_at(server.base_url, timeout_s=0.3))
    assert time.monotonic() - started < 3.0
    assert_fallback(out, doc, "LLM_UNAVAILABLE")
    assert "Timeout" in out.flags[-1].reason


def test_http_500_falls_back(server: FakeOpenAIServer) -> None:
    server.push(Reply.error(500))
    doc = offline_doc({"currency": "EUR"})
    out = refine_with_llm(doc, text=INVOICE_TEXT, config=config_at(server.base_url))
    assert_fallback(out, doc, "LLM_UNAVAILABLE")
    assert "HTTP 500" in out.flags[-1].reason


def test_client_retries_then_succeeds(server: FakeOpenAIServer) -> None:
    server.push(Reply.error(500), Reply.fields({"currency": "EUR"}))
    config = config_at(server.base_url, max_retries=1)
    out = refine_with_llm(offline_doc({}), text=INVOICE_TEXT, config=config)
    assert out.fields["currency"].value == "EUR"
    assert len(server.requests) == 2


def test_body_that_is_not_json_falls_back(server: FakeOpenAIServer) -> None:
    server.push(Reply(body="<html>502 Bad Gateway</html>"))
    doc = offline_doc({})
    out = refine_with_llm(doc, text=INVOICE_TEXT, config=config_at(server.base_url))
    assert_fallback(out, doc, "LLM_BAD_RESPONSE")


def test_truncated_json_body_falls_back(server: FakeOpenAIServer) -> None:
    server.push(Reply(body='{"id": "x", "choices": [{"message": {"content": "{\\"cur'))
    doc = offline_doc({})
    out = refine_with_llm(doc, text=INVOICE_TEXT, config=config_at(server.base_url))
    assert_fallback(out, doc, "LLM_BAD_RESPONSE")


@pytest.mark.parametrize(
    "body",
    [
        {"id": "x", "object": "chat.completion", "choices": []},
        {"choices": [{"index": 0, "message": {"role": "assistant", "content": None}}]},
        {"choices": "everything is fine"},
        ["not", "an", "object"],
    ],
)
def test_wrong_shaped_completion_falls_back(server: FakeOpenAIServer, body: Any) -> None:
    server.push(Reply(body=body if isinstance(body, dict) else str(body).replace("'", '"')))
    doc = offline_doc({})
    out = refine_with_llm(doc, text=INVOICE_TEXT, config=config_at(server.base_url))
    assert_fallback(out, doc, "LLM_BAD_RESPONSE")


def test_mapper_that_raises_anything_never_escapes() -> None:
    class Exploding:
        def map_fields(self, text: str, schema: Any, images: Any) -> Any:
            raise RuntimeError("boom")

    doc = offline_doc({})
    config = config_at("http://127.0.0.1:1/v1")
    out = refine_with_llm(doc, text=INVOICE_TEXT, config=config, mapper=Exploding())
    assert_fallback(out, doc, "LLM_BAD_RESPONSE")
    assert "boom" in out.flags[-1].reason


def test_nothing_to_send_makes_no_request(server: FakeOpenAIServer) -> None:
    doc = offline_doc({}, text="")
    out = refine_with_llm(doc, text="  \n", config=config_at(server.base_url))
    assert out is doc
    assert server.requests == []


def test_handler_sees_the_chat_path(server: FakeOpenAIServer) -> None:
    seen: list[RecordedRequest] = []

    def answer(request: RecordedRequest) -> Reply:
        seen.append(request)
        return Reply.fields({"currency": "EUR"})

    server.handler = answer
    out = refine_with_llm(offline_doc({}), text=INVOICE_TEXT, config=config_at(server.base_url))
    assert out.fields["currency"].value == "EUR"
    assert seen[0].path == "/v1/chat/completions"
    assert seen[0].headers["authorization"] == "Bearer k"
