"""Find the e-invoice XML attached to a PDF/A-3 (Factur-X, ZUGFeRD, XRechnung hybrid).

First ask the ``factur-x`` package, which knows the standard attachment names;
if it finds nothing we accept (an Order-X file, a PDF pypdf cannot read), scan
every embedded file with pdfium, a second, independent PDF parser. Every
candidate must pass :func:`extraction.einvoice.read_xml`, so what we return is
always an invoice we can read. Broken PDFs yield ``None``, never an exception.
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
    found = _via_facturx(pdf)
    if found is not None and accept(found[1]):
        return found
    for name, data in _ordered(_via_pdfium(pdf)):
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


def _via_pdfium(pdf: bytes) -> list[tuple[str, bytes]]:
    """Return every embedded file whose name ends in ``.xml``, read with pdfium."""
    import pypdfium2

    with pdfium_guard.LOCK:
        try:
            document = pypdfium2.PdfDocument(pdf)
        except Exception:
            return []
        try:
            return list(_xml_attachments(document))
        except Exception:
            return []
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
