"""Tell what kind of bytes we hold, by content first and by name only as a hint."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import PurePath


class Kind(StrEnum):
    """The broad kinds of input extraction knows how to read."""

    PDF = "pdf"
    XML = "xml"
    IMAGE = "image"
    HTML = "html"
    EMAIL = "email"
    ZIP = "zip"
    TNEF = "tnef"
    TEXT = "text"
    UNKNOWN = "unknown"


_MAGIC: tuple[tuple[bytes, Kind], ...] = (
    (b"%PDF-", Kind.PDF),
    (b"\x89PNG\r\n\x1a\n", Kind.IMAGE),
    (b"\xff\xd8\xff", Kind.IMAGE),
    (b"II*\x00", Kind.IMAGE),
    (b"MM\x00*", Kind.IMAGE),
    (b"GIF8", Kind.IMAGE),
    (b"PK\x03\x04", Kind.ZIP),
    (b"\x78\x9f\x3e\x22", Kind.TNEF),
)

_CONTENT_TYPES = {
    Kind.PDF: "application/pdf",
    Kind.XML: "application/xml",
    Kind.IMAGE: "image/unknown",
    Kind.HTML: "text/html",
    Kind.EMAIL: "message/rfc822",
    Kind.ZIP: "application/zip",
    Kind.TNEF: "application/ms-tnef",
    Kind.TEXT: "text/plain",
    Kind.UNKNOWN: "application/octet-stream",
}

_HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]{1,40}:[ \t]?", re.MULTILINE)
_MAIL_HEADERS = (b"from:", b"received:", b"subject:", b"message-id:", b"mime-version:", b"to:")


def sniff(data: bytes, filename: str | None = None) -> Kind:
    """Return the kind of ``data``; the filename only breaks ties."""
    head = data[:2048]
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc"):
        return Kind.IMAGE
    # PDFs may have junk before the header; the spec tolerates 1 KiB of it.
    if b"%PDF-" in head[:1024]:
        return Kind.PDF
    return _sniff_text(head.lstrip(b"\xef\xbb\xbf \t\r\n"), _suffix(filename))


def _sniff_text(head: bytes, suffix: str) -> Kind:
    lower = head[:512].lower()
    if lower.startswith(b"<?xml") or (lower.startswith(b"<") and b"invoice" in lower):
        return Kind.HTML if b"<html" in lower else Kind.XML
    if lower.startswith((b"<!doctype html", b"<html")):
        return Kind.HTML
    if suffix in (".eml", ".msg") or _looks_like_mail(head):
        return Kind.EMAIL
    if suffix == ".xml":
        return Kind.XML
    if suffix in (".html", ".htm"):
        return Kind.HTML
    if suffix == ".dat" or suffix == ".tnef":
        return Kind.TNEF
    if suffix == ".txt":
        return Kind.TEXT
    return Kind.UNKNOWN


def _looks_like_mail(head: bytes) -> bool:
    lines = head.split(b"\n", 30)[:30]
    hits = {line.split(b":", 1)[0].lower() + b":" for line in lines if _HEADER_LINE.match(line)}
    return len(hits & set(_MAIL_HEADERS)) >= 2


def _suffix(filename: str | None) -> str:
    return PurePath(filename).suffix.lower() if filename else ""


def content_type_for(kind: Kind, filename: str | None) -> str:
    """Return a MIME type for a kind, refined by the filename's suffix for images."""
    if kind is Kind.IMAGE:
        suffix = _suffix(filename).lstrip(".")
        return f"image/{'jpeg' if suffix in ('jpg', 'jpeg') else suffix or 'unknown'}"
    return _CONTENT_TYPES[kind]
