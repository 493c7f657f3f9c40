"""Invoices in the six languages, built as real text PDFs, read end to end.

Each case writes a small one-page PDF (Helvetica, WinAnsi) with a letterhead,
a label/value block, an addressee, one item row, a totals block and a footer
with the seller's VAT ID and IBAN, in the wording usual for that language. The
labels are not the corpus's: they prove the dictionaries reach unseen layouts.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from extraction.config import ExtractionConfig
from extraction.fields import labels
from extraction.models import Candidate
from extraction.models import DocumentType
from extraction.models import ExtractedDocument
from extraction.read import read_candidate
from tests.support.pdfs import Text
from tests.support.pdfs import pdf_bytes


@dataclass(frozen=True)
class Invoice:
    """The printed wording of one invoice and the values it states."""

    lang: str
    title: str
    vendor: str
    street: str
    buyer_heading: str
    buyer: str
    labels: tuple[str, str, str]  # number, date, due date
    values: tuple[str, str, str]
    columns: tuple[str, str, str, str]  # description, quantity, unit price, amount
    item: tuple[str, str, str, str]
    totals: tuple[tuple[str, str], tuple[str, str], tuple[str, str]]  # net, tax, total
    footer: tuple[str, str]  # VAT ID line, IBAN line
    expected: dict[str, object]


def layout(inv: Invoice) -> list[Text]:
    """Place an invoice's wording the way most letterheads do."""
    texts: list[Text] = [(50, 800, inv.vendor), (50, 786, inv.street), (380, 800, inv.title)]
    for row, (label, value) in enumerate(zip(inv.labels, inv.values, strict=True)):
        texts += [(380, 770 - 14 * row, label), (480, 770 - 14 * row, value)]
    texts += [(50, 690, inv.buyer_heading), (50, 676, inv.buyer), (50, 662, "12 Main Road")]
    for x, cell in zip((50, 300, 380, 480), inv.columns, strict=True):
        texts.append((x, 580, cell))
    for x, cell in zip((50, 300, 380, 480), inv.item, strict=True):
        texts.append((x, 562, cell))
    for row, (label, value) in enumerate(inv.totals):
        texts += [(330, 520 - 14 * row, label), (480, 520 - 14 * row, value)]
    texts += [(50, 80, inv.footer[0]), (50, 66, inv.footer[1])]
    return texts


def _expect(number: str, issued: date, due: date, vendor: str, buyer: str) -> dict[str, object]:
    return {
        "invoice_number": number,
        "invoice_date": issued,
        "due_date": due,
        "net_amount": Decimal("1250.00"),
        "tax_amount": Decimal("237.50"),
        "total_amount": Decimal("1487.50"),
        "currency": "EUR",
        "vendor_name": vendor,
        "buyer_name": buyer,
    }


CASES = [
    Invoice(
        "en",
        "INVOICE",
        "Harbour Tools Ltd",
        "4 Quay Street, Cork",
        "Bill To:",
        "Granite Works Limited",
        ("Invoice No.", "Invoice Date", "Due Date"),
        ("INV-20931", "March 14, 2024", "April 13, 2024"),
        ("Description", "Qty", "Unit Price", "Amount"),
        ("Consulting services", "10", "125.00", "1,250.00"),
        (("Subtotal", "1,250.00"), ("VAT 19%", "237.50"), ("Amount Due EUR", "1,487.50")),
        ("VAT No. BE0411905847", "IBAN DE89 3704 0044 0532 0130 00"),
        _expect(
            "INV-20931",
            date(2024, 3, 14),
            date(2024, 4, 13),
            "Harbour Tools Ltd",
            "Granite Works Limited",
        ),
    ),
    Invoice(
        "fr",
        "FACTURE",
        "Atelier Lumière SARL",
        "8 rue des Lilas, 69003 Lyon",
        "Facturé à :",
        "Boulangerie Martin SAS",
        ("N° de facture", "Date de facture", "Date d'échéance"),
        ("F-2024-0117", "05/02/2024", "06/03/2024"),
        ("Désignation", "Qté", "Prix unitaire", "Montant HT"),
        ("Luminaires", "10", "125,00 €", "1 250,00 €"),
        (("Total HT", "1 250,00 €"), ("TVA 19 %", "237,50 €"), ("Net à payer", "1 487,50 €")),
        ("N° TVA intracommunautaire : FR40303265045", "IBAN FR14 2004 1010 0505 0001 3M02 606"),
        _expect(
            "F-2024-0117",
            date(2024, 2, 5),
            date(2024, 3, 6),
            "Atelier Lumière SARL",
            "Boulangerie Martin SAS",
        ),
    ),
    Invoice(
        "de",
        "RECHNUNG",
        "Brenner Werkzeuge GmbH",
        "Hauptstraße 5, 80331 München",
        "Rechnungsempfänger:",
        "Schreinerei Vogt KG",
        ("Rechnungsnummer", "Rechnungsdatum", "Fälligkeitsdatum"),
        ("RE-4471", "12.03.2024", "11.04.2024"),
        ("Bezeichnung", "Menge", "Einzelpreis", "Gesamtpreis"),
        ("Schraubzwingen", "10", "125,00", "1.250,00"),
        (
            ("Nettobetrag", "1.250,00 EUR"),
            ("zzgl. 19 % MwSt.", "237,50 EUR"),
            ("Gesamtbetrag", "1.487,50 EUR"),
        ),
        ("USt-IdNr.: DE136695976", "IBAN: DE89 3704 0044 0532 0130 00"),
        _expect(
            "RE-4471",
            date(2024, 3, 12),
            date(2024, 4, 11),
            "Brenner Werkzeuge GmbH",
            "Schreinerei Vogt KG",
        ),
    ),
    Invoice(
        "es",
        "FACTURA",
        "Suministros Ibéricos S.L.",
        "Calle Mayor 10, 28013 Madrid",
        "Cliente:",
        "Talleres Gómez S.A.",
        ("Número de factura", "Fecha de factura", "Fecha de vencimiento"),
        ("A-2024/0093", "21/05/2024", "20/06/2024"),
        ("Descripción", "Cantidad", "Precio unitario", "Importe"),
        ("Tornillería", "10", "125,00", "1.250,00"),
        (
            ("Base imponible", "1.250,00 €"),
            ("IVA 19%", "237,50 €"),
            ("Total factura", "1.487,50 €"),
        ),
        ("NIF: ESB58378431", "IBAN: ES91 2100 0418 4502 0005 1332"),
        _expect(
            "A-2024/0093",
            date(2024, 5, 21),
            date(2024, 6, 20),
            "Suministros Ibéricos S.L.",
            "Talleres Gómez S.A.",
        ),
    ),
    Invoice(
        "it",
        "FATTURA",
        "Ferramenta Rossi S.r.l.",
        "Via Roma 22, 20121 Milano",
        "Cessionario/committente:",
        "Officine Bianchi S.p.A.",
        ("Numero fattura", "Data fattura", "Data scadenza"),
        ("2024/318", "03/07/2024", "02/08/2024"),
        ("Descrizione", "Quantità", "Prezzo unitario", "Importo"),
        ("Chiavi inglesi", "10", "125,00", "1.250,00"),
        (("Imponibile", "1.250,00"), ("IVA 19%", "237,50"), ("Totale documento EUR", "1.487,50")),
        ("Partita IVA: IT00743110157", "IBAN: IT60 X054 2811 1010 0000 0123 456"),
        _expect(
            "2024/318",
            date(2024, 7, 3),
            date(2024, 8, 2),
            "Ferramenta Rossi S.r.l.",
            "Officine Bianchi S.p.A.",
        ),
    ),
    Invoice(
        "nl",
        "FACTUUR",
        "Van Dijk Installatie B.V.",
        "Kerkstraat 3, 3511 AB Utrecht",
        "Factuuradres:",
        "Bakkerij De Vries V.O.F.",
        ("Factuurnummer", "Factuurdatum", "Vervaldatum"),
        ("2024-0577", "09-10-2024", "08-11-2024"),
        ("Omschrijving", "Aantal", "Prijs", "Bedrag"),
        ("Installatiewerk", "10", "€ 125,00", "€ 1.250,00"),
        (
            ("Totaal excl. BTW", "€ 1.250,00"),
            ("BTW 19%", "€ 237,50"),
            ("Totaal incl. BTW", "€ 1.487,50"),
        ),
        ("BTW-nummer: NL004495445B01", "IBAN: NL91 ABNA 0417 1643 00"),
        _expect(
            "2024-0577",
            date(2024, 10, 9),
            date(2024, 11, 8),
            "Van Dijk Installatie B.V.",
            "Bakkerij De Vries V.O.F.",
        ),
    ),
]


#: The same invoices with other common wordings of the same labels.
_VARIANTS = {
    "en": (
        ("Invoice #", "Date Issued", "Payment Due"),
        ("Sub-total", "Sales Tax", "Balance Due (EUR)"),
    ),
    "fr": (
        ("Facture N°", "Date d'émission", "Échéance"),
        ("Montant HT", "Montant TVA", "Total TTC"),
    ),
    "de": (
        ("Rechnungs-Nr.", "Datum", "Zahlbar bis"),
        ("Zwischensumme", "MwSt.-Betrag", "Rechnungsbetrag"),
    ),
    "es": (
        ("Nº Factura", "Fecha emisión", "Vencimiento"),
        ("Subtotal", "Cuota IVA", "Total (IVA incluido)"),
    ),
    "it": (
        ("N. documento", "Data documento", "Scadenza pagamento"),
        ("Totale imponibile", "Totale IVA", "Totale a pagare EUR"),
    ),
    "nl": (("Factuur nr.", "Datum", "Te betalen vóór"), ("Subtotaal", "BTW-bedrag", "Te betalen")),
}


def _variant(inv: Invoice) -> Invoice:
    heads, sums = _VARIANTS[inv.lang]
    totals = tuple((label, value) for label, (_, value) in zip(sums, inv.totals, strict=True))
    return replace(inv, labels=heads, totals=totals)  # type: ignore[arg-type]


VARIANTS = [_variant(c) for c in CASES]


def read(texts: list[Text]) -> ExtractedDocument:
    candidate = Candidate("1", pdf_bytes(texts), "invoice.pdf", "application/pdf")
    return read_candidate(candidate, ExtractionConfig(ignore_xml=True))


@pytest.mark.parametrize(
    "inv", CASES + VARIANTS, ids=[c.lang for c in CASES] + [f"{c.lang}-variant" for c in VARIANTS]
)
def test_fields_in_every_language(inv: Invoice) -> None:
    doc = read(layout(inv))
    got = {key: doc.fields[key].value for key in inv.expected if key in doc.fields}
    assert got == inv.expected
    assert labels.language_of(doc.text) == inv.lang
    assert doc.document_type is DocumentType.INVOICE


@pytest.mark.parametrize("inv", CASES, ids=[c.lang for c in CASES])
def test_arithmetic_makes_the_amounts_sure(inv: Invoice) -> None:
    doc = read(layout(inv))
    for key in ("net_amount", "tax_amount", "total_amount"):
        assert doc.fields[key].confidence >= 0.95
    assert [item.amount for item in doc.line_items] == [Decimal("1250.00")]
