"""``/healthz``: no authentication, the database's state and the daemon's report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from review_api import ReviewConfig
from review_api import create_app
from storage import db
from storage.blobs import BlobStore


def test_health_without_auth(engine: Engine, blobs: BlobStore) -> None:
    client = TestClient(create_app(ReviewConfig(), engine, blobs))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_includes_the_daemons_report(sqlite_engine: Engine, blobs: BlobStore) -> None:
    def report() -> dict[str, Any]:
        return {
            "queue_depth": 3,
            "sources": {"imap:ap": {"last_poll": "2024-03-01T10:00:00Z"}},
            "status": "overridden?",
        }

    client = TestClient(create_app(ReviewConfig(), sqlite_engine, blobs, health=report))
    body = client.get("/healthz").json()
    assert body["queue_depth"] == 3
    assert body["sources"]["imap:ap"]["last_poll"] == "2024-03-01T10:00:00Z"
    assert body["status"] == "ok"


def test_a_failing_reporter_does_not_break_health(sqlite_engine: Engine, blobs: BlobStore) -> None:
    def report() -> dict[str, Any]:
        raise RuntimeError("boom")

    client = TestClient(create_app(ReviewConfig(), sqlite_engine, blobs, health=report))
    body = client.get("/healthz").json()
    assert body["database"] == "ok"
    assert "health_error" in body


def test_unreachable_database_is_reported(tmp_path: Path, blobs: BlobStore) -> None:
    # Port 1 on loopback refuses connections at once: a database that is down.
    down = db.make_engine("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
    try:
        client = TestClient(create_app(ReviewConfig(), down, blobs))
        body = client.get("/healthz").json()
    finally:
        down.dispose()
    assert body == {"status": "ok", "database": "error"}
