"""Cost control: replies cached by content, tokens counted per month against a cap."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from extraction.config import LLMConfig
from extraction.fields.llm import UsageLedger
from extraction.fields.llm import refine_with_llm
from extraction.models import ExtractedDocument
from extraction.models import Severity
from tests.fakes.invoices import INVOICE_TEXT
from tests.fakes.invoices import offline_doc
from tests.fakes.openai_server import FakeOpenAIServer
from tests.fakes.openai_server import Reply


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as fake:
        yield fake


def config_for(server: FakeOpenAIServer, cache_dir: Path, **overrides: Any) -> LLMConfig:
    settings: dict[str, Any] = {
        "enabled": True,
        "base_url": server.base_url,
        "api_key": "k",
        "max_retries": 0,
        "cache_dir": str(cache_dir),
    }
    settings.update(overrides)
    return LLMConfig(**settings)


def flag(doc: ExtractedDocument, code: str) -> str:
    [found] = [f for f in doc.flags if f.code == code]
    return found.reason


def test_cache_hit_makes_no_second_request(server: FakeOpenAIServer, tmp_path: Path) -> None:
    server.push(Reply.fields({"currency": "EUR"}, prompt_tokens=400, completion_tokens=20))
    config = config_for(server, tmp_path)
    first = refine_with_llm(offline_doc({}), text=INVOICE_TEXT, config=config)
    second = refine_with_llm(offline_doc({}), text=INVOICE_TEXT, config=config)
    assert len(server.requests) == 1
    assert first.fields == second.fields
    assert "420 tokens (400 prompt + 20 completion)" in flag(first, "LLM_USAGE")
    assert "cached" in flag(second, "LLM_USAGE")
    assert UsageLedger.in_dir(tmp_path).used() == 420


def test_cache_key_includes_the_model(server: FakeOpenAIServer, tmp_path: Path) -> None:
    server.push(Reply.fields({"currency": "EUR"}), Reply.fields({"currency": "EUR"}))
    refine_with_llm(offline_doc({}), text=INVOICE_TEXT, config=config_for(server, tmp_path))
    other = config_for(server, tmp_path, model="local-llama")
    refine_with_llm(offline_doc({}), text=INVOICE_TEXT, config=other)
    assert [r.body["model"] for r in server.requests] == ["gpt-4o-mini", "local-llama"]


def test_bad_answers_are_not_cached(server: FakeOpenAIServer, tmp_path: Path) -> None:
    server.push(Reply.chat("no idea"), Reply.fields({"currency": "EUR"}))
    config = config_for(server, tmp_path)
    first = refine_with_llm(offline_doc({}), text=INVOICE_TEXT, config=config)
    second = refine_with_llm(offline_doc({}), text=INVOICE_TEXT, config=config)
    assert "LLM_BAD_RESPONSE" in [f.code for f in first.flags]
    assert second.fields["currency"].value == "EUR"
    assert len(server.requests) == 2


def test_cap_reached_makes_no_request(server: FakeOpenAIServer, tmp_path: Path) -> None:
    ledger = UsageLedger.in_dir(tmp_path)
    ledger.add(9_900)
    doc = offline_doc({})
    config = config_for(server, tmp_path, monthly_token_cap=10_000)
    out = refine_with_llm(doc, text=INVOICE_TEXT, config=config)
    assert server.requests == []
    assert out.fields == doc.fields
    [capped] = [f for f in out.flags if f.code == "LLM_CAP_REACHED"]
    assert capped.severity is Severity.INFO
    assert "10000" in capped.reason


def test_usage_accumulates_until_the_cap(server: FakeOpenAIServer, tmp_path: Path) -> None:
    server.push(*[Reply.fields({"currency": "EUR"}, prompt_tokens=700) for _ in range(3)])
    config = config_for(server, tmp_path, monthly_token_cap=1_500)
    # Each call costs 730 tokens; the third would pass 1500 (1460 used + its estimate).
    ledger = UsageLedger(tmp_path / "usage.json", today=lambda: date(2026, 11, 28))
    for n in range(3):
        doc = offline_doc({}, text=f"{INVOICE_TEXT}\npage {n}")
        out = refine_with_llm(doc, text=doc.text, config=config, usage=ledger)
    assert len(server.requests) == 2
    assert "LLM_CAP_REACHED" in [f.code for f in out.flags]
    stored = json.loads((tmp_path / "usage.json").read_text())
    assert stored == {"2026-11": {"tokens": 1460, "calls": 2}}


def test_ledger_counts_per_month(tmp_path: Path) -> None:
    today = date(2026, 11, 30)
    ledger = UsageLedger(tmp_path / "u.json", today=lambda: today)
    ledger.add(100)
    today = date(2026, 12, 1)
    assert ledger.used() == 0
    assert ledger.add(5) == 5
    assert ledger.used("2026-11") == 100
    assert ledger.allows(10, 20)
    assert not ledger.allows(16, 20)
    assert ledger.allows(10**9, None)


def test_corrupt_ledger_and_cache_files_do_not_break_extraction(
    server: FakeOpenAIServer, tmp_path: Path
) -> None:
    (tmp_path / "llm-usage.json").write_text("{not json")
    server.push(Reply.fields({"currency": "EUR"}))
    config = config_for(server, tmp_path, monthly_token_cap=10_000)
    out = refine_with_llm(offline_doc({}), text=INVOICE_TEXT, config=config)
    assert out.fields["currency"].value == "EUR"
    for cached in (tmp_path / "llm-replies").iterdir():
        cached.write_text("[]")
    server.push(Reply.fields({"currency": "EUR"}))
    again = refine_with_llm(offline_doc({}), text=INVOICE_TEXT, config=config)
    assert again.fields["currency"].value == "EUR"
    assert len(server.requests) == 2


def test_missing_usage_is_estimated(server: FakeOpenAIServer, tmp_path: Path) -> None:
    server.push(Reply.fields({"currency": "EUR"}, usage=False))
    out = refine_with_llm(offline_doc({}), text=INVOICE_TEXT, config=config_for(server, tmp_path))
    assert "(estimated)" in flag(out, "LLM_USAGE")
    assert UsageLedger.in_dir(tmp_path).used() > 0
