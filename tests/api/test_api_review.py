"""Approve and reject: status transitions through storage.repo, audited with the token's name."""

from __future__ import annotations

import pytest

from storage.states import InvoiceStatus
from tests.api.conftest import Desk
from tests.api.conftest import make_invoice


def test_approve_moves_to_approved_and_audits(desk: Desk) -> None:
    invoice_id = make_invoice(desk)
    response = desk.client.post(
        f"/api/invoices/{invoice_id}/approve", headers=desk.auth("reviewer")
    )
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert desk.invoice(invoice_id).status == InvoiceStatus.APPROVED
    [event] = desk.audit(invoice_id)
    assert (event.actor, event.action) == ("reviewer-ann", "approved")
    assert event.detail == {"from": "needs_review"}
    listed = desk.client.get("/api/invoices?status=needs_review", headers=desk.auth("viewer"))
    assert listed.json()["count"] == 0


def test_reject_with_reason(desk: Desk) -> None:
    invoice_id = make_invoice(desk)
    response = desk.client.post(
        f"/api/invoices/{invoice_id}/reject",
        headers=desk.auth("admin"),
        json={"reason": "duplicate of IBZY2086"},
    )
    assert response.status_code == 200
    assert response.json()["audit"][-1]["detail"] == {
        "from": "needs_review",
        "reason": "duplicate of IBZY2086",
    }
    [event] = desk.audit(invoice_id)
    assert (event.actor, event.action) == ("admin-ann", "rejected")


def test_rejected_invoice_can_be_approved_later(desk: Desk) -> None:
    invoice_id = make_invoice(desk, status=InvoiceStatus.REJECTED)
    response = desk.client.post(
        f"/api/invoices/{invoice_id}/approve", headers=desk.auth("reviewer")
    )
    assert response.json()["status"] == "approved"


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (InvoiceStatus.APPROVED, "approve"),
        (InvoiceStatus.REJECTED, "reject"),
        (InvoiceStatus.EXPORTED, "approve"),
        (InvoiceStatus.EXPORTED, "reject"),
        (InvoiceStatus.PAID, "reject"),
    ],
)
def test_impossible_transitions_are_409(desk: Desk, status: InvoiceStatus, action: str) -> None:
    invoice_id = make_invoice(desk, status=status)
    response = desk.client.post(f"/api/invoices/{invoice_id}/{action}", headers=desk.auth("admin"))
    assert response.status_code == 409
    assert str(status) in response.json()["detail"]
    assert desk.invoice(invoice_id).status == status
    assert desk.audit(invoice_id) == []


def test_decisions_on_unknown_invoice_are_404(desk: Desk) -> None:
    assert (
        desk.client.post("/api/invoices/404/approve", headers=desk.auth("admin")).status_code == 404
    )


def test_reason_is_bounded(desk: Desk) -> None:
    invoice_id = make_invoice(desk)
    response = desk.client.post(
        f"/api/invoices/{invoice_id}/reject",
        headers=desk.auth("admin"),
        json={"reason": "x" * 1001},
    )
    assert response.status_code == 422
