"""Vendor matching, risk flags and the approval policy: every outcome carries a reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extraction.models import Flag
from extraction.models import Severity
from matching import Policy
from matching import bank_change
from matching import decide
from matching import duplicates
from matching import match_vendor
from storage import models

VENDORS = [
    models.Vendor(
        id=1,
        company_id=1,
        name="Lieferant GmbH",
        vat_id="DE 123 456 789",
        iban="DE02120300000000202051",
    ),
    models.Vendor(
        id=2,
        company_id=1,
        name="Au bon moulin SARL",
        vat_id="FR11999999998",
        email_domain="moulin.fr",
    ),
    models.Vendor(id=3, company_id=1, name="Acme Ltd", iban="GB33BUKB20201555555555"),
]
COMPLETE = {
    "vendor_name": "Lieferant GmbH",
    "invoice_number": "471102",
    "invoice_date": "2024-03-01",
    "currency": "EUR",
    "total_amount": "529.87",
}
SURE = {k: {"confidence": 0.99, "method": "text"} for k in COMPLETE}


@pytest.mark.parametrize(
    ("fields", "sender", "expected"),
    [
        ({"vendor_vat_id": "de123456789", "vendor_name": "Other"}, None, (1, "vat_id", True)),
        ({"vendor_iban": "GB33 BUKB 2020 1555 5555 55"}, None, (3, "iban", True)),
        ({"vendor_name": "AU BON MOULIN"}, None, (2, "name", True)),
        ({"vendor_name": "Lieferant GmbH."}, None, (1, "name", True)),
        ({"vendor_name": "Lieferrant GmbH"}, None, (1, "fuzzy_name", False)),
        ({"vendor_name": "Unknown Co"}, "Billing <ap@moulin.fr>", (2, "email_domain", False)),
        ({"vendor_name": "Unknown Co"}, None, (None, "none", False)),
    ],
)
def test_vendor_match_order(
    fields: dict[str, str], sender: str | None, expected: tuple[object, ...]
) -> None:
    found = match_vendor(fields, VENDORS, sender=sender)
    assert (found.vendor_id, found.method, found.certain) == expected
    assert found.reason


def test_changed_iban_is_an_error_naming_both_accounts() -> None:
    [flag] = bank_change({"vendor_iban": "DE89370400440532013000"}, VENDORS[0])
    assert (flag.code, flag.severity, flag.field) == (
        "BANK_DETAILS_CHANGED",
        Severity.ERROR,
        "vendor_iban",
    )
    assert "DE89370400440532013000" in flag.reason and "DE02120300000000202051" in flag.reason
    assert bank_change({"vendor_iban": "DE02 1203 0000 0000 2020 51"}, VENDORS[0]) == []
    assert bank_change({"vendor_iban": "DE89370400440532013000"}, None) == []


def test_duplicate_needs_same_number_and_vendor_or_total() -> None:
    other = models.Invoice(
        id=9,
        company_id=1,
        document_id=1,
        document_type="invoice",
        vendor_id=1,
        invoice_number="RE-471102",
        total_amount="529.87",
    )
    assert duplicates({"invoice_number": "re 471102"}, 1, [other])[0].code == "DUPLICATE_INVOICE"
    assert duplicates({"invoice_number": "RE-471102", "total_amount": "529.87"}, None, [other])
    assert duplicates({"invoice_number": "RE-471102", "total_amount": "1.00"}, 2, [other]) == []


def test_clean_known_invoice_is_approved() -> None:
    decision = decide(
        fields=COMPLETE, field_meta=SURE, flags=[], vendor_certain=True, policy=Policy()
    )
    assert decision.approve and decision.reasons == ()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"vendor_certain": False}, "VENDOR_UNKNOWN"),
        ({"fields": {**COMPLETE, "total_amount": ""}}, "REQUIRED_MISSING"),
        (
            {"field_meta": {**SURE, "total_amount": {"confidence": 0.5, "method": "ocr"}}},
            "LOW_CONFIDENCE",
        ),
        (
            {"field_meta": {**SURE, "invoice_date": {"confidence": 0.97, "method": "llm"}}},
            "LLM_ONLY_VALUE",
        ),
        (
            {"flags": [Flag("IBAN_INVALID", "bad checksum", Severity.ERROR, "vendor_iban")]},
            "IBAN_INVALID",
        ),
        ({"policy": Policy(max_total=Decimal("500"))}, "OVER_APPROVAL_LIMIT"),
        ({"policy": Policy(auto_approve=False)}, "POLICY_MANUAL"),
    ],
)
def test_each_reason_sends_the_invoice_to_review(change: dict[str, object], code: str) -> None:
    args: dict[str, object] = {
        "fields": COMPLETE,
        "field_meta": SURE,
        "flags": [],
        "vendor_certain": True,
        "policy": Policy(),
    }
    args.update(change)
    decision = decide(**args)  # type: ignore[arg-type]
    assert not decision.approve
    assert code in [r.code for r in decision.reasons]


def test_warnings_alone_do_not_block_approval() -> None:
    warn = Flag("DUE_BEFORE_ISSUE", "due date before invoice date", Severity.WARNING, "due_date")
    assert decide(
        fields=COMPLETE, field_meta=SURE, flags=[warn], vendor_certain=True, policy=Policy()
    ).approve
