"""Plus-addressing routes a message to a configured client company, and only to one."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from daemon.intake import Intake
from daemon.routing import company_for
from daemon.routing import plus_tags
from storage import db
from storage import models
from storage.blobs import BlobStore

KNOWN = frozenset({"acme", "globex"})


def _mail(**headers: str) -> bytes:
    lines = [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("\r\n".join([*lines, "Subject: invoice", "", "body"]) + "\r\n").encode()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (_mail(To="AP <ap+acme@firm.example>"), "acme"),
        (_mail(To="ap+ACME@firm.example"), "acme"),
        (_mail(Delivered_To="ap+globex@firm.example", To="ap+acme@firm.example"), "globex"),
        (_mail(To="ap@firm.example", Cc="Someone <ap+globex@firm.example>"), "globex"),
        (_mail(To="ap+unknown@firm.example"), "default"),
        (_mail(To="ap@firm.example"), "default"),
        (b"%PDF-1.7 not a message", "default"),
        (b"\xff\xfe\x00garbage", "default"),
    ],
)
def test_company_for(raw: bytes, expected: str) -> None:
    assert company_for(raw, known=KNOWN, default="default") == expected


def test_no_configured_companies_means_no_routing() -> None:
    assert company_for(_mail(To="ap+acme@x.example"), known=frozenset(), default="main") == "main"
    assert plus_tags(_mail(To="a+b@x.example, c+d@y.example")) == ["b", "d"]


def test_intake_stores_the_message_under_the_tagged_company(
    engine: Engine, blobs: BlobStore
) -> None:
    intake = Intake(engine, blobs, routable=KNOWN)
    message, _ = intake.accept(
        _mail(To="ap+acme@firm.example"), source="imap:ap", source_ref="INBOX/1/1"
    )
    with db.session_scope(engine) as session:
        company = session.get(models.Company, message.company_id)
    assert company is not None and company.slug == "acme"
