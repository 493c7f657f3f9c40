"""The accuracy benchmark: comparison rules, and a full run over a tiny corpus built in tmp_path."""

from __future__ import annotations

import io
import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from daemon import bench
from extraction import extract
from extraction.config import ExtractionConfig

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
CII = "cen-en16931__CII_business_example_01.xml"
ZUGFERD1 = "akretion__zugferd-basic.xml"
UBL = "akretion__ubl-21-en16931.xml"


@pytest.mark.parametrize(
    ("key", "got", "truth", "equal"),
    [
        ("total_amount", Decimal("20.0000"), "20", True),
        ("total_amount", Decimal("336.90"), "336.9", True),
        ("total_amount", Decimal("336.91"), "336.9", False),
        ("net_amount", "abc", "1", False),
        ("invoice_date", date(2024, 3, 5), "2024-03-05", True),
        ("invoice_date", date(2024, 3, 5), "2024-05-03", False),
        ("invoice_number", "inv-2024/001", "INV 2024.001", True),
        ("invoice_number", "INV-2024-002", "INV-2024-001", False),
        ("vendor_iban", "DE89 3704 0044 0532 0130 00", "DE89370400440532013000", True),
        ("po_number", "#PO_17", "po17", True),
        ("vendor_name", "  ACME   GmbH.", "Acme GmbH", True),
        (
            "vendor_name",
            "\uff2c\uff49\uff45\uff46\uff45\uff52\uff41\uff4e\uff54 GmbH",  # full-width
            "lieferant gmbh",
            True,
        ),  # NFKC folds full-width letters
        ("vendor_name", "Acme GmbH", "Acme AG", False),
        ("currency", "eur", "EUR", True),
        ("vendor_name", None, "Acme", False),
    ],
)
def test_same(key: str, got: Any, truth: Any, equal: bool) -> None:
    assert bench.same(key, got, truth) is equal


def copy_doc(
    src_kind: str, name: str, root: Path, *, kind: str | None = None, **truth_changes: str
) -> None:
    """Copy a corpus document and its truth into ``root/<kind>/``, editing truth fields."""
    target = root / (kind or src_kind)
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(CORPUS / src_kind / name, target / name)
    truth = json.loads((CORPUS / src_kind / f"{name}.truth.json").read_text())
    truth["fields"].update(truth_changes)
    (target / f"{name}.truth.json").write_text(json.dumps(truth))


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    """Three e-invoices in two kinds, plus an eml folder that must be skipped."""
    copy_doc("xml-cii", CII, tmp_path)
    copy_doc("xml-cii", ZUGFERD1, tmp_path)
    copy_doc("xml-ubl", UBL, tmp_path)
    (tmp_path / "eml").mkdir()
    (tmp_path / "eml" / "m.eml").write_bytes(b"From: a@example.org\r\n\r\nhello\r\n")
    (tmp_path / "eml" / "m.eml.truth.json").write_text('{"fields": {"vendor_name": "x"}}')
    return tmp_path


def test_parallel_jobs_score_like_one_job(tiny_corpus: Path) -> None:
    one = bench.run_accuracy(tiny_corpus, ignore_xml=False, kinds=None, out=io.StringIO())
    two = bench.run_accuracy(tiny_corpus, ignore_xml=False, kinds=None, out=io.StringIO(), jobs=2)
    for kind, score in one["kinds"].items():
        assert two["kinds"][kind]["fields"] == score["fields"]
        assert two["kinds"][kind]["documents"] == score["documents"]
        assert two["kinds"][kind]["pages_per_second"] > 0
    assert [m["file"] for m in two["mismatches"]] == [m["file"] for m in one["mismatches"]]


def test_einvoices_score_perfectly(tiny_corpus: Path) -> None:
    out = io.StringIO()
    result = bench.run_accuracy(tiny_corpus, ignore_xml=False, kinds=None, out=out)
    assert set(result["kinds"]) == {"xml-cii", "xml-ubl"}
    for score in result["kinds"].values():
        assert score["failures"] == []
        assert score["all_fields"]["accuracy"] == 1.0
        assert score["line_items"]["accuracy"] == 1.0
    assert result["kinds"]["xml-cii"]["documents"] == 2
    assert result["kinds"]["xml-cii"]["fields"]["invoice_number"] == {
        "correct": 2,
        "scored": 2,
        "accuracy": 1.0,
    }
    # po_number is in one truth only: the other document does not count.
    assert result["kinds"]["xml-cii"]["fields"]["po_number"]["scored"] == 1
    assert result["confidence_bands"][">=0.95"]["accuracy"] == 1.0
    assert result["mismatches"] == []
    assert "xml-ubl" in out.getvalue()
    assert "100.0%" in out.getvalue()


def test_wrong_values_are_counted_and_listed(tmp_path: Path) -> None:
    copy_doc("xml-cii", CII, tmp_path, total_amount="1.00", invoice_number="tosl-108")
    result = bench.run_accuracy(tmp_path, ignore_xml=False, kinds=None, out=io.StringIO())
    fields = result["kinds"]["xml-cii"]["fields"]
    assert fields["total_amount"]["accuracy"] == 0.0
    assert fields["invoice_number"]["accuracy"] == 1.0  # separators and case do not matter
    assert [(m["field"], m["truth"]) for m in result["mismatches"]] == [("total_amount", "1.00")]


def test_wrong_line_items_are_listed_with_their_amounts(tmp_path: Path) -> None:
    copy_doc("xml-cii", CII, tmp_path)
    truth_path = tmp_path / "xml-cii" / f"{CII}.truth.json"
    truth = json.loads(truth_path.read_text())
    expected = [line["amount"] for line in truth["fields"]["line_items"]]
    truth["fields"]["line_items"][0]["amount"] = "0.01"
    truth_path.write_text(json.dumps(truth))
    result = bench.run_accuracy(tmp_path, ignore_xml=False, kinds=None, out=io.StringIO())
    [wrong] = result["mismatches"]
    assert wrong["field"] == "line_items"
    assert wrong["truth"] == ["0.01", *expected[1:]]
    assert [Decimal(a) for a in wrong["got"]] == [Decimal(a) for a in expected]


def test_a_document_that_yields_nothing_scores_every_field_wrong(tmp_path: Path) -> None:
    copy_doc("xml-cii", CII, tmp_path)
    (tmp_path / "xml-cii" / CII).write_bytes(b"<rss/>")
    result = bench.run_accuracy(tmp_path, ignore_xml=False, kinds=None, out=io.StringIO())
    assert result["kinds"]["xml-cii"]["all_fields"]["correct"] == 0
    assert result["kinds"]["xml-cii"]["all_fields"]["scored"] > 0


def test_kind_filter(tiny_corpus: Path) -> None:
    result = bench.run_accuracy(tiny_corpus, ignore_xml=False, kinds=["xml-ubl"], out=io.StringIO())
    assert list(result["kinds"]) == ["xml-ubl"]


def test_pdf_pages_are_counted(tmp_path: Path) -> None:
    copy_doc("facturx-pdf", "ferd233__BASIC_Einfach.pdf", tmp_path)
    result = bench.run_accuracy(tmp_path, ignore_xml=False, kinds=None, out=io.StringIO())
    score = result["kinds"]["facturx-pdf"]
    assert score["pages"] == 2  # as poppler's pdfinfo counts them
    assert score["fields"]["total_amount"]["accuracy"] == 1.0
    assert score["pages_per_second"] > 0


def test_main_prints_json(tiny_corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["accuracy", str(tiny_corpus), "--kind", "xml-cii", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["overall"]["accuracy"] == 1.0
    assert list(result["kinds"]) == ["xml-cii"]


def test_repeat_times_more_reads_and_scores_the_first_pass(
    tiny_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = bench.run_accuracy(tiny_corpus, ignore_xml=False, kinds=None, out=io.StringIO())
    reads: list[str | None] = []

    def counted(data: bytes, name: str | None, config: ExtractionConfig) -> Any:
        reads.append(name)
        return extract(data, name, config)

    monkeypatch.setattr(bench, "extract", counted)
    out = io.StringIO()
    three = bench.run_accuracy(tiny_corpus, ignore_xml=False, kinds=None, out=out, jobs=2, repeat=3)
    # Per kind: one untimed warm-up read, then three timed passes.
    assert len(reads) == sum(1 + 3 * score["documents"] for score in one["kinds"].values())
    for kind, score in one["kinds"].items():
        # Scores count each document once, however often the clock read it.
        assert three["kinds"][kind]["fields"] == score["fields"]
        assert three["kinds"][kind]["documents"] == score["documents"]
        assert three["kinds"][kind]["repeat"] == 3
    assert "timed passes" in out.getvalue()


def test_rates_count_every_timed_pass() -> None:
    score = bench.KindScore(documents=2, pages=4, seconds=2.0, repeat=3)
    assert score.to_json()["pages_per_second"] == 6.0
    assert score.to_json()["documents_per_second"] == 3.0


def test_reading_in_children_scores_like_reading_here(tiny_corpus: Path) -> None:
    here = bench.run_accuracy(tiny_corpus, ignore_xml=False, kinds=None, out=io.StringIO())
    there = bench.run_accuracy(
        tiny_corpus, ignore_xml=False, kinds=None, out=io.StringIO(), jobs=2, in_children=True
    )
    assert there["in_children"] is True
    for kind, score in here["kinds"].items():
        assert there["kinds"][kind]["fields"] == score["fields"]
        assert there["kinds"][kind]["failures"] == []
