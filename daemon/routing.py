"""Which client company a message belongs to: plus-addressing (``ap+acme@…``).

An accounting firm gives each client its own address tag. The tag is looked
for in the recipient headers a server sets on delivery first
(``Delivered-To``, ``X-Original-To``), then in ``To`` and ``Cc``; it routes
only to a company that is configured, so a stranger cannot create one.
"""

from __future__ import annotations

import re
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses

_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")
_TAG = re.compile(r"^[^@+\s]+\+([^@\s]+)@", re.ASCII)


def plus_tags(raw: bytes) -> list[str]:
    """Return the ``+tag`` parts of the message's recipient addresses, most trusted first."""
    # Routing must never stop a message from being stored: a header no parser can read
    # routes to the default company, like a message without a tag.
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(raw[:65536])
        values = [str(v) for name in _HEADERS for v in headers.get_all(name) or []]
        addresses = [address for _, address in getaddresses(values)]
    except Exception:
        return []
    tags = []
    for address in addresses:
        match = _TAG.match(address.strip())
        if match:
            tags.append(match.group(1).lower())
    return tags


def company_for(raw: bytes, *, known: frozenset[str], default: str) -> str:
    """Return the first configured company named by a plus tag, else ``default``."""
    if not known:
        return default
    return next((tag for tag in plus_tags(raw) if tag in known), default)
