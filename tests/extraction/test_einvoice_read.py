"""read_xml over real CII / UBL files: every truth field, line items, VAT breakdown, types."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from extraction.einvoice import EInvoice
from extraction.einvoice import read_xml
from extraction.models import EXTRA_KEYS
from extraction.models import FIELD_KEYS
from extraction.models import DocumentType
from extraction.models import Method
from extraction.models import TaxLine

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
XML_FILES = sorted(
    p
    for kind in ("xml-cii", "xml-ubl")
    for p in (CORPUS / kind).iterdir()
    if p.suffix.lower() == ".xml"
)
AMOUNTS = {"net_amount", "tax_amount", "total_amount", "amount_due"}
DATES = {"invoice_date", "due_date"}


def truth_of(path: Path) -> dict[str, Any]:
    """Return the ``fields`` of a document's truth file."""
    fields: dict[str, Any] = json.loads(path.with_name(path.name + ".truth.json").read_text())[
        "fields"
    ]
    return fields


def read(kind: str, name: str) -> EInvoice:
    """Read one copied corpus file."""
    return read_xml((CORPUS / kind / name).read_bytes())


def as_truth(key: str, value: Any) -> Any:
    """Return an extracted value in the truth's terms (typed for amounts and dates)."""
    if key in AMOUNTS:
        assert isinstance(value, Decimal), f"{key} must be a Decimal, got {type(value)}"
    if key in DATES:
        assert isinstance(value, date), f"{key} must be a date, got {type(value)}"
        return value.isoformat()
    return value


@pytest.mark.parametrize("path", XML_FILES, ids=lambda p: p.name)
def test_every_truth_field_is_read_exactly(path: Path) -> None:
    invoice = read_xml(path.read_bytes())
    truth = truth_of(path)
    for key in (*FIELD_KEYS, *EXTRA_KEYS):
        if key not in truth:
            continue
        assert key in invoice.fields, f"{key} missing"
        got = as_truth(key, invoice.fields[key].value)
        want = Decimal(truth[key]) if key in AMOUNTS else truth[key]
        assert got == want, key


@pytest.mark.parametrize("path", XML_FILES, ids=lambda p: p.name)
def test_line_items_match_the_truth(path: Path) -> None:
    invoice = read_xml(path.read_bytes())
    want = truth_of(path).get("line_items", [])
    assert len(invoice.line_items) == len(want)
    for line, expected in zip(invoice.line_items, want, strict=True):
        got = line.to_json()
        assert got.keys() == expected.keys()
        assert got.get("description") == expected.get("description")
        for part in ("quantity", "unit_price", "amount"):
            if part in expected:  # numerically: the XML may write "64." for 64
                assert Decimal(got[part]) == Decimal(expected[part]), part


@pytest.mark.parametrize("path", XML_FILES, ids=lambda p: p.name)
def test_every_value_is_exact_xml(path: Path) -> None:
    invoice = read_xml(path.read_bytes())
    assert invoice.fields
    assert {v.method for v in invoice.fields.values()} == {Method.XML}
    assert {v.confidence for v in invoice.fields.values()} == {1.0}


@pytest.mark.parametrize(
    ("kind", "name", "syntax", "doc_type"),
    [
        ("xml-cii", "akretion__zugferd-basic.xml", "zugferd1", DocumentType.INVOICE),
        ("xml-cii", "cen-en16931__CII_business_example_01.xml", "cii", DocumentType.INVOICE),
        # Type code 380 with a negative total: a French "avoir" that pays us back.
        (
            "xml-cii",
            "mustang__valid_Avoir_FR_type380_minimum_factur-x.xml",
            "cii",
            DocumentType.CREDIT_NOTE,
        ),
        ("xml-ubl", "akretion__ubl-21-en16931.xml", "ubl", DocumentType.INVOICE),
        ("xml-ubl", "cen-en16931__ubl-tc434-creditnote1.xml", "ubl", DocumentType.CREDIT_NOTE),
    ],
)
def test_syntax_and_document_type(
    kind: str, name: str, syntax: str, doc_type: DocumentType
) -> None:
    invoice = read(kind, name)
    assert invoice.syntax == syntax
    assert invoice.document_type is doc_type


def test_amounts_keep_the_scale_written_in_the_xml() -> None:
    invoice = read("xml-cii", "akretion__zugferd-basic.xml")
    assert str(invoice.line_items[0].quantity) == "20.0000"
    assert str(invoice.fields["net_amount"].value) == "198.00"


def test_cii_tax_breakdown_and_payment_details() -> None:
    invoice = read("xml-cii", "akretion__zugferd-basic.xml")
    assert invoice.tax_lines == (
        TaxLine(
            rate=Decimal("19.00"), basis=Decimal("198.00"), amount=Decimal("37.62"), category=None
        ),
    )
    assert read("xml-cii", "cen-en16931__CII_business_example_01.xml").tax_lines[0].category == "S"
    assert invoice.fields["vendor_bic"].value == "GENODEF1M04"
    assert invoice.fields["vendor_address"].value == "Lieferantenstraße 20, 80333 München, DE"


def test_tax_in_accounting_currency_is_not_the_tax_amount() -> None:
    # KoSIT 02.02a states the VAT total twice: in EUR (invoice) and in GBP (accounting).
    cii = read("xml-cii", "kosit__02.02a-INVOICE_uncefact.xml")
    ubl = read("xml-ubl", "kosit__02.02a-INVOICE_ubl.xml")
    assert cii.fields["currency"].value == "EUR"
    assert cii.fields["tax_amount"].value == ubl.fields["tax_amount"].value
    assert sum(t.amount or 0 for t in ubl.tax_lines) == ubl.fields["tax_amount"].value


def test_tax_number_without_vat_id() -> None:
    for kind, name in (
        ("xml-cii", "kosit__01.04a-INVOICE_uncefact.xml"),
        ("xml-ubl", "kosit__01.04a-INVOICE_ubl.xml"),
    ):
        invoice = read(kind, name)
        assert "vendor_vat_id" not in invoice.fields
        assert invoice.fields["vendor_tax_number"].value == "12/345/67890"


def test_extended_sub_lines_are_explained_by_the_adjustment() -> None:
    invoice = read("xml-cii", "mustang__Extended_SubInvoiceLines_Hardware_Bsp2.xml")
    lines = sum((li.amount or Decimal(0)) for li in invoice.line_items)
    assert invoice.adjustment is not None
    assert lines + invoice.adjustment == invoice.fields["net_amount"].value


def test_ubl_credit_note_lines_use_credited_quantity() -> None:
    invoice = read("xml-ubl", "cen-en16931__ubl-tc434-creditnote1.xml")
    assert invoice.line_items
    assert all(li.quantity is not None for li in invoice.line_items)
