"""The accountant's flow in a real browser: log in, review, edit, approve; viewers only look."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from storage import repo
from tests.browser.conftest import LiveDesk
from tests.support import records

pytestmark = pytest.mark.browser

CORPUS = Path(__file__).parents[1] / "corpus" / "review"
SCREENSHOTS = Path("/tmp")


def _store(desk: LiveDesk, data: bytes, filename: str, fields: dict[str, Any], **cols: Any) -> int:
    company = repo.company_id(desk.engine)
    return records.store_invoice(
        desk.engine,
        desk.blobs,
        company=company,
        data=data,
        fields=fields,
        filename=filename,
        **cols,
    )


def _seed(desk: LiveDesk) -> int:
    pdf = (CORPUS / "oyo.pdf").read_bytes()
    truth = json.loads((CORPUS / "oyo.pdf.truth.json").read_text())["fields"]
    oyo = _store(
        desk,
        pdf,
        "oyo.pdf",
        truth,
        confidence=0.72,
        flags=[
            {
                "code": "DUE_DATE_MISSING",
                "reason": "no due date was found on the invoice",
                "severity": "warning",
                "field": "due_date",
            },
            {"code": "VENDOR_NEW", "reason": "first invoice from this vendor", "severity": "info"},
        ],
        email={
            "from": "ops@agency.example",
            "original_from": "billing@oyorooms.example",
            "forwarded_by": "ops@agency.example",
            "subject": "Fwd: Your OYO invoice",
            "original_subject": "Your OYO invoice",
            "date": "2018-01-01T09:12:00+05:30",
        },
        field_meta={k: {"value": v, "confidence": 0.9, "method": "text"} for k, v in truth.items()},
    )
    other = {
        "vendor_name": "Hetzner Online GmbH",
        "invoice_number": "R0012345678",
        "invoice_date": "2024-03-01",
        "due_date": "2024-03-15",
        "currency": "EUR",
        "net_amount": "40.00",
        "tax_amount": "7.60",
        "total_amount": "47.60",
    }
    _store(
        desk,
        pdf + b"\n% copy",
        "hetzner.pdf",
        other,
        confidence=0.95,
        email={"from": "billing@hetzner.example", "subject": "Invoice R0012345678"},
    )
    return oyo


def _login(page: Any, url: str, token: str) -> None:
    page.goto(url + "/")
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(url + "/")


def test_reviewer_edits_and_approves(live_desk: LiveDesk, browser: Any) -> None:
    from playwright.sync_api import expect

    oyo = _seed(live_desk)
    token = repo.create_token(live_desk.engine, name="rita", role="reviewer")
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    _login(page, live_desk.url, token)

    queue = page.locator("table.queue tbody tr")
    expect(queue).to_have_count(2)
    expect(page.locator("table.queue")).to_contain_text("billing@oyorooms.example")
    page.screenshot(path=str(SCREENSHOTS / "apinbox-review-queue.png"), full_page=True)

    page.get_by_role("link", name="OYO").click()
    page.wait_for_url(f"{live_desk.url}/invoices/{oyo}")
    expect(page.locator(".flags")).to_contain_text("no due date was found")
    # The PDF is shown as page images, which every browser renders (headless too).
    first_page = page.locator("img.doc-page").first
    expect(first_page).to_have_attribute("src", f"/api/invoices/{oyo}/pages/1.png")
    page.wait_for_function("() => document.querySelector('img.doc-page').naturalWidth > 500")

    page.get_by_label("Due date").fill("2018-01-15")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Changes saved")
    expect(page.get_by_label("Due date")).to_have_value("2018-01-15")
    page.screenshot(path=str(SCREENSHOTS / "apinbox-review-detail.png"), full_page=True)

    page.get_by_role("button", name="Approve").click()
    page.wait_for_url(f"{live_desk.url}/?done=approved&invoice={oyo}")
    expect(page.get_by_role("status")).to_contain_text("approved")
    expect(queue).to_have_count(1)
    expect(page.locator("table.queue")).not_to_contain_text("OYO")

    page.goto(f"{live_desk.url}/invoices/{oyo}")
    trail = page.locator(".audit")
    expect(trail).to_contain_text("Approved by rita")
    expect(trail).to_contain_text("Edited by rita")
    expect(trail).to_contain_text("Due date: (empty) → “2018-01-15”")


def test_viewer_sees_no_approve_button(live_desk: LiveDesk, browser: Any) -> None:
    from playwright.sync_api import expect

    oyo = _seed(live_desk)
    token = repo.create_token(live_desk.engine, name="vic", role="viewer")
    page = browser.new_page()
    _login(page, live_desk.url, token)
    page.goto(f"{live_desk.url}/invoices/{oyo}")
    expect(page.locator("h1")).to_contain_text("OYO")
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    expect(page.get_by_role("button", name="Save changes")).to_have_count(0)
    expect(page.get_by_label("Due date")).to_have_attribute("readonly", "")


def test_logout_returns_to_login(live_desk: LiveDesk, browser: Any) -> None:
    token = repo.create_token(live_desk.engine, name="rita", role="reviewer")
    page = browser.new_page()
    _login(page, live_desk.url, token)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_desk.url}/login")
    page.goto(live_desk.url + "/")
    assert "/login" in page.url
