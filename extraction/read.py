"""Read one candidate document: dispatch by content, extract, classify, validate, score.

Order of trust: e-invoice XML (exact) > PDF text layer > OCR. A PDF with an
embedded e-invoice is also read visibly, and a confident visible value that
disagrees with the XML on number, dates or total is flagged XML_PDF_MISMATCH:
the person who approves sees the PDF, the bookkeeping gets the XML.

Limits (from :class:`ExtractionConfig`): files over ``max_file_bytes`` and
PDFs over ``max_pages`` pages are FAILED with a reason rather than read in
part, because a partial read of an over-long document would look complete to
the reviewer. Rasterising and OCR run in a child process with memory and time
limits (:mod:`extraction.text.ocr`). A text page whose seller is printed only
inside an image gets its large images OCR'd too (:func:`_with_images`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from extraction import classify
from extraction import einvoice
from extraction import sniff
from extraction import validate
from extraction.config import ExtractionConfig
from extraction.fields import context
from extraction.fields import heuristics
from extraction.fields import receipts
from extraction.models import REQUIRED_FIELDS
from extraction.models import Candidate
from extraction.models import DocumentType
from extraction.models import ExtractedDocument
from extraction.models import FieldValue
from extraction.models import Flag
from extraction.models import Method
from extraction.models import Severity
from extraction.text import Page
from extraction.text import TextError
from extraction.text import html as html_text
from extraction.text import ocr
from extraction.text import pdf
from extraction.text import pdf_images

#: Fields compared between the embedded XML and the visible PDF.
MISMATCH_FIELDS = ("invoice_number", "invoice_date", "due_date", "total_amount")
#: A vendor name below this confidence is a guess (the page's first name-like line).
GUESSED_NAME = 0.6
#: A visible value must be at least this sure before it may contradict the XML.
MISMATCH_MIN_CONFIDENCE = 0.9

Reader = Callable[[Candidate, ExtractionConfig], ExtractedDocument]


def read_candidate(candidate: Candidate, config: ExtractionConfig) -> ExtractedDocument:
    """Return everything extraction can learn from one candidate document.

    Args:
        candidate: the bytes and what is known about where they came from.
        config: limits and switches (OCR languages, ``ignore_xml``, sizes).

    Returns:
        The extracted document; unreadable input is a FAILED document with a
        flag whose code says why (EMPTY_FILE, FILE_TOO_LARGE, PDF_ENCRYPTED,
        PDF_BROKEN, PDF_TOO_MANY_PAGES, IMAGE_BROKEN, IMAGE_TOO_LARGE,
        OCR_TIMEOUT, OCR_FAILED, XML_HOSTILE, UNSUPPORTED_TYPE).
    """
    data = candidate.data
    if not data.strip():
        return failed(candidate, Flag("EMPTY_FILE", "the file is empty", Severity.ERROR))
    if len(data) > config.max_file_bytes:
        reason = f"the file has {len(data)} bytes, over the limit of {config.max_file_bytes}"
        return failed(candidate, Flag("FILE_TOO_LARGE", reason, Severity.ERROR))
    kind = sniff.sniff(data, candidate.filename)
    reader = _READERS.get(kind)
    if reader is None:
        reason = f"cannot read a document of kind '{kind}' ({candidate.content_type})"
        return failed(candidate, Flag("UNSUPPORTED_TYPE", reason, Severity.ERROR))
    try:
        return reader(candidate, config)
    except TextError as exc:
        return failed(candidate, Flag(exc.code, exc.reason, Severity.ERROR))


def failed(candidate: Candidate, flag: Flag) -> ExtractedDocument:
    """Return a FAILED document carrying ``flag`` as its reason."""
    return bare(candidate, DocumentType.FAILED, flag)


def bare(candidate: Candidate, doc_type: DocumentType, flag: Flag) -> ExtractedDocument:
    return ExtractedDocument(
        part=candidate.part,
        filename=candidate.filename,
        content_type=candidate.content_type,
        sha256=candidate.sha256,
        document_type=doc_type,
        flags=(flag,),
        type_reason=flag.reason,
        email=candidate.email,
    )


def _read_xml(candidate: Candidate, config: ExtractionConfig) -> ExtractedDocument:
    try:
        invoice = einvoice.read_xml(candidate.data)
    except einvoice.HostileXML as exc:
        return failed(
            candidate, Flag("XML_HOSTILE", f"refused to parse the XML: {exc}", Severity.ERROR)
        )
    except einvoice.NotAnEInvoice as exc:
        flag = Flag("NOT_AN_EINVOICE", f"XML but not an invoice: {exc}", Severity.INFO)
        return bare(candidate, DocumentType.NOT_INVOICE, flag)
    return _from_einvoice(candidate, invoice, flags=[], text="")


def _from_einvoice(
    candidate: Candidate, invoice: einvoice.EInvoice, *, flags: list[Flag], text: str
) -> ExtractedDocument:
    flags = flags + validate.validate(
        invoice.fields, invoice.line_items, invoice.tax_lines, adjustment=invoice.adjustment
    )
    return ExtractedDocument(
        part=candidate.part,
        filename=candidate.filename,
        content_type=candidate.content_type,
        sha256=candidate.sha256,
        document_type=invoice.document_type,
        fields=dict(invoice.fields),
        line_items=invoice.line_items,
        tax_lines=invoice.tax_lines,
        flags=tuple(flags),
        method=str(Method.XML),
        confidence=1.0,
        text=text,
        email=candidate.email,
        type_reason=f"e-invoice ({invoice.syntax}) document type",
    )


def _read_pdf(candidate: Candidate, config: ExtractionConfig) -> ExtractedDocument:
    count = pdf.page_count(candidate.data)
    if count > config.max_pages:
        reason = f"the PDF has {count} pages, over the limit of {config.max_pages}; read it by hand"
        return failed(candidate, Flag("PDF_TOO_MANY_PAGES", reason, Severity.ERROR))
    if count == 0:
        return failed(candidate, Flag("PDF_BROKEN", "the PDF has no pages", Severity.ERROR))
    invoice, xml_flags = _embedded(candidate.data, config)
    pages = _pdf_pages(candidate.data, config, count)
    if invoice is None:
        found, image_flags = _with_images(candidate.data, pages, config)
        return _from_pages(candidate, pages, xml_flags + image_flags, found)
    # The XML names the seller exactly: no image pass for the visible comparison.
    visible = heuristics.extract(pages)
    flags = xml_flags + mismatches(invoice.fields, visible.fields)
    return _from_einvoice(candidate, invoice, flags=flags, text=visible.text)


def _embedded(data: bytes, config: ExtractionConfig) -> tuple[einvoice.EInvoice | None, list[Flag]]:
    if config.ignore_xml:
        return None, []
    found = einvoice.embedded_xml(data)
    if found is None:
        return None, []
    name, xml = found
    try:
        return einvoice.read_xml(xml), []
    except (einvoice.HostileXML, einvoice.NotAnEInvoice) as exc:
        reason = f"the attached '{name}' was not used: {exc}"
        return None, [Flag("EMBEDDED_XML_REJECTED", reason, Severity.WARNING)]


def _pdf_pages(data: bytes, config: ExtractionConfig, count: int) -> list[Page]:
    pages = pdf.read_pages(data, max_pages=count)
    blank = [p.number for p in pages if not pdf.usable(p)]
    if not blank or not ocr.is_available():
        return pages
    scanned = {p.number: p for p in ocr.ocr_pdf(data, blank, config)}
    return [scanned.get(p.number, p) for p in pages]


def _with_images(
    data: bytes, pages: list[Page], config: ExtractionConfig
) -> tuple[heuristics.Result, list[Flag]]:
    """Read the pages, and again with their large images OCR'd when the seller is unknown.

    OCR is ~50x the cost of a text page, so it runs only when it can matter
    (:func:`_needs_images`) and only on the image areas (:mod:`pdf_images`).
    """
    found = heuristics.extract(pages)
    if not _needs_images(found.fields):
        return found, []
    try:
        more = pdf_images.with_image_text(data, pages, config)
    except TextError as exc:
        reason = f"the images on the text pages were not read: {exc.reason}"
        return found, [Flag("IMAGE_OCR_FAILED", reason, Severity.WARNING)]
    if more is None:
        return found, []
    return _text_first(found, heuristics.extract(more)), []


def _needs_images(fields: dict[str, FieldValue]) -> bool:
    """Return True when the text layer does not know the seller: the letterhead may be a picture.

    Unknown is no vendor name, or only a guessed one (the page's first name-like
    line) with neither VAT ID nor IBAN. A missing VAT ID or IBAN alone does not
    count: most invoices outside the EU print neither, and many carry a logo, so
    that rule would OCR a logo on each of them. On the development corpus this
    fires on 2 of 69 text PDFs; invoices that name their seller in text never pay
    for OCR.
    """
    name = fields.get("vendor_name")
    if name is None:
        return True
    return name.confidence < GUESSED_NAME and not {"vendor_vat_id", "vendor_iban"} & fields.keys()


def _text_first(text: heuristics.Result, both: heuristics.Result) -> heuristics.Result:
    """Return the text layer's reading, completed by the one that includes image words.

    Text-layer values are exact: one stays unless the image words gave that field
    a surer value (a seller's name with its legal form beats a bare header line).
    """
    fields = dict(text.fields)
    for key, value in both.fields.items():
        if key not in fields or value.confidence > fields[key].confidence:
            fields[key] = value
    return replace(both, fields=fields, line_items=text.line_items or both.line_items)


def mismatches(xml_fields: dict[str, FieldValue], visible: dict[str, FieldValue]) -> list[Flag]:
    """Return XML_PDF_MISMATCH flags where a confident visible value contradicts the XML."""
    out: list[Flag] = []
    for key in MISMATCH_FIELDS:
        seen, exact = visible.get(key), xml_fields.get(key)
        if seen is None or exact is None or seen.confidence < MISMATCH_MIN_CONFIDENCE:
            continue
        if not _same(seen.value, exact.value):
            reason = f"the PDF shows {key} '{seen.value}' but its XML says '{exact.value}'"
            out.append(Flag("XML_PDF_MISMATCH", reason, Severity.ERROR, key))
    return out


def _same(a: object, b: object) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b
    return "".join(str(a).split()).casefold() == "".join(str(b).split()).casefold()


def _read_image(candidate: Candidate, config: ExtractionConfig) -> ExtractedDocument:
    pages = ocr.ocr_image(candidate.data, config)
    enlarge = ocr.enlargement(pages)
    if enlarge > 1.0 and not receipts.looks_like_receipt(context.build(pages)):
        # A document page scanned small: read again larger (see ocr.enlargement).
        with contextlib.suppress(TextError):  # the first reading stands
            pages = ocr.ocr_image(candidate.data, config, enlarge)
    return _from_pages(candidate, pages, reading_flags(pages))


def reading_flags(pages: list[Page]) -> list[Flag]:
    """Return a warning for each way a reader could not help (once per reason)."""
    notes = dict.fromkeys(note for page in pages for note in page.notes)
    return [Flag("SECOND_READER_UNAVAILABLE", note, Severity.WARNING) for note in notes]


def _read_html(candidate: Candidate, config: ExtractionConfig) -> ExtractedDocument:
    return _from_pages(candidate, [html_text.to_page(candidate.data)], [])


def _read_text(candidate: Candidate, config: ExtractionConfig) -> ExtractedDocument:
    return _from_pages(candidate, [html_text.plain_page(candidate.data)], [])


def _from_pages(
    candidate: Candidate,
    pages: list[Page],
    flags: list[Flag],
    found: heuristics.Result | None = None,
) -> ExtractedDocument:
    if found is None:
        found = heuristics.extract(pages)
    method = Method.OCR if any(p.method is Method.OCR for p in pages) else Method.TEXT
    doc_type, type_reason = classify.classify(found.text, found.fields)
    if doc_type is DocumentType.NOT_INVOICE:
        flags = [*flags, Flag("NOT_AN_INVOICE", type_reason, Severity.INFO)]
        return _document(candidate, doc_type, type_reason, found, flags, method, 0.0)
    flags = flags + validate.validate(found.fields, found.line_items, ())
    return _document(
        candidate, doc_type, type_reason, found, flags, method, confidence(found.fields, flags)
    )


def _document(
    candidate: Candidate,
    doc_type: DocumentType,
    type_reason: str,
    found: heuristics.Result,
    flags: list[Flag],
    method: Method,
    score: float,
) -> ExtractedDocument:
    return ExtractedDocument(
        part=candidate.part,
        filename=candidate.filename,
        content_type=candidate.content_type,
        sha256=candidate.sha256,
        document_type=doc_type,
        fields=found.fields,
        line_items=found.line_items,
        flags=tuple(flags),
        method=str(method),
        confidence=score,
        text=found.text,
        email=candidate.email,
        type_reason=type_reason,
    )


def confidence(fields: dict[str, FieldValue], flags: list[Flag]) -> float:
    """Return the document's confidence: its weakest required field, halved by errors.

    A missing required field counts as 0, so a document is only as sure as
    the least sure thing an approver needs.
    """
    weakest = min((fields[k].confidence if k in fields else 0.0) for k in REQUIRED_FIELDS)
    if any(f.severity is Severity.ERROR for f in flags):
        weakest *= 0.5
    return round(weakest, 3)


_READERS: dict[sniff.Kind, Reader] = {
    sniff.Kind.PDF: _read_pdf,
    sniff.Kind.XML: _read_xml,
    sniff.Kind.IMAGE: _read_image,
    sniff.Kind.HTML: _read_html,
    sniff.Kind.TEXT: _read_text,
}
