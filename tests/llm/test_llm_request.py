"""What leaves the machine: the request body as the local server recorded it."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from extraction.config import LLMConfig
from extraction.fields.llm import refine_with_llm
from extraction.llm.redact import redact
from tests.fakes.invoices import INVOICE_TEXT
from tests.fakes.invoices import offline_doc
from tests.fakes.openai_server import FakeOpenAIServer
from tests.fakes.openai_server import RecordedRequest
from tests.fakes.openai_server import Reply

PNG = b"\x89PNG\r\n\x1a\n fake page bytes"


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as fake:
        yield fake


def send(
    server: FakeOpenAIServer, images: tuple[bytes, ...] = (), **overrides: Any
) -> RecordedRequest:
    server.push(Reply.fields({"currency": "EUR"}))
    settings: dict[str, Any] = {"enabled": True, "base_url": server.base_url, "max_retries": 0}
    settings.update(overrides)
    refine_with_llm(
        offline_doc({}), text=INVOICE_TEXT, page_images=images, config=LLMConfig(**settings)
    )
    [request] = server.requests
    return request


def test_redaction_hides_iban_email_and_phone(server: FakeOpenAIServer) -> None:
    body = send(server).text()
    for secret in ("DE89 3704", "0532 0130 00", "billing@acme-supplies.de", "+49 30"):
        assert secret not in body
    for placeholder in ("[IBAN]", "[EMAIL]", "[PHONE]"):
        assert placeholder in body
    # What the fields need is still there.
    for kept in ("DE123456789", "INV-2024-0042", "1.469,13", "15.03.2024", "PO-7781"):
        assert kept in body


def test_redaction_means_the_iban_is_not_requested(server: FakeOpenAIServer) -> None:
    schema = send(server).body["response_format"]["json_schema"]["schema"]
    assert "vendor_iban" not in schema["properties"]
    assert "total_amount" in schema["required"]


def test_without_redaction_text_and_iban_field_are_sent(server: FakeOpenAIServer) -> None:
    request = send(server, redact=False)
    assert "DE89 3704 0044 0532 0130 00" in request.text()
    assert "vendor_iban" in request.body["response_format"]["json_schema"]["schema"]["properties"]


def test_request_asks_for_a_strict_schema_of_strings(server: FakeOpenAIServer) -> None:
    request = send(server, model="local-llama", api_key="secret-key")
    fmt = request.body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["strict"] is True
    schema = fmt["json_schema"]["schema"]
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == set(schema["properties"])
    assert all(p["type"] == ["string", "null"] for p in schema["properties"].values())
    assert request.body["model"] == "local-llama"
    assert request.headers["authorization"] == "Bearer secret-key"
    assert request.body["messages"][0]["role"] == "system"
    assert "untrusted" in request.body["messages"][0]["content"]


def test_vision_sends_page_images_as_data_urls(server: FakeOpenAIServer) -> None:
    urls = send(server, images=(PNG, PNG + b"2"), vision=True).image_urls()
    assert urls == [
        "data:image/png;base64," + base64.b64encode(PNG).decode(),
        "data:image/png;base64," + base64.b64encode(PNG + b"2").decode(),
    ]


def test_images_are_not_sent_without_vision(server: FakeOpenAIServer) -> None:
    request = send(server, images=(PNG,))
    assert request.image_urls() == []
    assert isinstance(request.body["messages"][1]["content"], str)


def test_vision_alone_works_for_a_document_without_text(server: FakeOpenAIServer) -> None:
    server.push(Reply.fields({"currency": "EUR", "total_amount": "19"}))
    config = LLMConfig(enabled=True, base_url=server.base_url, max_retries=0, vision=True)
    doc = offline_doc({}, text="", tax_rate=None)
    out = refine_with_llm(doc, text="", page_images=(PNG,), config=config)
    assert len(server.requests[0].image_urls()) == 1
    # No text to check against: only shape checks apply, and the fill stays low-confidence.
    assert out.fields["total_amount"].confidence <= 0.6


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("IBAN GB82 WEST 1234 5698 7654 32.", "IBAN [IBAN]."),
        ("mail: a.b+ap@example.co.uk", "mail: [EMAIL]"),
        ("Phone: (030) 123 45 67", "Phone: [PHONE]"),
        ("call +44 20 7946 0958 today", "call [PHONE] today"),
        ("VAT FR12345678901, invoice 2024-000123", "VAT FR12345678901, invoice 2024-000123"),
        ("Total 1 234 567,89 EUR", "Total 1 234 567,89 EUR"),
    ],
)
def test_redact_table(text: str, expected: str) -> None:
    assert redact(text) == expected
