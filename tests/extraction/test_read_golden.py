"""Golden tests: real corpus files (copied into tests/corpus with their truth) read visibly."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from extraction.config import ExtractionConfig
from extraction.models import Candidate
from extraction.models import DocumentType
from extraction.models import ExtractedDocument
from extraction.read import read_candidate

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

#: (file, fields that must equal the truth). Fields we do not yet read right are left out.
_ALL = [
    "vendor_name",
    "vendor_vat_id",
    "buyer_name",
    "invoice_number",
    "invoice_date",
    "currency",
    "net_amount",
    "tax_amount",
    "total_amount",
]

GOLDEN = [
    (
        "pdf-text/invoice2data__coolblue1.pdf",
        [
            "vendor_name",
            "vendor_vat_id",
            "vendor_iban",
            "invoice_number",
            "invoice_date",
            "currency",
            "net_amount",
            "total_amount",
        ],
    ),
    (
        "pdf-text/invoice2data__NetpresseInvoice.pdf",
        ["invoice_number", "invoice_date", "currency", "net_amount", "total_amount"],
    ),
    # "Date limite de paiement le 05 Juillet 2015": a filler word before the due date.
    (
        "pdf-text/invoice2data__free_fiber.pdf",
        ["invoice_number", "invoice_date", "due_date", "currency", "net_amount", "total_amount"],
    ),
    # Seller details only in an image; "Grondslag" is the net; the buyer's "Uw BTW" is not taken.
    (
        "pdf-text/invoice2data__saeco.pdf",
        ["invoice_number", "invoice_date", "due_date", "net_amount", "tax_amount", "total_amount"],
    ),
    ("facturx-pdf-visible/ferd233__EN16931_Einfach.pdf", _ALL),
    # Sideways margin text, parties in side-by-side columns, a summary table with a row per rate.
    ("facturx-pdf-visible/ferd10__ZUGFeRD_1p0_EXTENDED_Warenrechnung.pdf", _ALL),
    # VAT rows but no tax total; a discount row under an item; terms "netto bis".
    (
        "facturx-pdf-visible/ferd10__ZUGFeRD_1p0_COMFORT_Rabatte.pdf",
        [*_ALL, "vendor_iban", "due_date"],
    ),
    # Unlabelled addressee block, "Net total", "VAT total", "Due payable", "remit until".
    (
        "facturx-pdf-visible/mustang__MustangGnuaccountingBeispielRE-20190610_507.pdf",
        [*_ALL, "vendor_iban", "due_date"],
    ),
    (
        "facturx-pdf-visible/fnfe__Facture_FR_EN16931.pdf",
        [
            "vendor_vat_id",
            "vendor_iban",
            "buyer_name",
            "invoice_number",
            "invoice_date",
            "due_date",
            "po_number",
            "currency",
            "net_amount",
            "tax_amount",
            "total_amount",
        ],
    ),
    # English, month-first dates proved by "11/17/2017"; "Your Reference" is the PO.
    (
        "facturx-pdf-visible/fnfe__Facture_UE_EN16931.pdf",
        [
            "vendor_vat_id",
            "vendor_iban",
            "buyer_name",
            "invoice_number",
            "invoice_date",
            "due_date",
            "po_number",
            "currency",
            "net_amount",
            "tax_amount",
            "total_amount",
        ],
    ),
]

#: Files whose line items the truth lists in print order (count and amounts must match).
LINES = [
    "facturx-pdf-visible/ferd233__EN16931_Einfach.pdf",
    "facturx-pdf-visible/ferd10__ZUGFeRD_1p0_EXTENDED_Warenrechnung.pdf",
    "facturx-pdf-visible/ferd10__ZUGFeRD_1p0_COMFORT_Rabatte.pdf",
    "facturx-pdf-visible/fnfe__Facture_FR_EN16931.pdf",
    "facturx-pdf-visible/fnfe__Facture_UE_EN16931.pdf",
    "pdf-text/invoice2data__saeco.pdf",
]


def read(path: Path, *, ignore_xml: bool = True) -> ExtractedDocument:
    candidate = Candidate("1", path.read_bytes(), path.name, "application/pdf")
    return read_candidate(candidate, ExtractionConfig(ignore_xml=ignore_xml))


def same(got: Any, want: str) -> bool:
    if isinstance(got, Decimal):
        return got == Decimal(want)
    return str(got) == want


@pytest.mark.parametrize(("name", "keys"), GOLDEN)
def test_visible_fields_match_truth(name: str, keys: list[str]) -> None:
    path = CORPUS / name
    truth = json.loads(path.with_name(path.name + ".truth.json").read_text())["fields"]
    doc = read(path)
    assert doc.method == "text"
    assert doc.document_type is DocumentType.INVOICE
    wrong = {
        k: (doc.fields[k].value if k in doc.fields else None, truth[k])
        for k in keys
        if k not in doc.fields or not same(doc.fields[k].value, truth[k])
    }
    assert wrong == {}


@pytest.mark.parametrize(("name", "keys"), GOLDEN)
def test_every_value_has_provenance(name: str, keys: list[str]) -> None:
    doc = read(CORPUS / name)
    for key, value in doc.fields.items():
        assert value.reason, key
        assert value.page == 1 or value.page == 2, key
        assert value.bbox is not None, key
        assert 0.0 < value.confidence < 1.0, key


@pytest.mark.parametrize("name", LINES)
def test_line_items_match_truth(name: str) -> None:
    path = CORPUS / name
    truth = json.loads(path.with_name(path.name + ".truth.json").read_text())["fields"]
    doc = read(path)
    got = [item.amount for item in doc.line_items]
    assert got == [Decimal(item["amount"]) for item in truth["line_items"]]
    assert all(item.description for item in doc.line_items)


def test_vendor_name_drops_a_legal_form_the_page_states_apart() -> None:
    # The letterhead prints "Au bon moulin SARL" and the legal notice "SARL au capital de
    # 120 000,00 €": the form is stated on its own, so the name is what the XML says.
    doc = read(CORPUS / "facturx-pdf-visible/fnfe__Facture_FR_EN16931.pdf")
    assert doc.fields["vendor_name"].value == "Au bon moulin"
    assert "stated apart" in doc.fields["vendor_name"].reason


def test_high_confidence_only_when_corroborated() -> None:
    doc = read(CORPUS / "facturx-pdf-visible/fnfe__Facture_FR_EN16931.pdf")
    for key in ("net_amount", "tax_amount", "total_amount"):
        assert doc.fields[key].confidence >= 0.95
        assert "net + tax = total" in doc.fields[key].reason
    # A name has no checksum: never high confidence on its own.
    assert doc.fields["vendor_name"].confidence < 0.95


def test_embedded_xml_wins_and_visible_layer_agrees() -> None:
    doc = read(CORPUS / "facturx-pdf-visible/ferd233__EN16931_Einfach.pdf", ignore_xml=False)
    assert doc.method == "xml"
    assert doc.confidence == 1.0
    assert doc.fields["total_amount"].value == Decimal("529.87")
    assert "XML_PDF_MISMATCH" not in {f.code for f in doc.flags}


def test_mismatch_between_xml_and_pdf_is_flagged() -> None:
    from extraction.models import FieldValue
    from extraction.models import Method
    from extraction.read import mismatches

    xml = {"total_amount": FieldValue(Decimal("10.00"), 1.0, Method.XML)}
    seen = {"total_amount": FieldValue(Decimal("12.00"), 0.97, Method.TEXT)}
    unsure = {"total_amount": FieldValue(Decimal("12.00"), 0.5, Method.TEXT)}
    assert [f.code for f in mismatches(xml, seen)] == ["XML_PDF_MISMATCH"]
    assert mismatches(xml, unsure) == []


def test_text_pdf_speed() -> None:
    import time

    path = CORPUS / "pdf-text/invoice2data__coolblue1.pdf"
    started = time.monotonic()
    for _ in range(10):
        read(path)
    assert (time.monotonic() - started) / 10 < 0.25
