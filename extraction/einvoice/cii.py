"""UN/CEFACT CII reader: Factur-X, ZUGFeRD 2.x, XRechnung CII and ZUGFeRD 1.0.

ZUGFeRD 1.0 (``CrossIndustryDocument``) predates CII D16B and names the same
business terms differently (``HeaderExchangedDocument``,
``ApplicableSupplyChainTradeSettlement``, ``ApplicablePercent``...). One
:class:`_Paths` table per generation keeps a single reading routine for both.
The mapping follows EN 16931 and the corpus README table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lxml.etree import _Element

from extraction.einvoice import _xml
from extraction.einvoice.model import EInvoice
from extraction.einvoice.model import document_type
from extraction.models import FieldValue
from extraction.models import LineItem
from extraction.models import TaxLine


@dataclass(frozen=True)
class _Paths:
    """Where one CII generation keeps each business term (local names, ``/``-separated)."""

    syntax: str
    header: str
    transaction: str
    agreement: str
    settlement: str
    summation: str
    tax_rate: str
    line_agreement: str
    line_delivery: str
    line_summation: str
    po_ids: tuple[str, ...]


_D16B = _Paths(
    syntax="cii",
    header="ExchangedDocument",
    transaction="SupplyChainTradeTransaction",
    agreement="ApplicableHeaderTradeAgreement",
    settlement="ApplicableHeaderTradeSettlement",
    summation="SpecifiedTradeSettlementHeaderMonetarySummation",
    tax_rate="RateApplicablePercent",
    line_agreement="SpecifiedLineTradeAgreement",
    line_delivery="SpecifiedLineTradeDelivery",
    line_summation="SpecifiedLineTradeSettlement/SpecifiedTradeSettlementLineMonetarySummation",
    po_ids=("IssuerAssignedID",),
)

_ZUGFERD1 = _Paths(
    syntax="zugferd1",
    header="HeaderExchangedDocument",
    transaction="SpecifiedSupplyChainTradeTransaction",
    agreement="ApplicableSupplyChainTradeAgreement",
    settlement="ApplicableSupplyChainTradeSettlement",
    summation="SpecifiedTradeSettlementMonetarySummation",
    tax_rate="ApplicablePercent",
    line_agreement="SpecifiedSupplyChainTradeAgreement",
    line_delivery="SpecifiedSupplyChainTradeDelivery",
    line_summation="SpecifiedSupplyChainTradeSettlement/SpecifiedTradeSettlementMonetarySummation",
    # 1.0 wrote the order number as ID; some generators already used the 2.x name.
    po_ids=("ID", "IssuerAssignedID"),
)

_EMPTY_LINE = LineItem()
_LINE_TOTAL = "SpecifiedTradeSettlementLineMonetarySummation/LineTotalAmount"

#: Root element local name -> path table.
ROOTS: dict[str, _Paths] = {"CrossIndustryInvoice": _D16B, "CrossIndustryDocument": _ZUGFERD1}


def read(root: _Element) -> EInvoice:
    """Read a CII invoice whose root's local name is a key of :data:`ROOTS`.

    Args:
        root: the parsed ``CrossIndustryInvoice`` or ``CrossIndustryDocument``.

    Returns:
        The e-invoice content; unknown values are simply absent.
    """
    paths = ROOTS[_xml.local(root)]
    header = _xml.find(root, paths.header)
    transaction = _xml.find(root, paths.transaction)
    agreement = _xml.find(transaction, paths.agreement)
    settlement = _xml.find(transaction, paths.settlement)
    fields: dict[str, FieldValue] = {}
    _read_header(header, fields)
    _read_parties(agreement, paths, fields)
    _read_settlement(settlement, paths, fields)
    type_code = _xml.text(header, "TypeCode")
    total = fields.get("total_amount")
    doc_type = document_type(type_code, total.value if total else None)
    return EInvoice(
        syntax=paths.syntax,
        document_type=doc_type,
        fields=fields,
        line_items=_line_items(transaction, paths),
        tax_lines=_tax_lines(settlement, paths),
        adjustment=_adjustment(_xml.find(settlement, paths.summation), transaction),
    )


def _read_header(header: _Element | None, fields: dict[str, FieldValue]) -> None:
    """BT-1 invoice number, BT-3 type code, BT-2 issue date."""
    _xml.put(fields, "invoice_number", _xml.text(header, "ID"), "CII ExchangedDocument/ID")
    _xml.put(fields, "document_type_code", _xml.text(header, "TypeCode"), "CII TypeCode")
    issued = _date(_xml.find(header, "IssueDateTime/DateTimeString"))
    _xml.put(fields, "invoice_date", issued, "CII IssueDateTime")


def _read_parties(agreement: _Element | None, paths: _Paths, fields: dict[str, FieldValue]) -> None:
    """Seller (BG-4), buyer name (BT-44) and purchase order reference (BT-13)."""
    seller = _xml.find(agreement, "SellerTradeParty")
    _xml.put(fields, "vendor_name", _xml.text(seller, "Name"), "CII SellerTradeParty/Name")
    _xml.put(
        fields,
        "vendor_address",
        _address(_xml.find(seller, "PostalTradeAddress")),
        "CII seller address",
    )
    _read_tax_ids(seller, fields)
    buyer = _xml.find(agreement, "BuyerTradeParty")
    _xml.put(fields, "buyer_name", _xml.text(buyer, "Name"), "CII BuyerTradeParty/Name")
    order = _xml.find(agreement, "BuyerOrderReferencedDocument")
    for tag in paths.po_ids:
        _xml.put(
            fields, "po_number", _xml.text(order, tag), f"CII BuyerOrderReferencedDocument/{tag}"
        )
        if "po_number" in fields:
            break


def _read_tax_ids(seller: _Element | None, fields: dict[str, FieldValue]) -> None:
    """VAT id (scheme VA, BT-31) and tax number (scheme FC, BT-32)."""
    keys = {"VA": "vendor_vat_id", "FC": "vendor_tax_number"}
    for registration in (
        _xml.find_all(seller, "SpecifiedTaxRegistration") if seller is not None else []
    ):
        id_el = _xml.find(registration, "ID")
        key = keys.get((id_el.get("schemeID") or "").strip().upper()) if id_el is not None else None
        if key and key not in fields:
            _xml.put(
                fields, key, _xml.text(id_el), f"CII SpecifiedTaxRegistration/ID schemeID={key}"
            )


def _read_settlement(
    settlement: _Element | None, paths: _Paths, fields: dict[str, FieldValue]
) -> None:
    """Currency, payment means, terms and the monetary summation."""
    currency = _xml.text(settlement, "InvoiceCurrencyCode")
    _xml.put(fields, "currency", currency, "CII InvoiceCurrencyCode")
    _read_payment(settlement, fields)
    _read_totals(_xml.find(settlement, paths.summation), currency, fields)


def _read_payment(settlement: _Element | None, fields: dict[str, FieldValue]) -> None:
    """First IBAN (BT-84) with its BIC (BT-86), first due date (BT-9) and terms text (BT-20)."""
    means = (
        _xml.find_all(settlement, "SpecifiedTradeSettlementPaymentMeans")
        if settlement is not None
        else []
    )
    for mean in means:
        iban = _xml.text(mean, "PayeePartyCreditorFinancialAccount/IBANID")
        if iban:
            _xml.put(fields, "vendor_iban", iban, "CII PayeePartyCreditorFinancialAccount/IBANID")
            bic = _xml.text(mean, "PayeeSpecifiedCreditorFinancialInstitution/BICID")
            _xml.put(
                fields, "vendor_bic", bic, "CII PayeeSpecifiedCreditorFinancialInstitution/BICID"
            )
            break
    terms = (
        _xml.find_all(settlement, "SpecifiedTradePaymentTerms") if settlement is not None else []
    )
    for term in terms:
        if "due_date" not in fields:
            due = _date(_xml.find(term, "DueDateDateTime/DateTimeString"))
            _xml.put(fields, "due_date", due, "CII SpecifiedTradePaymentTerms/DueDateDateTime")
        if "payment_terms" not in fields:
            _xml.put(fields, "payment_terms", _xml.text(term, "Description"), "CII payment terms")


def _read_totals(
    summation: _Element | None, currency: str | None, fields: dict[str, FieldValue]
) -> None:
    """BT-109 net, BT-110 tax (in the invoice currency), BT-112 total, BT-115 amount due."""
    _xml.put(
        fields,
        "net_amount",
        _xml.decimal(summation, "TaxBasisTotalAmount"),
        "CII TaxBasisTotalAmount",
    )
    _xml.put(fields, "tax_amount", _tax_total(summation, currency), "CII TaxTotalAmount")
    _xml.put(
        fields, "total_amount", _xml.decimal(summation, "GrandTotalAmount"), "CII GrandTotalAmount"
    )
    _xml.put(
        fields, "amount_due", _xml.decimal(summation, "DuePayableAmount"), "CII DuePayableAmount"
    )


def _tax_total(summation: _Element | None, currency: str | None) -> Decimal | None:
    """Return the TaxTotalAmount in the invoice currency; not BT-111 (accounting)."""
    if summation is None:
        return None
    amounts = list(_xml.children(summation, "TaxTotalAmount"))
    for amount in amounts:
        if currency and amount.get("currencyID") == currency:
            return _xml.decimal(amount)
    # Without currencyID (MINIMUM-style files) the single amount is in the invoice currency.
    unlabelled = [a for a in amounts if not a.get("currencyID")]
    return _xml.decimal(unlabelled[0]) if unlabelled else None


def _adjustment(summation: _Element | None, transaction: _Element | None) -> Decimal | None:
    """Return what the document says lies between its lines' sum and its net amount.

    That is charges minus allowances (BT-108 - BT-107), minus the amounts of
    EXTENDED sub-lines (``ParentLineID``), which detail a parent line already
    counted. None when the document states neither.
    """
    charges = _xml.decimal(summation, "ChargeTotalAmount")
    allowances = _xml.decimal(summation, "AllowanceTotalAmount")
    detail = _sub_line_total(transaction)
    if charges is None and allowances is None and detail is None:
        return None
    return (charges or Decimal(0)) - (allowances or Decimal(0)) - (detail or Decimal(0))


def _sub_line_total(transaction: _Element | None) -> Decimal | None:
    """Return the summed amounts of lines that name a parent line, or None if there are none."""
    if transaction is None:
        return None
    lines = _xml.children(transaction, "IncludedSupplyChainTradeLineItem")
    subs = [
        line for line in lines if _xml.text(line, "AssociatedDocumentLineDocument/ParentLineID")
    ]
    if not subs:
        return None
    amounts = (
        _xml.decimal(_xml.find(line, "SpecifiedLineTradeSettlement"), _LINE_TOTAL) for line in subs
    )
    return sum((a for a in amounts if a is not None), Decimal(0))


def _line_items(transaction: _Element | None, paths: _Paths) -> tuple[LineItem, ...]:
    """Every ``IncludedSupplyChainTradeLineItem``: name, billed quantity, net price, line total."""
    if transaction is None:
        return ()
    items = (
        LineItem(
            description=_xml.text(line, "SpecifiedTradeProduct/Name"),
            quantity=_xml.decimal(line, f"{paths.line_delivery}/BilledQuantity"),
            unit_price=_xml.decimal(
                line, f"{paths.line_agreement}/NetPriceProductTradePrice/ChargeAmount"
            ),
            amount=_xml.decimal(line, f"{paths.line_summation}/LineTotalAmount"),
        )
        for line in _xml.children(transaction, "IncludedSupplyChainTradeLineItem")
    )
    # ZUGFeRD 1.0 allows note-only lines (free text, no product): nothing was sold there.
    return tuple(item for item in items if item != _EMPTY_LINE)


def _tax_lines(settlement: _Element | None, paths: _Paths) -> tuple[TaxLine, ...]:
    """The VAT breakdown (BG-23), one row per ``ApplicableTradeTax``."""
    if settlement is None:
        return ()
    return tuple(
        TaxLine(
            rate=_xml.decimal(tax, paths.tax_rate),
            basis=_xml.decimal(tax, "BasisAmount"),
            amount=_xml.decimal(tax, "CalculatedAmount"),
            category=_xml.text(tax, "CategoryCode"),
        )
        for tax in _xml.children(settlement, "ApplicableTradeTax")
    )


def _date(el: _Element | None) -> date | None:
    """Return the date of a ``DateTimeString`` (format 102 or unstated), else None."""
    if el is None:
        return None
    return _xml.parse_date(_xml.text(el), el.get("format"))


def _address(address: _Element | None) -> str | None:
    """Return ``street lines, postcode city, country`` from a PostalTradeAddress."""
    if address is None:
        return None
    streets = [_xml.text(address, tag) for tag in ("LineOne", "LineTwo", "LineThree")]
    town = " ".join(
        p for p in (_xml.text(address, "PostcodeCode"), _xml.text(address, "CityName")) if p
    )
    parts = [*streets, town, _xml.text(address, "CountryID")]
    return ", ".join(p for p in parts if p) or None
