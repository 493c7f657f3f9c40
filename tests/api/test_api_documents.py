"""``POST /api/documents``: uploads become stored messages for the worker to process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from review_api import ReviewConfig
from storage import models
from storage.blobs import BlobStore
from tests.api.conftest import OYO_PDF
from tests.api.conftest import Desk
from tests.api.conftest import make_desk


def _messages(engine: Engine) -> list[models.Message]:
    with Session(engine) as session:
        return list(session.exec(select(models.Message).order_by(col(models.Message.id))).all())


def test_upload_stores_each_file_as_a_message(desk: Desk) -> None:
    pdf = OYO_PDF.read_bytes()
    response = desk.client.post(
        "/api/documents",
        headers=desk.auth("reviewer"),
        files=[
            ("files", ("oyo.pdf", pdf, "application/pdf")),
            ("files", ("C:\\scans\\note.txt", b"hello", "text/plain")),
        ],
    )
    assert response.status_code == 201
    data = response.json()["data"]
    assert [d["created"] for d in data] == [True, True]
    stored = _messages(desk.engine)
    assert [m.id for m in stored] == [d["message_id"] for d in data]
    assert [(m.source, m.source_ref, m.filename) for m in stored] == [
        ("upload", "reviewer-ann", "oyo.pdf"),
        ("upload", "reviewer-ann", "note.txt"),
    ]
    assert stored[0].company_id == desk.company
    assert desk.blobs.get(stored[0].sha256) == pdf


def test_same_bytes_twice_are_stored_once(desk: Desk) -> None:
    files = {"file": ("a.pdf", OYO_PDF.read_bytes(), "application/pdf")}
    first = desk.client.post("/api/documents", headers=desk.auth("admin"), files=files).json()
    again = desk.client.post("/api/documents", headers=desk.auth("admin"), files=files).json()
    assert again["data"][0]["message_id"] == first["data"][0]["message_id"]
    assert again["data"][0]["created"] is False
    assert len(_messages(desk.engine)) == 1


def test_viewer_cannot_upload(desk: Desk) -> None:
    files = {"file": ("a.pdf", b"%PDF-1.4", "application/pdf")}
    response = desk.client.post("/api/documents", headers=desk.auth("viewer"), files=files)
    assert response.status_code == 403
    assert _messages(desk.engine) == []


def test_upload_without_file_or_empty_file_is_422(desk: Desk) -> None:
    reviewer = desk.auth("reviewer")
    assert desk.client.post("/api/documents", headers=reviewer, data={"x": "1"}).status_code == 422
    empty = {"file": ("empty.pdf", b"", "application/pdf")}
    assert desk.client.post("/api/documents", headers=reviewer, files=empty).status_code == 422
    assert _messages(desk.engine) == []


def test_upload_over_the_limit_is_413(sqlite_engine: Engine, tmp_path: Path) -> None:
    small = make_desk(sqlite_engine, BlobStore(tmp_path / "b"), ReviewConfig(max_upload_bytes=1000))
    reviewer = small.auth("reviewer")
    over = {"file": ("big.pdf", b"x" * 1001, "application/pdf")}
    assert small.client.post("/api/documents", headers=reviewer, files=over).status_code == 413
    fits = {"file": ("ok.pdf", b"x" * 1000, "application/pdf")}
    assert small.client.post("/api/documents", headers=reviewer, files=fits).status_code == 201
    assert len(_messages(sqlite_engine)) == 1


def test_huge_body_is_refused_before_it_is_read(sqlite_engine: Engine, tmp_path: Path) -> None:
    small = make_desk(sqlite_engine, BlobStore(tmp_path / "b"), ReviewConfig(max_upload_bytes=10))
    huge = {"file": ("big.pdf", b"x" * (3 * 1024 * 1024), "application/pdf")}
    response = small.client.post("/api/documents", headers=small.auth("reviewer"), files=huge)
    assert response.status_code == 413
    assert _messages(sqlite_engine) == []


def test_streamed_body_without_length_is_cut_off(sqlite_engine: Engine, tmp_path: Path) -> None:
    small = make_desk(sqlite_engine, BlobStore(tmp_path / "b"), ReviewConfig(max_upload_bytes=10))
    boundary = "xyz"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="f"; filename="a.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()

    def chunks() -> Iterator[bytes]:
        yield head
        for _ in range(40):
            yield b"x" * 65536
        yield f"\r\n--{boundary}--\r\n".encode()

    response = small.client.post(
        "/api/documents",
        headers={
            **small.auth("reviewer"),
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
        content=chunks(),
    )
    assert response.status_code == 413
    assert _messages(sqlite_engine) == []
