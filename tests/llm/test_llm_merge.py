"""LLM values fill gaps and confirm agreement; they never override XML or offline values."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from extraction.config import LLMConfig
from extraction.fields.llm import refine_with_llm
from extraction.models import ExtractedDocument
from extraction.models import Flag
from extraction.models import Method
from extraction.models import Severity
from extraction.models import Value
from tests.fakes.invoices import INVOICE_TEXT
from tests.fakes.invoices import INVOICE_TRUTH
from tests.fakes.invoices import d
from tests.fakes.invoices import day
from tests.fakes.invoices import offline_doc
from tests.fakes.openai_server import FakeOpenAIServer
from tests.fakes.openai_server import Reply


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as fake:
        yield fake


def config_for(server: FakeOpenAIServer, **overrides: Any) -> LLMConfig:
    settings: dict[str, Any] = {
        "enabled": True,
        "base_url": server.base_url,
        "api_key": "test-key",
        "timeout_s": 5.0,
        "max_retries": 0,
    }
    settings.update(overrides)
    return LLMConfig(**settings)


def refine(
    server: FakeOpenAIServer, doc: ExtractedDocument, answer: dict[str, Any]
) -> ExtractedDocument:
    server.push(Reply.fields(answer))
    return refine_with_llm(doc, text=INVOICE_TEXT, config=config_for(server))


def codes(doc: ExtractedDocument) -> list[str]:
    return [f.code for f in doc.flags]


def test_disabled_returns_the_same_document_without_a_request(server: FakeOpenAIServer) -> None:
    doc = offline_doc({"total_amount": d("1469.13")})
    out = refine_with_llm(doc, text=INVOICE_TEXT, config=LLMConfig(base_url=server.base_url))
    assert out is doc
    assert server.requests == []


def test_disabled_never_imports_openai() -> None:
    script = (
        "import sys\n"
        "from extraction.config import LLMConfig\n"
        "from extraction.fields import llm\n"
        "from tests.fakes.invoices import offline_doc\n"
        "doc = offline_doc()\n"
        "assert llm.refine_with_llm(doc, text='x', config=LLMConfig()) is doc\n"
        "print('openai' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


def test_fills_missing_fields_as_llm_with_capped_confidence(server: FakeOpenAIServer) -> None:
    out = refine(server, offline_doc({"total_amount": d("1469.13")}), INVOICE_TRUTH)
    assert out.fields["invoice_number"].value == "INV-2024-0042"
    assert out.fields["invoice_date"].value == day("2024-03-15")
    assert out.fields["net_amount"].value == d("1234.56")
    assert out.fields["currency"].value == "EUR"
    filled = [v for k, v in out.fields.items() if k != "total_amount"]
    assert len(filled) == len(INVOICE_TRUTH) - 1
    assert all(v.method is Method.LLM and v.reason == "llm" for v in filled)
    assert all(v.confidence <= 0.6 for v in filled)
    assert "LLM_DISAGREES" not in codes(out)


def test_confirmation_raises_offline_confidence_modestly(server: FakeOpenAIServer) -> None:
    doc = offline_doc({"total_amount": d("1469.13"), "currency": "EUR"}, confidence=0.8)
    out = refine(server, doc, {"total_amount": "1469.130", "currency": "eur"})
    total = out.fields["total_amount"]
    assert total.method is Method.TEXT
    assert total.value == d("1469.13")
    assert total.confidence == pytest.approx(0.9)
    assert "confirmed by llm" in total.reason
    assert out.fields["currency"].confidence == pytest.approx(0.9)


def test_confirmation_is_capped(server: FakeOpenAIServer) -> None:
    doc = offline_doc({"invoice_number": "INV-2024-0042"}, confidence=0.95)
    out = refine(server, doc, {"invoice_number": "INV-2024-0042"})
    assert out.fields["invoice_number"].confidence == pytest.approx(0.97)


def test_never_overrides_xml(server: FakeOpenAIServer) -> None:
    xml: dict[str, Value] = {"total_amount": d("1469.13"), "invoice_number": "INV-2024-0042"}
    doc = offline_doc(xml, method=Method.XML, confidence=1.0)
    out = refine(server, doc, {"total_amount": "1234.56", "invoice_number": "INV-2024-0042"})
    assert out.fields["total_amount"] == doc.fields["total_amount"]
    assert out.fields["invoice_number"] == doc.fields["invoice_number"]
    [flag] = [f for f in out.flags if f.code == "LLM_DISAGREES"]
    assert flag.field == "total_amount"
    assert flag.severity is Severity.INFO


def test_disagreement_keeps_offline_value_and_flags_both(server: FakeOpenAIServer) -> None:
    doc = offline_doc({"net_amount": d("1469.13")})
    out = refine(server, doc, {"net_amount": "1234.56", "invoice_number": "INV-2024-0042"})
    assert out.fields["net_amount"] == doc.fields["net_amount"]
    [flag] = [f for f in out.flags if f.code == "LLM_DISAGREES"]
    assert flag == Flag(flag.code, flag.reason, Severity.WARNING, "net_amount")
    assert "1234.56" in flag.reason
    assert "1469.13" in flag.reason
    # A model that disagrees with what we read earns less trust for its fills.
    assert out.fields["invoice_number"].confidence < 0.6


def test_offline_flags_are_kept_and_usage_flag_added(server: FakeOpenAIServer) -> None:
    doc = offline_doc({})
    doc = replace(doc, flags=(Flag("OCR_USED", "scanned page"),))
    out = refine(server, doc, {"currency": "EUR"})
    assert codes(out)[0] == "OCR_USED"
    [usage] = [f for f in out.flags if f.code == "LLM_USAGE"]
    assert usage.severity is Severity.INFO
    assert "150 tokens" in usage.reason


def test_nulls_mean_unknown(server: FakeOpenAIServer) -> None:
    out = refine(server, offline_doc({}), dict.fromkeys(INVOICE_TRUTH))
    assert out.fields == {}
    assert codes(out) == ["LLM_USAGE"]
