"""Authentication and roles: Bearer tokens for the API, the login cookie for pages."""

from __future__ import annotations

import pytest
from sqlmodel import Session
from sqlmodel import select

from review_api.deps import COOKIE_NAME
from review_api.routes.auth import safe_next
from storage import models
from storage import repo
from tests.api.conftest import Desk
from tests.api.conftest import make_invoice


def test_missing_token_is_401_with_bearer_challenge(desk: Desk) -> None:
    response = desk.client.get("/api/invoices")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("header", ["Bearer apx_wrong", "Basic dXNlcjpwYXNz", "Bearer "])
def test_wrong_token_is_401(desk: Desk, header: str) -> None:
    assert desk.client.get("/api/invoices", headers={"Authorization": header}).status_code == 401


def test_revoked_token_is_401(desk: Desk) -> None:
    with Session(desk.engine) as session:
        row = session.exec(
            select(models.ApiToken).where(
                models.ApiToken.token_hash == repo.hash_token(desk.tokens["reviewer"])
            )
        ).one()
        row.revoked = True
        session.add(row)
        session.commit()
    assert desk.client.get("/api/invoices", headers=desk.auth("reviewer")).status_code == 401


def test_me_names_the_token(desk: Desk) -> None:
    response = desk.client.get("/api/me", headers=desk.auth("viewer"))
    assert response.json() == {"name": "viewer-ann", "role": "viewer"}


def test_viewer_reads_but_cannot_change(desk: Desk) -> None:
    invoice_id = make_invoice(desk)
    viewer = desk.auth("viewer")
    assert desk.client.get(f"/api/invoices/{invoice_id}", headers=viewer).status_code == 200
    for path in ("approve", "reject"):
        response = desk.client.post(f"/api/invoices/{invoice_id}/{path}", headers=viewer)
        assert response.status_code == 403
    patch = desk.client.patch(
        f"/api/invoices/{invoice_id}", headers=viewer, json={"fields": {"po_number": "PO-1"}}
    )
    assert patch.status_code == 403
    assert desk.invoice(invoice_id).status == "needs_review"


def test_cookie_authenticates_reads(desk: Desk) -> None:
    desk.client.cookies.set(COOKIE_NAME, desk.tokens["viewer"])
    assert desk.client.get("/api/invoices").status_code == 200


def test_cookie_write_needs_same_origin(desk: Desk) -> None:
    invoice_id = make_invoice(desk)
    desk.client.cookies.set(COOKIE_NAME, desk.tokens["reviewer"])
    url = f"/api/invoices/{invoice_id}/approve"
    assert desk.client.post(url).status_code == 403
    assert desk.client.post(url, headers={"Origin": "https://evil.example"}).status_code == 403
    assert desk.client.post(url, headers={"Origin": "http://testserver"}).status_code == 200


def test_login_sets_a_strict_httponly_cookie(desk: Desk) -> None:
    response = desk.client.post(
        "/login",
        data={"token": desk.tokens["reviewer"], "next": "/invoices/3"},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/invoices/3"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}={desk.tokens['reviewer']}")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie


def test_login_with_bad_token_is_refused(desk: Desk) -> None:
    response = desk.client.post(
        "/login", data={"token": "apx_nope"}, headers={"Origin": "http://testserver"}
    )
    assert response.status_code == 401
    assert "not valid" in response.text
    assert "set-cookie" not in response.headers


def test_login_from_another_site_is_refused(desk: Desk) -> None:
    response = desk.client.post(
        "/login", data={"token": desk.tokens["admin"]}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403


def test_logout_clears_the_cookie(desk: Desk) -> None:
    desk.client.cookies.set(COOKIE_NAME, desk.tokens["viewer"])
    response = desk.client.post(
        "/logout", headers={"Origin": "http://testserver"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert f'{COOKIE_NAME}=""' in response.headers["set-cookie"]
    assert "Max-Age=0" in response.headers["set-cookie"]


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/invoices/4?x=1", "/invoices/4?x=1"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        (None, "/"),
    ],
)
def test_login_redirects_only_within_the_site(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected
