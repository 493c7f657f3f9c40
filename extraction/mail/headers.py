"""Parse a message without ever raising, and read its headers defensively.

``policy.default`` gives decoded, structured headers but raises on some
malformed ones when they are read; ``compat32`` never does. Every header read
therefore tries the modern parse first and falls back to decoding the raw
value by hand.
"""

from __future__ import annotations

import email
import email.utils
import re
from dataclasses import dataclass
from email import policy
from email.header import decode_header
from email.message import Message

_FWD_PREFIX = re.compile(
    r"^\s*(?:\[?(?:fwd?|fw|tr|wg|rv|i|doorst|vs|vb|enc|rif|fs|pd|trs)\s*:\s*\]?\s*)+",
    re.IGNORECASE,
)
_BRACKETED_FWD = re.compile(r"^\s*\[(?:fwd?|fw)\s*:\s*(.*)\]\s*$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
#: Charsets seen in real mail that Python does not know by these names.
_CHARSET_ALIASES = {
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "x-unknown": "utf-8",
    "unknown-8bit": "cp1252",
    "ks_c_5601-1987": "cp949",
    "x-mac-roman": "mac_roman",
}


@dataclass(frozen=True)
class Envelope:
    """The headers of one message that matter to accounts payable."""

    from_: str | None
    subject: str | None
    date: str | None
    message_id: str | None
    to: str | None


def parse(data: bytes) -> Message:
    """Parse raw bytes with the modern policy; raises only on truly broken input."""
    return email.message_from_bytes(data, policy=policy.default)


def header(msg: Message, name: str) -> str | None:
    """Return a header as readable text, or None when absent or empty."""
    try:
        value = msg.get(name)
        text = None if value is None else str(value)
    except Exception:
        text = _raw_header(msg, name)
    if text is None:
        return None
    if "\ufffd" in text:  # the modern policy gave up on a charset; try our aliases
        text = _raw_header(msg, name) or text
    text = _SPACES.sub(" ", repair_text(text)).strip()
    return text or None


def _raw_header(msg: Message, name: str) -> str | None:
    for key, raw in msg.raw_items():
        if key.lower() == name.lower():
            return decode_words(str(raw))
    return None


def decode_words(text: str) -> str:
    """Decode RFC 2047 encoded words, keeping the text as is when they are broken."""
    if "=?" not in text:
        return text
    try:
        chunks = decode_header(text)
    except Exception:
        return text
    return "".join(_decode_chunk(chunk, charset) for chunk, charset in chunks)


def _decode_chunk(chunk: bytes | str, charset: str | None) -> str:
    if isinstance(chunk, str):
        return chunk
    name = _CHARSET_ALIASES.get((charset or "ascii").lower(), charset or "ascii")
    try:
        return chunk.decode(name, "replace")
    except LookupError:
        return chunk.decode("utf-8", "replace")


def repair_text(text: str) -> str:
    """Turn surrogate-escaped 8-bit header bytes back into text (UTF-8, else Latin-1)."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    raw = text.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def address(value: str | None) -> str | None:
    """Normalise a From-style value to ``Name <addr>`` or a bare address."""
    if not value:
        return None
    name, addr = email.utils.parseaddr(value)
    if not addr or "@" not in addr:
        return value.strip() or None
    name = name.strip().strip('"').strip()
    return f"{name} <{addr}>" if name and name != addr else addr


def iso_date(value: str | None) -> str | None:
    """Return an RFC 5322 date header as ISO 8601, or None when it does not parse."""
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def envelope(msg: Message) -> Envelope:
    """Read From, Subject, Date, Message-ID and To of one message."""
    return Envelope(
        from_=address(header(msg, "From")),
        subject=header(msg, "Subject"),
        date=iso_date(header(msg, "Date")),
        message_id=header(msg, "Message-ID"),
        to=header(msg, "To"),
    )


def is_forward_subject(subject: str | None) -> bool:
    """Tell whether a subject carries a forward prefix (Fwd:, TR:, WG:, RV:, I:, Doorst:…)."""
    if not subject:
        return False
    return bool(_FWD_PREFIX.match(subject) or _BRACKETED_FWD.match(subject))


def strip_forward_prefixes(subject: str | None) -> str | None:
    """Remove forward prefixes (not reply ones) from a subject, however deeply stacked."""
    if subject is None:
        return None
    bracketed = _BRACKETED_FWD.match(subject)
    if bracketed:
        subject = bracketed.group(1)
    return _FWD_PREFIX.sub("", subject).strip() or subject.strip()
