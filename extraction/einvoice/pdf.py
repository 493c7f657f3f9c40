"""Find the e-invoice XML attached to a PDF/A-3 (Factur-X, ZUGFeRD, XRechnung hybrid).

pdfium lists the embedded files, the standard invoice names first, then any
other ``*.xml``; only when pdfium cannot open the file is the ``factur-x``
package (pypdf underneath), a second, independent PDF parser, asked. pdfium
first because most PDFs carry no invoice, and listing their attachments costs
pdfium a fraction of a millisecond and pypdf a few. Every candidate must pass
:func:`extraction.einvoice.read_xml`, so what we return is always an invoice we
can read. Broken PDFs yield ``None``, never an exception.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator

from extraction.text import pdfium_guard

#: Standard attachment names, most specific first; any other ``*.xml`` is tried after them.
STANDARD_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")

Accept = Callable[[bytes], bool]


def find_embedded_xml(pdf: bytes, accept: Accept) -> tuple[str, bytes] | None:
    """Return ``(attachment name, xml bytes)`` of the first attachment ``accept`` approves.

    Args:
        pdf: the PDF file.
        accept: tells whether some bytes are an e-invoice we can read.

    Returns:
        The attachment, or None when the PDF has none we accept or cannot be read.
    """
    attachments = _via_pdfium(pdf)
    if attachments is None:
        found = _via_facturx(pdf)
        return found if found is not None and accept(found[1]) else None
    for name, data in _ordered(attachments):
        if accept(data):
            return name, data
    return None


def _via_facturx(pdf: bytes) -> tuple[str, bytes] | None:
    """Ask factur-x (pypdf underneath) for the invoice attachment."""
    from facturx import get_xml_from_pdf

    try:
        name, data = get_xml_from_pdf(pdf, check_xsd=False)
    except Exception:
        return None
    if not name or not isinstance(data, bytes):
        return None
    return str(name), data


def _via_pdfium(pdf: bytes) -> list[tuple[str, bytes]] | None:
    """Return every embedded file whose name ends in ``.xml``, or None if pdfium cannot."""
    import pypdfium2

    with pdfium_guard.LOCK:
        try:
            document = pypdfium2.PdfDocument(pdf)
        except Exception:
            return None
        try:
            return list(_xml_attachments(document))
        except Exception:
            return None
        finally:
            document.close()


def _xml_attachments(document: object) -> Iterator[tuple[str, bytes]]:
    """Yield ``(name, bytes)`` of the document's ``.xml`` attachments."""
    count: int = document.count_attachments()  # type: ignore[attr-defined]
    for index in range(count):
        attachment = document.get_attachment(index)  # type: ignore[attr-defined]
        name = str(attachment.get_name())
        if name.lower().endswith(".xml"):
            yield name, bytes(attachment.get_data())


def _ordered(attachments: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """Put standard invoice names first, keeping the PDF's order otherwise."""

    def rank(item: tuple[str, bytes]) -> int:
        name = item[0].lower()
        return STANDARD_NAMES.index(name) if name in STANDARD_NAMES else len(STANDARD_NAMES)

    return sorted(attachments, key=rank)
