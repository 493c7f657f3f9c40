"""Hardened XML parsing and namespace-agnostic lookups shared by the CII and UBL readers.

E-invoice syntaxes come in several namespace generations (ZUGFeRD 1.0 uses
``ram:...:12``, CII D16B ``ram:...:100``), so the readers address elements by
local name only. Values are returned exactly as written: amounts as
:class:`~decimal.Decimal` with the document's own scale, dates as
:class:`~datetime.date`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from decimal import InvalidOperation

from lxml import etree  # no stubs in the lock
from lxml.etree import _Element

from extraction.models import FieldValue
from extraction.models import Method

#: Markup that introduces a DTD; we never need one, and it is how XXE and billion laughs start.
_DTD_MARKERS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_WIDE_ENCODINGS = ("utf-16", "utf-32")
_SPACE = re.compile(r"\s+")
_DATE_102 = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


class XMLRejected(ValueError):
    """The bytes declare a DTD or entities (XXE, billion laughs); we do not parse those."""


class XMLMalformed(ValueError):
    """The bytes are not well-formed XML."""


def parse(data: bytes) -> _Element:
    """Parse ``data`` with a parser that loads nothing and expands nothing.

    Args:
        data: the raw XML document.

    Returns:
        The root element.

    Raises:
        XMLRejected: the document declares a DTD or entities.
        XMLMalformed: the document is not well-formed.
    """
    if declares_dtd(data):
        raise XMLRejected("the XML declares a DTD or entities, which e-invoices never need")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise XMLMalformed(f"not well-formed XML: {exc}") from exc
    # Belt and braces: an encoding trick that hid the DOCTYPE from the byte scan still shows here.
    if root.getroottree().docinfo.doctype:
        raise XMLRejected("the XML declares a DTD, which e-invoices never need")
    return root


def declares_dtd(data: bytes) -> bool:
    """Return whether ``data`` contains a DOCTYPE or ENTITY declaration in any usual encoding."""
    if _DTD_MARKERS.search(data):
        return True
    if b"\x00" not in data[:4]:
        return False
    for encoding in _WIDE_ENCODINGS:
        text = data.decode(encoding, errors="ignore").encode("ascii", errors="ignore")
        if _DTD_MARKERS.search(text):
            return True
    return False


def local(el: _Element) -> str:
    """Return the local name of an element (without namespace)."""
    return str(etree.QName(el).localname)


def namespace(el: _Element) -> str:
    """Return the namespace URI of an element, or ``""``."""
    return etree.QName(el).namespace or ""


def children(el: _Element, name: str) -> Iterator[_Element]:
    """Yield the direct child elements of ``el`` whose local name is ``name``."""
    for child in el:
        if isinstance(child.tag, str) and local(child) == name:
            yield child


def find_all(el: _Element, path: str) -> list[_Element]:
    """Return every element at a ``/``-separated path of local names below ``el``."""
    level = [el]
    for step in path.split("/"):
        level = [child for parent in level for child in children(parent, step)]
    return level


def find(el: _Element | None, path: str) -> _Element | None:
    """Return the first element at ``path`` below ``el``, or None."""
    if el is None:
        return None
    found = find_all(el, path)
    return found[0] if found else None


def text(el: _Element | None, path: str | None = None) -> str | None:
    """Return the stripped, whitespace-collapsed text at ``path`` (or of ``el``), or None."""
    target = el if path is None else find(el, path)
    if target is None:
        return None
    raw = "".join(target.itertext())
    value = _SPACE.sub(" ", raw).strip()
    return value or None


def decimal(el: _Element | None, path: str | None = None) -> Decimal | None:
    """Return the number at ``path`` exactly as written (scale kept), or None if absent or bad."""
    raw = text(el, path)
    if raw is None:
        return None
    try:
        value = Decimal(raw.replace(" ", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parse_date(raw: str | None, fmt: str | None = None) -> date | None:
    """Return a date from CII format 102 (``YYYYMMDD``) or ISO ``YYYY-MM-DD``, else None.

    Args:
        raw: the text as written.
        fmt: the UNTDID 2379 format code when the XML gives one; only ``102`` is a full date.
    """
    if raw is None or fmt not in (None, "102"):
        return None
    match = _DATE_102.match(raw) or _DATE_ISO.match(raw)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def xml_value(value: str | Decimal | date, reason: str) -> FieldValue:
    """Wrap an exact e-invoice value: method ``xml``, confidence 1.0."""
    return FieldValue(value=value, confidence=1.0, method=Method.XML, reason=reason)


def put(
    fields: dict[str, FieldValue], key: str, value: str | Decimal | date | None, reason: str
) -> None:
    """Store ``value`` under ``key`` unless it is unknown (None or empty)."""
    if value is None or value == "":
        return
    fields[key] = xml_value(value, reason)
