"""OASIS UBL 2.1 reader for ``Invoice`` and ``CreditNote`` (EN 16931, Peppol BIS 3, XRechnung UBL).

The two roots differ only in a few names (``InvoiceTypeCode`` /
``CreditNoteTypeCode``, ``InvoiceLine`` / ``CreditNoteLine``,
``InvoicedQuantity`` / ``CreditedQuantity``); :class:`_Names` holds them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from lxml.etree import _Element

from extraction.einvoice import _xml
from extraction.einvoice.model import EInvoice
from extraction.einvoice.model import document_type
from extraction.models import DocumentType
from extraction.models import FieldValue
from extraction.models import LineItem
from extraction.models import TaxLine

#: Payment account ids that look like an IBAN; other account ids (local numbers) are not one.
_IBAN_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}$")


@dataclass(frozen=True)
class _Names:
    """Element names that differ between the Invoice and CreditNote roots."""

    type_code: str
    line: str
    quantity: str


#: Root element local name -> its names.
ROOTS: dict[str, _Names] = {
    "Invoice": _Names("InvoiceTypeCode", "InvoiceLine", "InvoicedQuantity"),
    "CreditNote": _Names("CreditNoteTypeCode", "CreditNoteLine", "CreditedQuantity"),
}

#: The namespaces a UBL root may have (2.x Invoice-2 / CreditNote-2).
NAMESPACES = frozenset(
    {
        "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
        "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    }
)


def read(root: _Element) -> EInvoice:
    """Read a UBL ``Invoice`` or ``CreditNote`` root.

    Args:
        root: the parsed UBL root element.

    Returns:
        The e-invoice content; unknown values are simply absent.
    """
    names = ROOTS[_xml.local(root)]
    fields: dict[str, FieldValue] = {}
    _read_header(root, names, fields)
    _read_supplier(_xml.find(root, "AccountingSupplierParty/Party"), fields)
    _xml.put(
        fields,
        "buyer_name",
        _party_name(_xml.find(root, "AccountingCustomerParty/Party")),
        "UBL buyer",
    )
    _read_payment(root, fields)
    currency = _xml.text(root, "DocumentCurrencyCode")
    tax_total = _tax_total(root, currency)
    _read_totals(root, tax_total, fields)
    type_code = _xml.text(root, names.type_code)
    total = fields.get("total_amount")
    doc_type = document_type(type_code, total.value if total else None)
    if _xml.local(root) == "CreditNote":
        doc_type = DocumentType.CREDIT_NOTE
    return EInvoice(
        syntax="ubl",
        document_type=doc_type,
        fields=fields,
        line_items=_line_items(root, names),
        tax_lines=_tax_lines(tax_total),
        adjustment=_adjustment(_xml.find(root, "LegalMonetaryTotal")),
    )


def _read_header(root: _Element, names: _Names, fields: dict[str, FieldValue]) -> None:
    """BT-1 number, BT-3 type, BT-2 issue date, BT-9 due date, BT-5 currency, BT-13 order."""
    _xml.put(fields, "invoice_number", _xml.text(root, "ID"), "UBL cbc:ID")
    _xml.put(
        fields, "document_type_code", _xml.text(root, names.type_code), f"UBL {names.type_code}"
    )
    _xml.put(fields, "invoice_date", _xml.parse_date(_xml.text(root, "IssueDate")), "UBL IssueDate")
    _xml.put(fields, "due_date", _xml.parse_date(_xml.text(root, "DueDate")), "UBL DueDate")
    _xml.put(
        fields, "currency", _xml.text(root, "DocumentCurrencyCode"), "UBL DocumentCurrencyCode"
    )
    _xml.put(fields, "po_number", _xml.text(root, "OrderReference/ID"), "UBL OrderReference/ID")


def _read_supplier(party: _Element | None, fields: dict[str, FieldValue]) -> None:
    """Seller name (BT-27), VAT id (BT-31) or tax number (BT-32), postal address."""
    _xml.put(fields, "vendor_name", _party_name(party), "UBL AccountingSupplierParty")
    schemes = _xml.find_all(party, "PartyTaxScheme") if party is not None else []
    for scheme in schemes:
        is_vat = (_xml.text(scheme, "TaxScheme/ID") or "").upper() == "VAT"
        key = "vendor_vat_id" if is_vat else "vendor_tax_number"
        if key not in fields:
            _xml.put(fields, key, _xml.text(scheme, "CompanyID"), f"UBL PartyTaxScheme ({key})")
    _xml.put(
        fields, "vendor_address", _address(_xml.find(party, "PostalAddress")), "UBL PostalAddress"
    )


def _party_name(party: _Element | None) -> str | None:
    """Return the legal name, else the trading name of a ``cac:Party``."""
    legal = _xml.text(party, "PartyLegalEntity/RegistrationName")
    return legal or _xml.text(party, "PartyName/Name")


def _read_payment(root: _Element, fields: dict[str, FieldValue]) -> None:
    """First IBAN-shaped payee account (BT-84) with its BIC, due date fallback, terms."""
    for means in _xml.children(root, "PaymentMeans"):
        if "due_date" not in fields:
            due = _xml.parse_date(_xml.text(means, "PaymentDueDate"))
            _xml.put(fields, "due_date", due, "UBL PaymentMeans/PaymentDueDate")
        account = _xml.text(means, "PayeeFinancialAccount/ID")
        if "vendor_iban" not in fields and account and _IBAN_SHAPE.match(account.replace(" ", "")):
            _xml.put(fields, "vendor_iban", account, "UBL PayeeFinancialAccount/ID")
            bic = _xml.text(means, "PayeeFinancialAccount/FinancialInstitutionBranch/ID")
            _xml.put(fields, "vendor_bic", bic, "UBL FinancialInstitutionBranch/ID")
    _xml.put(fields, "payment_terms", _xml.text(root, "PaymentTerms/Note"), "UBL PaymentTerms/Note")


def _tax_total(root: _Element, currency: str | None) -> _Element | None:
    """Return the ``TaxTotal`` in the document currency (not the tax currency one)."""
    totals = list(_xml.children(root, "TaxTotal"))
    for total in totals:
        amount = _xml.find(total, "TaxAmount")
        if amount is not None and (not currency or amount.get("currencyID") in (None, currency)):
            return total
    return None


def _read_totals(root: _Element, tax_total: _Element | None, fields: dict[str, FieldValue]) -> None:
    """BT-109 net, BT-110 tax, BT-112 total, BT-115 amount due."""
    sums = _xml.find(root, "LegalMonetaryTotal")
    _xml.put(
        fields, "net_amount", _xml.decimal(sums, "TaxExclusiveAmount"), "UBL TaxExclusiveAmount"
    )
    _xml.put(fields, "tax_amount", _xml.decimal(tax_total, "TaxAmount"), "UBL TaxTotal/TaxAmount")
    _xml.put(
        fields, "total_amount", _xml.decimal(sums, "TaxInclusiveAmount"), "UBL TaxInclusiveAmount"
    )
    _xml.put(fields, "amount_due", _xml.decimal(sums, "PayableAmount"), "UBL PayableAmount")


def _adjustment(sums: _Element | None) -> Decimal | None:
    """Return document-level charges minus allowances (BT-108 - BT-107), if stated."""
    charges = _xml.decimal(sums, "ChargeTotalAmount")
    allowances = _xml.decimal(sums, "AllowanceTotalAmount")
    if charges is None and allowances is None:
        return None
    return (charges or Decimal(0)) - (allowances or Decimal(0))


def _line_items(root: _Element, names: _Names) -> tuple[LineItem, ...]:
    """Every top-level invoice/credit-note line (sub-lines are detail of their parent)."""
    return tuple(
        LineItem(
            description=_xml.text(line, "Item/Name"),
            quantity=_xml.decimal(line, names.quantity),
            unit_price=_xml.decimal(line, "Price/PriceAmount"),
            amount=_xml.decimal(line, "LineExtensionAmount"),
        )
        for line in _xml.children(root, names.line)
    )


def _tax_lines(tax_total: _Element | None) -> tuple[TaxLine, ...]:
    """The VAT breakdown (BG-23), one row per ``TaxSubtotal``."""
    if tax_total is None:
        return ()
    return tuple(
        TaxLine(
            rate=_xml.decimal(sub, "TaxCategory/Percent"),
            basis=_xml.decimal(sub, "TaxableAmount"),
            amount=_xml.decimal(sub, "TaxAmount"),
            category=_xml.text(sub, "TaxCategory/ID"),
        )
        for sub in _xml.children(tax_total, "TaxSubtotal")
    )


def _address(address: _Element | None) -> str | None:
    """Return ``street lines, postcode city, country`` from a ``cac:PostalAddress``."""
    if address is None:
        return None
    streets = [
        _xml.text(address, tag)
        for tag in ("StreetName", "AdditionalStreetName", "AddressLine/Line")
    ]
    town = " ".join(
        p for p in (_xml.text(address, "PostalZone"), _xml.text(address, "CityName")) if p
    )
    parts = [*streets, town, _xml.text(address, "Country/IdentificationCode")]
    return ", ".join(p for p in parts if p) or None
