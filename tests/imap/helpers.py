"""Small helpers for the IMAP tests: messages, database queries, waiting."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy.engine import Engine
from sqlmodel import col
from sqlmodel import select

from storage import db
from storage import models


def make_message(n: int, *, body: str = "Invoice attached.", size: int = 0) -> bytes:
    """Return a distinct RFC 5322 message numbered ``n`` (padded to ``size`` bytes)."""
    head = (
        f"From: vendor{n}@example.com\r\nTo: ap@example.com\r\n"
        f"Subject: Invoice {n}\r\nMessage-ID: <inv-{n}@example.com>\r\n"
        "Date: Mon, 02 Nov 2026 10:00:00 +0000\r\n\r\n"
    ).encode()
    text = f"{body} #{n}\r\n".encode()
    padding = b""
    if size > len(head) + len(text):
        line = b"x" * 76 + b"\r\n"
        padding = line * ((size - len(head) - len(text)) // len(line) + 1)
    return head + text + padding


def messages(engine: Engine) -> list[models.Message]:
    """Return every stored message row."""
    with db.session_scope(engine) as session:
        return list(session.exec(select(models.Message).order_by(col(models.Message.id))))


def processed(engine: Engine) -> list[models.ProcessedMessage]:
    """Return every ProcessedMessage row."""
    with db.session_scope(engine) as session:
        query = select(models.ProcessedMessage).order_by(col(models.ProcessedMessage.id))
        return list(session.exec(query))


def wait_for(
    condition: Callable[[], bool], *, timeout: float = 20.0, what: str = "condition"
) -> None:
    """Poll ``condition`` until true; fail the test after a generous ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
