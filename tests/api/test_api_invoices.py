"""``/api/invoices``: listing and filters, the detail view, edits and the document."""

from __future__ import annotations

from typing import Any

import pytest

from review_api.routes.invoices import SANDBOX_CSP
from storage import db
from storage import models
from storage import repo
from storage.states import InvoiceStatus
from tests.api.conftest import OYO_PDF
from tests.api.conftest import Desk
from tests.api.conftest import make_invoice

CLEAN = {
    "vendor_name": "Acme GmbH",
    "invoice_number": "A-100",
    "invoice_date": "2024-03-01",
    "due_date": "2024-03-31",
    "currency": "EUR",
    "net_amount": "100.00",
    "tax_amount": "19.00",
    "total_amount": "119.00",
}


def _ids(body: dict[str, Any]) -> list[int]:
    return [row["id"] for row in body["data"]]


def _patch(desk: Desk, invoice_id: int, fields: dict[str, Any], role: str = "reviewer") -> Any:
    return desk.client.patch(
        f"/api/invoices/{invoice_id}", headers=desk.auth(role), json={"fields": fields}
    )


def test_list_returns_the_contract_shape(desk: Desk) -> None:
    email = {
        "from": "ops@us.example",
        "original_from": "billing@oyo.example",
        "forwarded_by": "ops@us.example",
        "subject": "Fwd: bill",
        "original_subject": "bill",
        "date": "2024-03-01T10:00:00+00:00",
    }
    flags = [{"code": "VENDOR_NEW", "reason": "first invoice from this vendor"}]
    invoice_id = make_invoice(desk, email=email, flags=flags, confidence=0.83)
    body = desk.client.get("/api/invoices?status=needs_review", headers=desk.auth("viewer")).json()
    assert body["count"] == 1
    row = body["data"][0]
    assert row["id"] == invoice_id
    assert row["status"] == "needs_review"
    assert row["document_type"] == "invoice"
    assert row["fields"]["total_amount"] == "1939.00"
    assert row["flags"][0]["code"] == "VENDOR_NEW"
    assert row["flags"][0]["reason"] == "first invoice from this vendor"
    assert row["email"] == email
    assert row["confidence"] == pytest.approx(0.83)
    assert row["vendor_id"] is None
    assert row["created_at"].endswith(("Z", "+00:00"))


def test_list_filters_by_status(desk: Desk) -> None:
    review = make_invoice(desk)
    approved = make_invoice(desk, status=InvoiceStatus.APPROVED)
    client, viewer = desk.client, desk.auth("viewer")
    assert _ids(client.get("/api/invoices?status=needs_review", headers=viewer).json()) == [review]
    assert _ids(client.get("/api/invoices?status=approved", headers=viewer).json()) == [approved]
    assert client.get("/api/invoices?status=rejected", headers=viewer).json()["count"] == 0
    assert sorted(_ids(client.get("/api/invoices", headers=viewer).json())) == [review, approved]
    assert client.get("/api/invoices?status=bogus", headers=viewer).status_code == 422


def test_list_searches_vendor_and_number(desk: Desk) -> None:
    acme = make_invoice(desk, fields=CLEAN)
    oyo = make_invoice(desk)
    viewer = desk.auth("viewer")
    assert _ids(desk.client.get("/api/invoices?q=acme", headers=viewer).json()) == [acme]
    assert _ids(desk.client.get("/api/invoices?q=IBZY", headers=viewer).json()) == [oyo]
    # LIKE wildcards in the query are literal characters, not patterns.
    assert desk.client.get("/api/invoices?q=%25", headers=viewer).json()["count"] == 0


def test_list_filters_by_vendor_and_pages(desk: Desk) -> None:
    with db.session_scope(desk.engine) as session:
        vendor = models.Vendor(company_id=desk.company, name="OYO")
        session.add(vendor)
        session.flush()
        vendor_id = vendor.id
    mine = [make_invoice(desk, vendor_id=vendor_id) for _ in range(3)]
    make_invoice(desk, fields=CLEAN)
    viewer = desk.auth("viewer")
    everything = desk.client.get(f"/api/invoices?vendor_id={vendor_id}", headers=viewer).json()
    assert sorted(_ids(everything)) == mine
    page = desk.client.get(
        f"/api/invoices?status=needs_review&vendor_id={vendor_id}&limit=2&offset=2",
        headers=viewer,
    ).json()
    # The queue is oldest first; count is every match, not the page.
    assert page == {**page, "count": 3}
    assert _ids(page) == [mine[2]]


def test_list_hides_other_companies(desk: Desk) -> None:
    other = repo.company_id(desk.engine, slug="other-client")
    foreign = make_invoice(desk, company=other, fields=CLEAN)
    assert desk.client.get("/api/invoices", headers=desk.auth("admin")).json()["count"] == 0
    assert (
        desk.client.get(f"/api/invoices/{foreign}", headers=desk.auth("admin")).status_code == 404
    )


def test_detail_has_provenance_document_message_and_audit(desk: Desk) -> None:
    meta = {"total_amount": {"value": "1939.00", "confidence": 0.91, "method": "text"}}
    invoice_id = make_invoice(desk, field_meta=meta)
    body = desk.client.get(f"/api/invoices/{invoice_id}", headers=desk.auth("viewer")).json()
    assert body["field_meta"] == meta
    assert body["document"]["filename"] == "oyo.pdf"
    assert body["document"]["content_type"] == "application/pdf"
    assert body["document"]["method"] == "text"
    assert set(body["document"]) >= {"id", "filename", "content_type", "part", "method"}
    assert body["message"]["source"] == "imap:ap"
    assert set(body["message"]) >= {"id", "source", "received_at"}
    assert body["audit"] == []


def test_unknown_invoice_is_404(desk: Desk) -> None:
    assert desk.client.get("/api/invoices/999", headers=desk.auth("viewer")).status_code == 404
    assert _patch(desk, 999, {"po_number": "X"}).status_code == 404


def test_patch_merges_records_provenance_and_audits(desk: Desk) -> None:
    invoice_id = make_invoice(desk, fields=CLEAN)
    response = _patch(desk, invoice_id, {"due_date": "2024-04-15", "po_number": "PO-7"})
    assert response.status_code == 200
    body = response.json()
    assert body["fields"] == {**CLEAN, "due_date": "2024-04-15", "po_number": "PO-7"}
    assert body["field_meta"]["due_date"]["method"] == "user"
    assert body["field_meta"]["due_date"]["confidence"] == 1.0
    stored = desk.invoice(invoice_id)
    assert str(stored.due_date) == "2024-04-15"  # the denormalised column follows
    [event] = desk.audit(invoice_id)
    assert event.actor == "reviewer-ann"
    assert event.action == "edit"
    assert event.detail["changes"] == {
        "due_date": {"before": "2024-03-31", "after": "2024-04-15"},
        "po_number": {"before": None, "after": "PO-7"},
    }


def test_patch_without_changes_writes_no_audit(desk: Desk) -> None:
    invoice_id = make_invoice(desk, fields=CLEAN)
    assert _patch(desk, invoice_id, {"currency": "EUR"}).status_code == 200
    assert desk.audit(invoice_id) == []


def test_patch_null_removes_a_value(desk: Desk) -> None:
    invoice_id = make_invoice(desk, fields=CLEAN)
    body = _patch(desk, invoice_id, {"due_date": None}).json()
    assert "due_date" not in body["fields"]
    assert desk.invoice(invoice_id).due_date is None


def test_patch_normalises_codes(desk: Desk) -> None:
    invoice_id = make_invoice(desk, fields=CLEAN)
    body = _patch(
        desk, invoice_id, {"currency": "chf", "vendor_iban": "de89 3704 0044 0532 0130 00"}
    )
    assert body.json()["fields"]["currency"] == "CHF"
    assert body.json()["fields"]["vendor_iban"] == "DE89370400440532013000"


@pytest.mark.parametrize(
    "fields",
    [
        {"total_amount": 119.0},
        {"total_amount": "1.119,00"},
        {"net_amount": "12e3"},
        {"invoice_date": "01.03.2024"},
        {"due_date": "2024-02-30"},
        {"currency": "EURO"},
        {"currency": "E1R"},
        {"not_a_field": "x"},
        {"line_items": [{"amount": 3.5}]},
    ],
)
def test_patch_rejects_bad_values(desk: Desk, fields: dict[str, Any]) -> None:
    invoice_id = make_invoice(desk, fields=CLEAN)
    response = _patch(desk, invoice_id, fields)
    assert response.status_code == 422
    assert desk.invoice(invoice_id).fields == CLEAN
    assert desk.audit(invoice_id) == []


def test_patch_revalidates_and_replaces_flags(desk: Desk) -> None:
    kept = {"code": "VENDOR_NEW", "reason": "first invoice from this vendor"}
    invoice_id = make_invoice(desk, fields=CLEAN, flags=[kept])
    broken = _patch(desk, invoice_id, {"total_amount": "120.00"}).json()
    codes = [f["code"] for f in broken["flags"]]
    assert "ARITHMETIC_TOTAL" in codes
    assert "VENDOR_NEW" in codes
    fixed = _patch(desk, invoice_id, {"total_amount": "119.00"}).json()
    assert [f["code"] for f in fixed["flags"]] == ["VENDOR_NEW"]


def test_patch_drops_flags_about_edited_fields(desk: Desk) -> None:
    low = {"code": "LOW_CONFIDENCE", "reason": "PO number unsure", "field": "po_number"}
    invoice_id = make_invoice(desk, fields=CLEAN, flags=[low])
    assert _patch(desk, invoice_id, {"po_number": "PO-9"}).json()["flags"] == []


def test_patch_line_items(desk: Desk) -> None:
    invoice_id = make_invoice(desk, fields=CLEAN)
    lines = [{"description": "Room", "quantity": "1", "amount": "100.00"}]
    body = _patch(desk, invoice_id, {"line_items": lines}).json()
    assert body["fields"]["line_items"] == lines


@pytest.mark.parametrize("status", [InvoiceStatus.EXPORTED, InvoiceStatus.PAID])
def test_patch_after_export_is_409(desk: Desk, status: InvoiceStatus) -> None:
    invoice_id = make_invoice(desk, fields=CLEAN, status=status)
    assert _patch(desk, invoice_id, {"po_number": "PO-1"}).status_code == 409
    assert desk.invoice(invoice_id).fields == CLEAN


def test_patch_of_approved_invoice_is_allowed(desk: Desk) -> None:
    invoice_id = make_invoice(desk, fields=CLEAN, status=InvoiceStatus.APPROVED)
    assert _patch(desk, invoice_id, {"po_number": "PO-1"}).status_code == 200


def test_patch_vendor_id(desk: Desk) -> None:
    invoice_id = make_invoice(desk, fields=CLEAN)
    created = desk.client.post("/api/vendors", headers=desk.auth("admin"), json={"name": "Acme"})
    vendor_id = created.json()["id"]
    url = f"/api/invoices/{invoice_id}"
    ok = desk.client.patch(url, headers=desk.auth("reviewer"), json={"vendor_id": vendor_id})
    assert ok.json()["vendor_id"] == vendor_id
    bad = desk.client.patch(url, headers=desk.auth("reviewer"), json={"vendor_id": 9999})
    assert bad.status_code == 422
    [event] = desk.audit(invoice_id)
    assert event.detail["changes"] == {"vendor_id": {"before": None, "after": vendor_id}}


def test_document_is_served_inline_and_inert(desk: Desk) -> None:
    invoice_id = make_invoice(desk, filename='bill "final".pdf')
    response = desk.client.get(f"/api/invoices/{invoice_id}/document", headers=desk.auth("viewer"))
    assert response.status_code == 200
    assert response.content == OYO_PDF.read_bytes()
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('inline; filename="bill _final_.pdf"')
    assert "filename*=UTF-8''bill%20%22final%22.pdf" in disposition


def test_html_document_gets_a_sandbox_csp(desk: Desk) -> None:
    html = b"<html><script>alert(document.cookie)</script><p>Receipt</p></html>"
    invoice_id = make_invoice(
        desk, data=html, filename="../../r\u00e9ceipt\r\n.html", content_type="text/html"
    )
    response = desk.client.get(f"/api/invoices/{invoice_id}/document", headers=desk.auth("viewer"))
    assert response.headers["content-security-policy"] == SANDBOX_CSP
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('inline; filename="r_ceipt.html"')
    assert "\n" not in disposition
    assert "/" not in disposition.split("filename=")[1].split(";")[0]


def test_document_needs_auth_and_its_bytes(desk: Desk) -> None:
    invoice_id = make_invoice(desk)
    assert desk.client.get(f"/api/invoices/{invoice_id}/document").status_code == 401
    sha = desk.client.get(f"/api/invoices/{invoice_id}", headers=desk.auth("viewer"))
    assert sha.status_code == 200
    desk.blobs.path_for(desk.invoice_sha(invoice_id)).unlink()
    gone = desk.client.get(f"/api/invoices/{invoice_id}/document", headers=desk.auth("viewer"))
    assert gone.status_code == 410


def test_pdf_pages_are_served_as_images_for_any_browser(desk: Desk) -> None:
    invoice_id = make_invoice(desk)
    url = f"/api/invoices/{invoice_id}/pages/1.png"
    assert desk.client.get(url).status_code == 401
    page = desk.client.get(url, headers=desk.auth("viewer"))
    assert page.status_code == 200
    assert page.headers["content-type"] == "image/png"
    assert page.content.startswith(b"\x89PNG\r\n\x1a\n") and len(page.content) > 10_000
    past_end = desk.client.get(
        f"/api/invoices/{invoice_id}/pages/9.png", headers=desk.auth("viewer")
    )
    assert past_end.status_code == 404
    html_id = make_invoice(
        desk, data=b"<p>receipt</p>", filename="r.html", content_type="text/html"
    )
    no_pages = desk.client.get(f"/api/invoices/{html_id}/pages/1.png", headers=desk.auth("viewer"))
    assert no_pages.status_code == 404
