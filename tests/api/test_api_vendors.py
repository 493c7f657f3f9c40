"""``/api/vendors``: admins set up master data; everyone can read it."""

from __future__ import annotations

from tests.api.conftest import Desk


def test_admin_creates_and_everyone_lists(desk: Desk) -> None:
    body = {
        "name": "  Acme GmbH ",
        "vat_id": "de 123 456 789",
        "iban": "DE89 3704 0044 0532 0130 00",
        "email_domain": "Acme.Example",
    }
    created = desk.client.post("/api/vendors", headers=desk.auth("admin"), json=body)
    assert created.status_code == 201
    vendor = created.json()
    assert (vendor["name"], vendor["vat_id"], vendor["iban"], vendor["email_domain"]) == (
        "Acme GmbH",
        "DE123456789",
        "DE89370400440532013000",
        "acme.example",
    )
    desk.client.post("/api/vendors", headers=desk.auth("admin"), json={"name": "aardvark ltd"})
    listed = desk.client.get("/api/vendors", headers=desk.auth("viewer")).json()
    assert listed["count"] == 2
    assert [v["name"] for v in listed["data"]] == ["aardvark ltd", "Acme GmbH"]


def test_only_admins_create_vendors(desk: Desk) -> None:
    for role in ("reviewer", "viewer"):
        response = desk.client.post("/api/vendors", headers=desk.auth(role), json={"name": "X"})
        assert response.status_code == 403
    assert desk.client.get("/api/vendors", headers=desk.auth("viewer")).json()["count"] == 0


def test_vendor_needs_a_name(desk: Desk) -> None:
    for body in ({}, {"name": "   "}, {"name": "X", "colour": "red"}):
        assert (
            desk.client.post("/api/vendors", headers=desk.auth("admin"), json=body).status_code
            == 422
        )
