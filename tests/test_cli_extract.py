"""``apinbox extract --json``: the public contract, run as a user runs it, against truth files."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

CORPUS = Path(__file__).parent / "corpus"
V0 = ("vendor_name", "invoice_number", "invoice_date", "currency", "total_amount")
CONTRACT_KEYS = {"file", "part", "document_type", "fields", "confidence", "flags", "method"}


def _extract(*args: str | Path) -> list[dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "daemon", "extract", *map(str, args), "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def _truth(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.with_name(path.name + ".truth.json").read_text())["fields"])


def _same(key: str, got: str, want: str) -> bool:
    if key.endswith("amount"):
        return Decimal(got) == Decimal(want)
    return got.casefold() == want.casefold()


@pytest.mark.parametrize(
    ("path", "flags", "keys"),
    [
        (CORPUS / "e2e" / "fnfe__Facture_FR_EN16931.pdf", (), V0),
        (CORPUS / "xml-ubl", (), V0),
        (CORPUS / "xml-cii", (), V0),
        (
            CORPUS / "e2e" / "fnfe__Facture_FR_EN16931.pdf",
            ("--ignore-xml",),
            ("invoice_number", "invoice_date", "currency", "total_amount"),
        ),
        (
            CORPUS / "pdf-text" / "invoice2data__NetpresseInvoice.pdf",
            (),
            ("invoice_number", "invoice_date", "currency", "total_amount"),
        ),
    ],
)
def test_v0_fields_match_the_truth(
    path: Path, flags: tuple[str, ...], keys: tuple[str, ...]
) -> None:
    files = (
        sorted(p for p in path.iterdir() if p.suffix.lower() == ".xml") if path.is_dir() else [path]
    )
    lines = _extract(*files, *flags)
    assert len(lines) == len(files)
    for line, file in zip(lines, files, strict=True):
        assert line.keys() >= CONTRACT_KEYS
        truth = _truth(file)
        for key in keys:
            if key in truth:
                assert _same(key, line["fields"].get(key, ""), truth[key]), (
                    file.name,
                    key,
                    line["fields"].get(key),
                )
    if flags:
        assert all(line["method"] != "xml" for line in lines)


def test_a_message_gives_each_document_with_its_email_context(tmp_path: Path) -> None:
    pdf = (CORPUS / "e2e" / "fnfe__Facture_FR_EN16931.pdf").read_bytes()
    inner = EmailMessage()
    inner["From"] = "Au bon moulin <factures@aubonmoulin.example>"
    inner["Subject"] = "Facture FA-2017-0010"
    inner["Date"] = "Mon, 13 Nov 2017 09:00:00 +0100"
    inner.set_content("Veuillez trouver notre facture.")
    inner.add_attachment(pdf, maintype="application", subtype="pdf", filename="FA-2017-0010.pdf")
    outer = EmailMessage()
    outer["From"] = "Claire <claire@shop.example>"
    outer["To"] = "ap@shop.example"
    outer["Subject"] = "Fwd: Facture FA-2017-0010"
    outer["Date"] = "Tue, 14 Nov 2017 10:00:00 +0100"
    outer.set_content("FYI, for payment.")
    outer.add_attachment(inner)
    message = tmp_path / "forwarded.eml"
    message.write_bytes(outer.as_bytes())
    invoices = [d for d in _extract(message) if d["document_type"] == "invoice"]
    [doc] = invoices
    assert doc["fields"]["invoice_number"] == "FA-2017-0010"
    assert doc["email"]["from"] == "Claire <claire@shop.example>"
    assert doc["email"]["original_from"] == "Au bon moulin <factures@aubonmoulin.example>"
    assert doc["email"]["forwarded_by"] == "Claire <claire@shop.example>"
    assert doc["email"]["original_subject"] == "Facture FA-2017-0010"


def test_unreadable_input_is_a_failed_line_not_a_crash(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n")
    [line] = _extract(broken)
    assert line["document_type"] == "failed"
    assert line["flags"] and line["flags"][0]["reason"]
