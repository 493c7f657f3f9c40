"""validate(): one table row per rule, plus real e-invoices that must come out clean."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from extraction.einvoice import read_xml
from extraction.models import REQUIRED_FIELDS
from extraction.models import FieldValue
from extraction.models import LineItem
from extraction.models import Method
from extraction.models import Severity
from extraction.models import TaxLine
from extraction.models import Value
from extraction.validate import validate

TODAY = date(2025, 6, 1)
CORPUS = Path(__file__).resolve().parents[1] / "corpus"
# A correct German VAT ID and IBAN (checksums verified by python-stdnum and schwifty).
GOOD_VAT = "DE136695976"
GOOD_IBAN = "DE89 3704 0044 0532 0130 00"


def fv(value: Value) -> FieldValue:
    """Wrap a value as text-extracted."""
    return FieldValue(value=value, confidence=0.9, method=Method.TEXT)


BASE: dict[str, Value] = {
    "vendor_name": "Lieferant GmbH",
    "invoice_number": "R-1001",
    "invoice_date": date(2025, 5, 2),
    "due_date": date(2025, 6, 1),
    "currency": "EUR",
    "net_amount": Decimal("100.00"),
    "tax_amount": Decimal("19.00"),
    "total_amount": Decimal("119.00"),
    "vendor_vat_id": GOOD_VAT,
    "vendor_iban": GOOD_IBAN,
    "vendor_bic": "COBADEFFXXX",
}
LINES = (LineItem(amount=Decimal("60.00")), LineItem(amount=Decimal("40.00")))
TAX = (TaxLine(rate=Decimal(19), basis=Decimal("100.00"), amount=Decimal("19.00"), category="S"),)


@dataclass(frozen=True)
class Case:
    """One row of the table: changes to BASE and the flags (code, severity, field) expected."""

    name: str
    changes: dict[str, Value | None] = field(default_factory=dict)
    expect: tuple[tuple[str, Severity, str], ...] = ()
    lines: tuple[LineItem, ...] = LINES
    tax: tuple[TaxLine, ...] = TAX
    adjustment: Decimal | None = None


E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
CASES = [
    Case("clean"),
    Case("clean without lines or breakdown", lines=(), tax=()),
    Case("total off by one cent is rounding", {"total_amount": Decimal("119.01")}),
    Case(
        "total off", {"total_amount": Decimal("119.50")}, (("ARITHMETIC_TOTAL", E, "total_amount"),)
    ),
    Case("no tax: total not checked", {"tax_amount": None, "total_amount": Decimal("150")}, ()),
    Case(
        "numeric strings are compared too",
        {"total_amount": "129.00"},
        (("ARITHMETIC_TOTAL", E, "total_amount"),),
    ),
    Case(
        "lines miss the net, allowances unknown",
        lines=(LineItem(amount=Decimal("60.00")), LineItem(amount=Decimal("50.00"))),
        expect=(("LINES_SUM", W, "net_amount"),),
    ),
    Case(
        "lines miss the net although allowances are known",
        lines=(LineItem(amount=Decimal("60.00")), LineItem(amount=Decimal("50.00"))),
        adjustment=Decimal("0"),
        expect=(("LINES_SUM", E, "net_amount"),),
    ),
    Case(
        "an allowance explains the gap",
        lines=(LineItem(amount=Decimal("60.00")), LineItem(amount=Decimal("50.00"))),
        adjustment=Decimal("-10.00"),
    ),
    Case(
        "a line without amount: no line check",
        lines=(LineItem(amount=Decimal(1)), LineItem(description="x")),
    ),
    Case(
        "breakdown does not sum to the tax",
        tax=(TaxLine(rate=Decimal(19), basis=Decimal("100.00"), amount=Decimal("18.00")),),
        expect=(("TAX_BREAKDOWN", E, "tax_amount"), ("TAX_BREAKDOWN", E, "tax_amount")),
    ),
    Case(
        "rate times basis is not the row's amount",
        tax=(
            TaxLine(rate=Decimal(7), basis=Decimal("50.00"), amount=Decimal("15.50")),
            TaxLine(rate=Decimal(19), basis=Decimal("50.00"), amount=Decimal("3.50")),
        ),
        expect=(("TAX_BREAKDOWN", E, "tax_amount"), ("TAX_BREAKDOWN", E, "tax_amount")),
    ),
    Case(
        "two rates that add up",
        tax=(
            TaxLine(rate=Decimal(7), basis=Decimal("50.00"), amount=Decimal("3.50")),
            TaxLine(rate=Decimal(19), basis=Decimal("50.00"), amount=Decimal("9.50")),
        ),
        changes={"tax_amount": Decimal("13.00"), "total_amount": Decimal("113.00")},
    ),
    Case(
        "whole-unit VAT rounding (HUF)",
        {
            "currency": "HUF",
            "net_amount": Decimal("69180.00"),
            "tax_amount": Decimal("18679.00"),
            "total_amount": Decimal("87859.00"),
        },
        lines=(),
        tax=(TaxLine(rate=Decimal(27), basis=Decimal("69180.00"), amount=Decimal("18679.00")),),
    ),
    Case(
        "VAT ID check digit wrong",
        {"vendor_vat_id": "DE136695977"},
        (("VAT_ID_INVALID", E, "vendor_vat_id"),),
    ),
    Case("VAT ID with spaces and dots is fine", {"vendor_vat_id": "FR 40 303.265.045"}),
    Case("Greek VAT ID with EL prefix", {"vendor_vat_id": "EL094259216"}),
    Case("Swiss VAT ID", {"vendor_vat_id": "CHE-116.281.710 MWST"}),
    Case(
        "UK VAT ID wrong",
        {"vendor_vat_id": "GB980780685"},
        (("VAT_ID_INVALID", E, "vendor_vat_id"),),
    ),
    Case("US EIN cannot be checked: no flag", {"vendor_vat_id": "US12-3456789"}),
    Case("no country prefix: no flag", {"vendor_vat_id": "123456789"}),
    Case(
        "IBAN checksum wrong",
        {"vendor_iban": "DE89 3704 0044 0532 0130 01"},
        (("IBAN_INVALID", E, "vendor_iban"),),
    ),
    Case(
        "IBAN too short", {"vendor_iban": "DE89370400440532"}, (("IBAN_INVALID", E, "vendor_iban"),)
    ),
    Case("BIC malformed", {"vendor_bic": "COBADEFXXX"}, (("BIC_INVALID", E, "vendor_bic"),)),
    Case(
        "due before issue", {"due_date": date(2025, 4, 1)}, (("DUE_BEFORE_ISSUE", W, "due_date"),)
    ),
    Case(
        "invoice dated far ahead",
        {"invoice_date": date(2026, 7, 1), "due_date": None},
        (("DATE_IMPLAUSIBLE", W, "invoice_date"),),
    ),
    Case(
        "invoice dated 11 months ahead is fine",
        {"invoice_date": date(2026, 5, 1), "due_date": None},
    ),
    Case(
        "invoice before 2000",
        {"invoice_date": date(1999, 12, 31)},
        (("DATE_IMPLAUSIBLE", W, "invoice_date"),),
    ),
    Case("currency not ISO 4217", {"currency": "EURO"}, (("CURRENCY_UNKNOWN", E, "currency"),)),
    Case("currency XXX means none", {"currency": "XXX"}, (("CURRENCY_UNKNOWN", E, "currency"),)),
    Case("lower-case currency is still known", {"currency": "chf"}),
    Case(
        "credit as a negative invoice",
        {
            "net_amount": Decimal("-100.00"),
            "tax_amount": Decimal("-19.00"),
            "total_amount": Decimal("-119.00"),
        },
        (("NEGATIVE_TOTAL", INFO, "total_amount"),),
        lines=(),
        tax=(),
    ),
    Case(
        "blank invoice number",
        {"invoice_number": "  "},
        (("REQUIRED_MISSING", E, "invoice_number"),),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_rule(case: Case) -> None:
    values = {**BASE, **case.changes}
    fields = {k: fv(v) for k, v in values.items() if v is not None}
    flags = validate(fields, case.lines, case.tax, today=TODAY, adjustment=case.adjustment)
    assert sorted((f.code, f.severity, f.field) for f in flags) == sorted(case.expect)
    assert all(f.reason and f.code.isupper() for f in flags)


def test_every_missing_required_field_is_an_error() -> None:
    flags = validate({}, today=TODAY)
    assert [(f.code, f.field, f.severity) for f in flags] == [
        ("REQUIRED_MISSING", key, Severity.ERROR) for key in REQUIRED_FIELDS
    ]


def test_today_defaults_to_the_real_date() -> None:
    fields = {k: fv(v) for k, v in BASE.items()}
    fields["invoice_date"] = fv(date(date.today().year + 2, 1, 1))
    fields.pop("due_date")
    assert [f.code for f in validate(fields, LINES, TAX)] == ["DATE_IMPLAUSIBLE"]


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("xml-ubl", "akretion__ubl-21-en16931.xml"),
        ("xml-cii", "kosit__02.02a-INVOICE_uncefact.xml"),
        ("xml-cii", "mustang__Extended_SubInvoiceLines_Hardware_Bsp2.xml"),
        ("xml-cii", "cen-en16931__huf_example_cii.xml"),
    ],
)
def test_consistent_einvoices_pass_the_arithmetic(kind: str, name: str) -> None:
    invoice = read_xml((CORPUS / kind / name).read_bytes())
    flags = validate(
        invoice.fields, invoice.line_items, invoice.tax_lines, adjustment=invoice.adjustment
    )
    arithmetic = {
        "ARITHMETIC_TOTAL",
        "LINES_SUM",
        "TAX_BREAKDOWN",
        "REQUIRED_MISSING",
        "CURRENCY_UNKNOWN",
    }
    assert [f for f in flags if f.code in arithmetic] == []


def test_sample_vat_ids_with_made_up_digits_are_caught() -> None:
    # The EN 16931 samples use invented VAT IDs; a real check must notice.
    invoice = read_xml(
        (CORPUS / "xml-cii" / "cen-en16931__CII_business_example_01.xml").read_bytes()
    )
    codes = [f.code for f in validate(invoice.fields, today=TODAY)]
    assert "VAT_ID_INVALID" in codes
