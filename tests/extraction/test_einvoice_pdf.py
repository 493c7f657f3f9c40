"""embedded_xml over real Factur-X / ZUGFeRD / XRechnung PDFs and PDFs built with pdfium."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pypdfium2
import pytest

from extraction.einvoice import embedded_xml
from extraction.einvoice import read_xml

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
PDFS = sorted((CORPUS / "facturx-pdf").glob("*.pdf"))
CII = (CORPUS / "xml-cii" / "cen-en16931__CII_business_example_01.xml").read_bytes()
ORDER_X = b"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:SCRDMCCBDACIOMessageStructure
 xmlns:rsm="urn:un:unece:uncefact:data:SCRDMCCBDACIOMessageStructure:100"
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:128"
 xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:128">
<rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter>
<ram:ID>urn:order-x.eu:1p0:extended</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
</rsm:ExchangedDocumentContext>
<rsm:ExchangedDocument><ram:ID>PO-4711</ram:ID><ram:TypeCode>220</ram:TypeCode></rsm:ExchangedDocument>
</rsm:SCRDMCCBDACIOMessageStructure>
"""
HOSTILE = b"""<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rsm:CrossIndustryInvoice
 xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">&x;
</rsm:CrossIndustryInvoice>"""


def make_pdf(*attachments: tuple[str, bytes]) -> bytes:
    """Return a one-page PDF carrying ``attachments`` as embedded files (built with pdfium)."""
    document = pypdfium2.PdfDocument.new()
    try:
        document.new_page(595, 842)
        for name, data in attachments:
            document.new_attachment(name).set_data(data)
        buffer = io.BytesIO()
        document.save(buffer)
    finally:
        document.close()
    return buffer.getvalue()


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_embedded_invoice_matches_the_truth(path: Path) -> None:
    found = embedded_xml(path.read_bytes())
    assert found is not None
    name, data = found
    truth = json.loads(path.with_name(path.name + ".truth.json").read_text())
    assert f"'{name}'" in truth["truth_derivation"]
    fields = read_xml(data).fields
    assert fields["invoice_number"].value == truth["fields"]["invoice_number"]
    assert fields["total_amount"].value == Decimal(truth["fields"]["total_amount"])
    assert fields["vendor_name"].value == truth["fields"]["vendor_name"]


def test_the_invoice_is_chosen_over_other_xml_attachments() -> None:
    found = embedded_xml(
        (CORPUS / "facturx-pdf" / "4s4u__additional-data-sample-1.pdf").read_bytes()
    )
    assert found is not None
    assert found[0] == "ZUGFeRD-invoice.xml"


def test_an_invoice_under_a_non_standard_name_is_found_behind_an_order() -> None:
    # factur-x returns the Order-X first; the pdfium scan must go on to the invoice.
    pdf = make_pdf(("order-x.xml", ORDER_X), ("rechnung-4711.xml", CII))
    assert embedded_xml(pdf) == ("rechnung-4711.xml", CII)


@pytest.mark.parametrize(
    "attachments",
    [
        (),
        (("order-x.xml", ORDER_X),),
        (("factur-x.xml", HOSTILE),),
        (("factur-x.xml", b"not xml"),),
        (("invoice.txt", CII),),
    ],
    ids=["no-attachment", "order-x-only", "hostile-xml", "broken-xml", "not-an-xml-name"],
)
def test_pdfs_without_a_readable_invoice_give_none(
    attachments: tuple[tuple[str, bytes], ...],
) -> None:
    assert embedded_xml(make_pdf(*attachments)) is None


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"%PDF-1.7\n",
        b"not a pdf at all",
        (CORPUS / "facturx-pdf" / "ferd233__BASIC_Einfach.pdf").read_bytes()[:4000],
    ],
    ids=["empty", "header-only", "garbage", "truncated"],
)
def test_broken_pdfs_give_none_without_raising(data: bytes) -> None:
    assert embedded_xml(data) is None
