"""E-invoices: CII (Factur-X, ZUGFeRD 1.0/2.x, XRechnung) and UBL 2.1, read exactly.

Public API (used by :mod:`extraction.read`):

- ``read_xml(data) -> EInvoice``: parse an e-invoice XML document. Raises
  :class:`NotAnEInvoice` for XML of another kind and :class:`HostileXML` for
  DTDs, entities and other parser attacks.
- ``embedded_xml(pdf) -> tuple[str, bytes] | None``: the e-invoice XML attached
  to a PDF/A-3 (Factur-X / ZUGFeRD / XRechnung), with its attachment name.

Modules: :mod:`._xml` (hardened parsing, lookups), :mod:`.cii`, :mod:`.ubl`,
:mod:`.pdf` (attachments) and :mod:`.model` (result type and errors).
"""

from __future__ import annotations

from lxml.etree import _Element

from extraction.einvoice import _xml
from extraction.einvoice import cii
from extraction.einvoice import pdf as _pdf
from extraction.einvoice import ubl
from extraction.einvoice.model import EInvoice
from extraction.einvoice.model import HostileXML
from extraction.einvoice.model import NotAnEInvoice

__all__ = ["EInvoice", "HostileXML", "NotAnEInvoice", "embedded_xml", "read_xml"]

#: Envelope roots that wrap a UBL document (Peppol's Standard Business Document Header).
_ENVELOPES = frozenset({"StandardBusinessDocument"})


def read_xml(data: bytes) -> EInvoice:
    """Parse an e-invoice; see the module docstring.

    Args:
        data: the XML document as received.

    Returns:
        The invoice's fields, line items and VAT breakdown, all exact.

    Raises:
        HostileXML: the document declares a DTD or entities.
        NotAnEInvoice: the document is not well-formed, or not a CII/UBL invoice.
    """
    try:
        root = _xml.parse(data)
    except _xml.XMLRejected as exc:
        raise HostileXML(str(exc)) from exc
    except _xml.XMLMalformed as exc:
        raise NotAnEInvoice(str(exc)) from exc
    return _read_root(_unwrap(root))


def embedded_xml(pdf: bytes) -> tuple[str, bytes] | None:
    """Return ``(attachment name, xml bytes)`` of the PDF's e-invoice, if any.

    Only an attachment that :func:`read_xml` accepts counts; a PDF without one,
    or one that cannot be read at all, gives ``None``.
    """
    return _pdf.find_embedded_xml(pdf, _is_einvoice)


def _read_root(root: _Element) -> EInvoice:
    """Dispatch on the root element: CII generations by local name, UBL by namespace too."""
    name = _xml.local(root)
    if name in cii.ROOTS:
        return cii.read(root)
    if name in ubl.ROOTS and _xml.namespace(root) in ubl.NAMESPACES:
        return ubl.read(root)
    raise NotAnEInvoice(f"XML root <{name}> is not a CII or UBL invoice")


def _unwrap(root: _Element) -> _Element:
    """Return the business document inside a Peppol SBDH envelope, or ``root`` itself."""
    if _xml.local(root) not in _ENVELOPES:
        return root
    for child in root:
        if isinstance(child.tag, str) and _xml.local(child) in ubl.ROOTS:
            return child
    return root


def _is_einvoice(data: bytes) -> bool:
    """Return whether ``data`` is an e-invoice :func:`read_xml` can read."""
    try:
        read_xml(data)
    except (NotAnEInvoice, HostileXML):
        return False
    return True
