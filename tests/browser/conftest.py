"""A live review desk (uvicorn in a thread) and Debian's chromium driven by Playwright."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy.engine import Engine

from review_api import ReviewConfig
from review_api import create_app
from storage.blobs import BlobStore

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class LiveDesk:
    """The served app's base URL and its storage."""

    url: str
    engine: Engine
    blobs: BlobStore


def _serve(server: uvicorn.Server) -> threading.Thread:
    thread = threading.Thread(target=server.run, name="review-desk", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the review desk did not start")
        time.sleep(0.05)
    return thread


@pytest.fixture
def live_desk(sqlite_engine: Engine, tmp_path: Path) -> Iterator[LiveDesk]:
    """Serve ``create_app`` on 127.0.0.1 with an OS-chosen port."""
    blobs = BlobStore(tmp_path / "blobs")
    app = create_app(ReviewConfig(), sqlite_engine, blobs)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = _serve(server)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield LiveDesk(f"http://127.0.0.1:{port}", sqlite_engine, blobs)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's chromium, headless; skipped only when it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
