"""Outlook's TNEF (winmail.dat): its attachments become candidates.

Outlook wraps attachments in an ``application/ms-tnef`` part that other clients
cannot open. tnefparse reads it in memory; each attachment goes back through
the splitter so a PDF, a ZIP or a logo inside is handled like any other.
A TNEF without attachments yields its HTML body when that is a receipt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tnefparse import TNEF

from extraction.mail import body
from extraction.mail import names
from extraction.models import Candidate
from extraction.models import EmailContext
from extraction.models import Flag
from extraction.models import Severity

#: Called for each attachment: (data, filename, declared type, part id) -> candidates.
Expand = Callable[[bytes, str | None, str, str], list[Candidate]]

TNEF_TYPE = "application/ms-tnef"
TNEF_MAGIC = b"\x78\x9f\x3e\x22"


@dataclass(frozen=True)
class Blob:
    """One TNEF payload and where it sits."""

    data: bytes
    part: str
    email: EmailContext | None


def split_tnef_blob(blob: Blob, expand: Expand) -> list[Candidate]:
    """Return the candidates inside a TNEF payload, never raising.

    Args:
        blob: the payload, its part id and the message context.
        expand: turns one attachment's bytes into candidates.

    Returns:
        The attachments' candidates; else the HTML body when it is a receipt;
        else one flagged candidate of the whole payload.
    """
    try:
        parsed = TNEF(blob.data)
    except Exception as exc:
        flag = Flag("TNEF_UNREADABLE", f"could not read this winmail.dat: {exc}", Severity.WARNING)
        return [_whole(blob, flag)]
    out: list[Candidate] = []
    seen: set[str] = set()
    for index, attachment in enumerate(parsed.attachments, start=1):
        filename = names.sanitize(_text(attachment.long_filename()) or _text(attachment.name))
        part = _part(blob.part, filename, index, seen)
        out.extend(expand(_bytes(attachment.data), filename, "application/octet-stream", part))
    return out or [_body(blob, parsed)]


def _part(prefix: str, filename: str | None, index: int, seen: set[str]) -> str:
    label = filename if filename and filename not in seen else str(index)
    seen.add(label)
    return f"{prefix}/tnef:{label}"


def _body(blob: Blob, parsed: TNEF) -> Candidate:
    html = _text(parsed.htmlbody)
    if html and body.looks_like_invoice(body.html_to_text(html)):
        return Candidate(
            f"{blob.part}/tnef:body", body.html_as_utf8(html), None, "text/html", email=blob.email
        )
    reason = "winmail.dat has no attachment and its body is not an invoice"
    return _whole(blob, Flag("NO_DOCUMENT", reason, Severity.INFO))


def _whole(blob: Blob, flag: Flag) -> Candidate:
    return Candidate(blob.part, blob.data, "winmail.dat", TNEF_TYPE, flag, blob.email)


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            text = value.decode("cp1252", "replace")
    elif isinstance(value, str):
        text = value
    else:
        return None
    return text.rstrip("\x00").strip() or None


def _bytes(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    return str(value or "").encode("utf-8")
