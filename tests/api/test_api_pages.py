"""The accountant's pages over TestClient: login redirect, queue, desk, forms and CSRF."""

from __future__ import annotations

import re

import pytest

from review_api.deps import COOKIE_NAME
from storage.states import InvoiceStatus
from tests.api.conftest import Desk
from tests.api.conftest import make_invoice

SAME_ORIGIN = {"Origin": "http://testserver"}


def _login(desk: Desk, role: str) -> None:
    desk.client.cookies.set(COOKIE_NAME, desk.tokens[role])


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found is not None
    return found.group(1)


def test_pages_redirect_to_login(desk: Desk) -> None:
    response = desk.client.get("/invoices/5", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/invoices/5"
    assert desk.client.get("/login").status_code == 200


def test_queue_lists_invoices_needing_review(desk: Desk) -> None:
    email = {"from": "ops@us.example", "original_from": "billing@oyo.example"}
    invoice_id = make_invoice(desk, email=email, flags=[{"code": "A", "reason": "a"}])
    make_invoice(desk, status=InvoiceStatus.APPROVED, fields={"vendor_name": "Approved Co"})
    _login(desk, "viewer")
    response = desk.client.get("/")
    assert response.status_code == 200
    assert "default-src 'self'" in response.headers["content-security-policy"]
    html = response.text
    assert f'href="/invoices/{invoice_id}"' in html
    assert "billing@oyo.example" in html
    assert "1939.00" in html
    assert "Approved Co" not in html
    assert "Approved Co" in desk.client.get("/?status=approved").text
    assert "No invoices match" in desk.client.get("/?q=nothing-like-this").text


def test_hostile_values_are_escaped(desk: Desk) -> None:
    invoice_id = make_invoice(
        desk,
        fields={"vendor_name": "<script>alert(1)</script>"},
        flags=[{"code": "X", "reason": "<img src=x onerror=alert(1)>"}],
    )
    _login(desk, "viewer")
    for url in ("/", f"/invoices/{invoice_id}"):
        html = desk.client.get(url).text
        assert "<script>alert" not in html
        assert "<img src=x" not in html


def test_desk_shows_document_flags_context_and_provenance(desk: Desk) -> None:
    invoice_id = make_invoice(
        desk,
        flags=[
            {
                "code": "IBAN_CHANGED",
                "reason": "bank account differs from last time",
                "severity": "error",
            }
        ],
        email={
            "from": "ops@us.example",
            "original_from": "billing@oyo.example",
            "forwarded_by": "ops@us.example",
            "subject": "Fwd: your bill",
        },
        field_meta={"total_amount": {"value": "1939.00", "confidence": 0.92, "method": "text"}},
    )
    _login(desk, "reviewer")
    html = desk.client.get(f"/invoices/{invoice_id}").text
    assert f'src="/api/invoices/{invoice_id}/pages/1.png"' in html  # the PDF, as page images
    assert f'href="/api/invoices/{invoice_id}/document"' in html  # and the original
    assert "bank account differs from last time" in html
    assert "billing@oyo.example" in html
    assert "Fwd: your bill" in html
    assert "text · 92%" in html
    assert 'id="approve"' in html


def test_viewer_sees_no_buttons_and_cannot_post(desk: Desk) -> None:
    invoice_id = make_invoice(desk)
    _login(desk, "viewer")
    html = desk.client.get(f"/invoices/{invoice_id}").text
    assert 'id="approve"' not in html
    assert 'id="save"' not in html
    response = desk.client.post(
        f"/invoices/{invoice_id}/approve", data={"csrf": _csrf(html)}, headers=SAME_ORIGIN
    )
    assert response.status_code == 403
    assert desk.invoice(invoice_id).status == InvoiceStatus.NEEDS_REVIEW


def test_form_edit_saves_only_changed_fields(desk: Desk) -> None:
    invoice_id = make_invoice(desk)
    _login(desk, "reviewer")
    csrf = _csrf(desk.client.get(f"/invoices/{invoice_id}").text)
    form = {
        "csrf": csrf,
        "vendor_name": "OYO",
        "invoice_number": "IBZY2087",
        "invoice_date": "2017-12-31",
        "currency": "INR",
        "total_amount": "1939.00",
        "due_date": "2018-01-30",
        "po_number": "",
    }
    response = desk.client.post(
        f"/invoices/{invoice_id}/edit", data=form, headers=SAME_ORIGIN, follow_redirects=False
    )
    assert response.status_code == 303
    [event] = desk.audit(invoice_id)
    assert event.detail["changes"] == {"due_date": {"before": None, "after": "2018-01-30"}}
    assert "Changes saved" in desk.client.get(response.headers["location"]).text


def test_form_edit_with_bad_value_shows_the_error(desk: Desk) -> None:
    invoice_id = make_invoice(desk)
    _login(desk, "reviewer")
    csrf = _csrf(desk.client.get(f"/invoices/{invoice_id}").text)
    response = desk.client.post(
        f"/invoices/{invoice_id}/edit",
        data={"csrf": csrf, "total_amount": "1.939,00"},
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 422
    assert "decimal string" in response.text
    assert 'value="1.939,00"' in response.text
    assert desk.audit(invoice_id) == []


@pytest.mark.parametrize(
    ("csrf", "headers"),
    [
        ("", SAME_ORIGIN),
        ("0" * 64, SAME_ORIGIN),
        (None, {"Origin": "https://evil.example"}),
        (None, {}),
    ],
)
def test_forms_refuse_cross_site_posts(
    desk: Desk, csrf: str | None, headers: dict[str, str]
) -> None:
    invoice_id = make_invoice(desk)
    _login(desk, "reviewer")
    real = _csrf(desk.client.get(f"/invoices/{invoice_id}").text)
    response = desk.client.post(
        f"/invoices/{invoice_id}/approve",
        data={"csrf": real if csrf is None else csrf},
        headers=headers,
    )
    assert response.status_code == 403
    assert desk.invoice(invoice_id).status == InvoiceStatus.NEEDS_REVIEW


def test_reject_from_the_page_records_the_reason(desk: Desk) -> None:
    invoice_id = make_invoice(desk)
    _login(desk, "reviewer")
    csrf = _csrf(desk.client.get(f"/invoices/{invoice_id}").text)
    response = desk.client.post(
        f"/invoices/{invoice_id}/reject",
        data={"csrf": csrf, "reason": "not ours"},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert desk.invoice(invoice_id).status == InvoiceStatus.REJECTED
    assert "Reason: not ours" in desk.client.get(f"/invoices/{invoice_id}").text


def test_unknown_invoice_page_is_404(desk: Desk) -> None:
    _login(desk, "viewer")
    assert desk.client.get("/invoices/12345").status_code == 404
