"""Attachment file names: decoded from the headers, made safe to show and store.

A name that arrives in a message is attacker-controlled. What we hand on is
never usable as a path: no directories, no control characters, no reserved
characters, bounded length, and the extension kept because later stages use
it as a type hint.
"""

from __future__ import annotations

import re
import unicodedata
from email.message import Message
from pathlib import PurePosixPath

from extraction.mail import headers

_MAX_LEN = 180
_RESERVED = re.compile(r'[<>:"|?*]')
_SPACES = re.compile(r"\s+")


def part_filename(part: Message) -> str | None:
    """Return the sanitised file name of a MIME part, or None when it has none."""
    try:
        raw = part.get_filename()
    except Exception:
        raw = None
    if raw is None:
        raw = _content_type_name(part)
    if raw is None:
        return None
    return sanitize(headers.repair_text(headers.decode_words(str(raw))))


def _content_type_name(part: Message) -> str | None:
    try:
        name = part.get_param("name")
    except Exception:
        return None
    if isinstance(name, tuple):  # an RFC 2231 triple (charset, language, value)
        return str(name[2])
    return None if name is None else str(name)


def sanitize(name: str | None) -> str | None:
    """Return ``name`` reduced to a safe base name, or None when nothing is left.

    Args:
        name: a file name as it arrived (may hold directories, control characters).

    Returns:
        The last path component without control or reserved characters, at most
        180 characters long with its extension kept, or None if it was empty.
    """
    if not name:
        return None
    text = "".join(" " if _is_control(ch) else ch for ch in name)
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = _SPACES.sub(" ", _RESERVED.sub("_", text)).strip().lstrip(".").strip()
    if not text:
        return None
    return _shorten(text)


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")


def _shorten(name: str) -> str:
    if len(name) <= _MAX_LEN:
        return name
    suffix = PurePosixPath(name).suffix
    if len(suffix) > 12:  # not a real extension, just a dot inside a long name
        suffix = ""
    return name[: _MAX_LEN - len(suffix)].rstrip() + suffix


def suffix(name: str | None) -> str:
    """Return the lower-case extension of a name (``.pdf``), or an empty string."""
    return PurePosixPath(name).suffix.lower() if name else ""
