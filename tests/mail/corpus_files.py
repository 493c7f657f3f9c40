"""Real files the mail tests build messages around."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

CORPUS = Path(__file__).parent.parent / "corpus" / "eml"


def attached_pdf() -> bytes:
    """Return the real PDF attached to the corpus message ``flanker__attached-pdf.eml``."""
    raw = (CORPUS / "flanker__attached-pdf.eml").read_bytes()
    msg = email.message_from_bytes(raw, policy=policy.default)
    for part in msg.walk():
        if part.get_content_type() == "application/pdf":
            data = part.get_payload(decode=True)
            assert isinstance(data, bytes)
            return data
    raise AssertionError("fixture lost its PDF")
