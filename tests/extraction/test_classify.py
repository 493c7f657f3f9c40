"""Document types from keywords in several languages, with reasons."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extraction import classify
from extraction.models import DocumentType
from extraction.models import FieldValue
from extraction.models import Method

TOTAL = {"total_amount": FieldValue(Decimal("10.00"), 0.9, Method.TEXT)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ACME GmbH\nRechnung Nr. 4711\nSumme 10,00", DocumentType.INVOICE),
        ("Facture FA-1\nTotal TTC 10,00", DocumentType.INVOICE),
        ("Factuur\nTotaal 10,00", DocumentType.INVOICE),
        ("Fattura n. 3\nTotale 10,00", DocumentType.INVOICE),
        ("Factura 7\nTotal 10,00", DocumentType.INVOICE),
        ("GUTSCHRIFT Nr. 5\nBetrag -10,00", DocumentType.CREDIT_NOTE),
        ("Avoir n° 12\nTotal TTC -10,00", DocumentType.CREDIT_NOTE),
        ("Credit Note CN-1\nTotal 10.00", DocumentType.CREDIT_NOTE),
        ("OFFICIAL RECEIPT\nTOTAL 10.00", DocumentType.RECEIPT),
        ("Zahlungserinnerung\nMahnung zur Rechnung 4711", DocumentType.REMINDER),
        ("Quotation Q-77\nQuote valid 30 days\nTotal 10.00", DocumentType.ORDER),
        ("Angebot 12\nGesamt 10,00", DocumentType.ORDER),
    ],
)
def test_types_by_keyword(text: str, expected: DocumentType) -> None:
    doc_type, reason = classify.classify(text, TOTAL)
    assert doc_type is expected
    assert reason


def test_avoir_in_running_text_is_not_a_credit_note() -> None:
    text = "Facture 1\n" + "\n" * 20 + "Vous pouvez avoir un escompte"
    assert classify.classify(text, TOTAL)[0] is DocumentType.INVOICE


def test_no_keywords_no_total_is_not_an_invoice() -> None:
    doc_type, reason = classify.classify("Terms and conditions of sale\nArticle 1", {})
    assert doc_type is DocumentType.NOT_INVOICE
    assert "no invoice keyword" in reason
