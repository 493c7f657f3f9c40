"""``/api/documents`` (GET), ``/api/messages`` and ``/received``: what is not in the queue stays visible."""

from __future__ import annotations

from sqlmodel import Session

from daemon.sources import imap_state
from storage import db
from storage import models
from storage import repo
from tests.api.conftest import Desk


def _received(
    desk: Desk, data: bytes, *, doc_type: str, code: str, reason: str, filename: str
) -> int:
    message, _ = repo.store_message(
        desk.engine,
        desk.blobs,
        company=desk.company,
        source="imap:ap",
        source_ref="INBOX/1/9",
        data=data,
        filename="m.eml",
    )
    with db.session_scope(desk.engine) as session:
        doc = models.Document(
            company_id=desk.company,
            message_id=message.id or 0,
            part="2",
            filename=filename,
            content_type="application/pdf",
            sha256=message.sha256,
            size=len(data),
            document_type=doc_type,
            type_reason=reason,
            flags=[{"code": code, "reason": reason, "severity": "error"}],
        )
        session.add(doc)
        session.flush()
        return doc.id or 0


def _failed_message(desk: Desk) -> int:
    message, _ = repo.store_message(
        desk.engine,
        desk.blobs,
        company=desk.company,
        source="folder:in",
        source_ref="x.pdf",
        data=b"%PDF-1.4 broken",
        filename="x.pdf",
    )
    with Session(desk.engine) as session:
        row = session.get(models.Message, message.id)
        assert row is not None
        row.state, row.error, row.attempts = "failed", "BlobMissingError: abc", 5
        session.add(row)
        session.commit()
    return message.id or 0


def test_failed_and_not_invoice_documents_are_listed_with_reasons(desk: Desk) -> None:
    broken = _received(
        desk,
        b"%PDF-1.7 locked",
        doc_type="failed",
        code="PDF_ENCRYPTED",
        reason="the PDF is password-protected",
        filename="locked.pdf",
    )
    logo = _received(
        desk,
        b"\x89PNG logo",
        doc_type="not_invoice",
        code="SIGNATURE",
        reason="a logo in the signature",
        filename="logo.png",
    )
    viewer = desk.auth("viewer")
    failed = desk.client.get("/api/documents", params={"type": "failed"}, headers=viewer).json()
    assert failed["count"] == 1
    [item] = failed["data"]
    assert (item["id"], item["filename"], item["flags"][0]["code"]) == (
        broken,
        "locked.pdf",
        "PDF_ENCRYPTED",
    )
    noise = desk.client.get("/api/documents", params={"type": "not_invoice"}, headers=viewer).json()
    assert [d["id"] for d in noise["data"]] == [logo]
    assert (
        desk.client.get("/api/documents", params={"type": "bogus"}, headers=viewer).status_code
        == 422
    )
    assert desk.client.get("/api/documents").status_code == 401


def test_the_original_bytes_of_a_received_document_can_be_opened(desk: Desk) -> None:
    doc = _received(
        desk,
        b"%PDF-1.7 locked",
        doc_type="failed",
        code="PDF_ENCRYPTED",
        reason="locked",
        filename="locked.pdf",
    )
    got = desk.client.get(f"/api/documents/{doc}/file", headers=desk.auth("viewer"))
    assert got.status_code == 200 and got.content == b"%PDF-1.7 locked"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert (
        desk.client.get("/api/documents/99999/file", headers=desk.auth("viewer")).status_code == 404
    )


def test_failed_messages_are_listed_with_their_error(desk: Desk) -> None:
    message_id = _failed_message(desk)
    body = desk.client.get("/api/messages", headers=desk.auth("viewer")).json()
    assert body["count"] == 1
    assert body["data"][0] | {"received_at": None} == {
        "id": message_id,
        "source": "folder:in",
        "source_ref": "x.pdf",
        "filename": "x.pdf",
        "error": "BlobMissingError: abc",
        "attempts": 5,
        "received_at": None,
    }


def test_received_page_shows_both_with_reasons(desk: Desk) -> None:
    _received(
        desk,
        b"%PDF-1.7 locked",
        doc_type="failed",
        code="PDF_ENCRYPTED",
        reason="the PDF is password-protected",
        filename="locked.pdf",
    )
    _failed_message(desk)
    token = desk.tokens["viewer"]
    desk.client.post("/login", data={"token": token}, headers={"Origin": "http://testserver"})
    html = desk.client.get("/received").text
    assert "the PDF is password-protected" in html and "locked.pdf" in html
    assert "BlobMissingError: abc" in html
    assert 'href="/received"' in html


def test_mail_left_on_the_server_is_listed_with_its_reason(desk: Desk) -> None:
    # An IMAP message over max_message_bytes is never downloaded: only this record of it
    # exists here, and the desk must still show that it arrived and why it is not in the queue.
    key = imap_state.FolderKey(mailbox="ap", folder="INBOX", uidvalidity=7)
    reason = "message is 60000000 bytes; max_message_bytes is 52428800"
    outcome = imap_state.Outcome(41, imap_state.TOO_LARGE, error=reason)
    imap_state.record(desk.engine, key, company_id=desk.company, outcomes=[outcome])
    body = desk.client.get("/api/messages", headers=desk.auth("viewer")).json()
    assert body["count"] == 0  # nothing stored failed
    [left] = body["left_on_server"]
    assert left | {"seen_at": None} == {
        "mailbox": "ap",
        "folder": "INBOX",
        "uid": 41,
        "status": "too_large",
        "error": reason,
        "seen_at": None,
    }
    token = desk.tokens["viewer"]
    desk.client.post("/login", data={"token": token}, headers={"Origin": "http://testserver"})
    html = desk.client.get("/received").text
    assert "Left on the mail server" in html and reason in html
