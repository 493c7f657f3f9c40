"""read_xml refuses parser attacks and tells other XML apart from invoices."""

from __future__ import annotations

from pathlib import Path

import pytest

from extraction.einvoice import HostileXML
from extraction.einvoice import NotAnEInvoice
from extraction.einvoice import read_xml

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
CII = (CORPUS / "xml-cii" / "cen-en16931__CII_business_example_01.xml").read_bytes()

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">
&lol4;</rsm:CrossIndustryInvoice>
"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:ID>&xxe;</cbc:ID></Invoice>
"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice SYSTEM "http://127.0.0.1:9/evil.dtd">
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>
"""

ORDER_X = b"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:SCRDMCCBDACIOMessageStructure
 xmlns:rsm="urn:un:unece:uncefact:data:SCRDMCCBDACIOMessageStructure:100"
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:128">
<rsm:ExchangedDocument><ram:ID>PO-4711</ram:ID><ram:TypeCode>220</ram:TypeCode></rsm:ExchangedDocument>
</rsm:SCRDMCCBDACIOMessageStructure>
"""

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>
<item><title>Invoice 42</title></item></channel></rss>"""

UBL_ORDER = b"""<?xml version="1.0"?>
<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>1</cbc:ID></Order>"""

# An "Invoice" root outside the UBL namespace is somebody else's format.
FOREIGN_INVOICE = b"""<?xml version="1.0"?><Invoice xmlns="urn:example:erp"><ID>1</ID></Invoice>"""


@pytest.mark.parametrize(
    "data",
    [
        BILLION_LAUGHS,
        XXE,
        EXTERNAL_DTD,
        XXE.decode().encode("utf-16"),  # the DOCTYPE must not hide behind a wide encoding
        BILLION_LAUGHS.replace(b"<!DOCTYPE", b"<!doctype"),
    ],
    ids=["billion-laughs", "xxe", "external-dtd", "xxe-utf16", "lowercase-doctype"],
)
def test_dtds_and_entities_are_refused(data: bytes) -> None:
    with pytest.raises(HostileXML):
        read_xml(data)


@pytest.mark.parametrize(
    "data",
    [ORDER_X, RSS, UBL_ORDER, FOREIGN_INVOICE, b"<Invoice", b"", b"%PDF-1.7 not xml at all"],
    ids=["order-x", "rss", "ubl-order", "foreign-invoice", "truncated", "empty", "not-xml"],
)
def test_other_xml_is_not_an_einvoice(data: bytes) -> None:
    with pytest.raises(NotAnEInvoice):
        read_xml(data)


def test_hostile_and_not_invoice_are_value_errors() -> None:
    # Callers that only know ValueError still catch both.
    assert issubclass(HostileXML, ValueError)
    assert issubclass(NotAnEInvoice, ValueError)


def test_a_real_invoice_with_a_utf8_bom_and_a_comment_still_reads() -> None:
    data = b"\xef\xbb\xbf" + CII.replace(b"?>", b"?><!-- generated -->", 1)
    assert read_xml(data).fields["invoice_number"].value == "TOSL108"


def test_ubl_inside_a_peppol_envelope_is_read() -> None:
    ubl = (CORPUS / "xml-ubl" / "akretion__ubl-21-en16931.xml").read_bytes()
    body = ubl.split(b"?>", 1)[1]
    envelope = (
        b'<StandardBusinessDocument xmlns="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader">'
        b"<StandardBusinessDocumentHeader><HeaderVersion>1.0</HeaderVersion></StandardBusinessDocumentHeader>"
        + body
        + b"</StandardBusinessDocument>"
    )
    assert read_xml(envelope).fields == read_xml(ubl).fields
