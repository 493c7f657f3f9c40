"""Table-style tests for the pure parsers: amounts, dates, identifiers, labels."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from extraction.fields import amounts
from extraction.fields import dates
from extraction.fields import ids
from extraction.fields import labels


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,56", Decimal("1234.56")),
        ("1,234.56", Decimal("1234.56")),
        ("1'234.56", Decimal("1234.56")),
        ("€ 4.053,67", Decimal("4053.67")),
        ("RM 12.50", Decimal("12.50")),
        ("RM12.50", Decimal("12.50")),
        ("€ -9,32", Decimal("-9.32")),
        ("(12.00)", Decimal("-12.00")),
        ("9,9000", Decimal("9.9000")),
        ("Rs 1939", Decimal("1939")),
    ],
)
def test_amounts_either_separator(text: str, expected: Decimal) -> None:
    found = amounts.amounts_in(text)
    assert found[0].value == expected


def test_spaced_thousands_only_where_asked() -> None:
    assert amounts.amounts_in("1 234,56 €", spaced_thousands=True)[0].value == Decimal("1234.56")
    assert [a.value for a in amounts.money_in("20 198,00")] == [Decimal("198.00")]


@pytest.mark.parametrize(
    "text",
    ["20,0%", "13/11/2017", "Tax: 0.2%", "PO445", "RM6. 60"],  # "6. 60": OCR broke 6.60
)
def test_not_money(text: str) -> None:
    assert amounts.money_in(text) == []


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("€", "EUR"),
        ("EUR", "EUR"),
        ("RM", "MYR"),
        ("Rs", "INR"),
        ("₹", "INR"),
        ("£", "GBP"),
        ("$", "USD"),
    ],
)
def test_currency_markers(token: str, code: str) -> None:
    found = amounts.currency_code(token)
    assert found is not None
    assert found[0] == code


@pytest.mark.parametrize(
    ("text", "expected", "ambiguous"),
    [
        ("19 april 2014", date(2014, 4, 19), False),
        ("Jan 1, 2022", date(2022, 1, 1), False),
        ("02 Juillet 2015", date(2015, 7, 2), False),
        ("5. März 2018", date(2018, 3, 5), False),
        ("01-JAN-19", date(2019, 1, 1), False),
        ("2018-03-05", date(2018, 3, 5), False),
        ("13/11/2017", date(2017, 11, 13), False),
        ("05.03.2018", date(2018, 3, 5), True),
        ("25/12/2018 10:32", date(2018, 12, 25), False),
        ("Tarikh: 3 Ogos 2018", date(2018, 8, 3), False),
        # A month's name between slashes, as some tills print it.
        ("25/FEB/2017 07:43:54", date(2017, 2, 25), False),
    ],
)
def test_dates(text: str, expected: date, ambiguous: bool) -> None:
    found = dates.find_dates(text)
    assert (found[0].value, found[0].ambiguous) == (expected, ambiguous)


def test_month_first_only_when_asked() -> None:
    assert dates.find_dates("03/05/2018", day_first=False)[0].value == date(2018, 3, 5)
    assert dates.find_dates("03/05/2018")[0].value == date(2018, 5, 3)
    # Impossibility beats convention: there is no 13th month.
    assert dates.find_dates("05/13/2018")[0].value == date(2018, 5, 13)


@pytest.mark.parametrize("text", ["31/02/2018", "99.99.9999", "12.50"])
def test_impossible_dates_dropped(text: str) -> None:
    assert dates.find_dates(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("993548900", "993548900"),
        ("FA-2017-0010", "FA-2017-0010"),
        ("# invoice_number_1", "invoice_number_1"),
        ("13/11/2017", None),
        ("+33 4 72 07 08 55", None),
        ("12.50", None),
        ("Page", None),
        # OCR glued the "number" marker to the value; a prefix without its dot is the number's.
        ("Nr.471102 vom", "471102"),
        ("N°2024-118", "2024-118"),
        ("NR4711", "NR4711"),
        ("Nord-12", "Nord-12"),
    ],
)
def test_document_numbers(text: str, expected: str | None) -> None:
    assert ids.document_number(text) == expected


def test_vat_ids_with_checksums() -> None:
    (valid,) = ids.vat_ids("BTW NL810433941B01")
    (spaced,) = ids.vat_ids("N° TVA: FR 604 219 388 61")
    (invalid,) = ids.vat_ids("USt-IdNr.: DE123456789")
    assert (valid.value, valid.valid) == ("NL810433941B01", True)
    assert (spaced.value, spaced.valid) == ("FR60421938861", True)
    assert (invalid.value, invalid.valid) == ("DE123456789", False)


def test_iban_printed_in_groups() -> None:
    (found,) = ids.ibans("IBAN : FR76 10107 00245 00617052317 39 - BIC : BREDFRPP")
    assert found.value == "FR7610107002450061705231739"
    assert ids.ibans("IBAN FR76 1010 7002 4500 6170 5231 738") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("IBAN NLSOINGB0683251309", "NL50INGB0683251309"),  # check digits read as letters
        ("DE08 7009 O100 1234 5678 90", "DE08700901001234567890"),  # O for 0 in the bank code
        ("NL50 1NGB 0683 2513 09", "NL50INGB0683251309"),  # 1 for I where letters belong
        ("NLSO INGB 0683 2513 08", None),  # restored, but the checksum fails: a misread digit
        ("NLSO 1NGB O683 2S13 09", None),  # four look-alikes: a guess, not a reading
        ("IBAN : FR20 1242 1242 1242 1242 1242 124", None),  # nothing to restore
    ],
)
def test_ocr_look_alikes_in_an_iban_are_restored_by_its_checksum(
    text: str, expected: str | None
) -> None:
    assert [found.value for found in ids.ocr_ibans(text)] == ([expected] if expected else [])


def test_fold_strips_accents_and_degree() -> None:
    assert labels.fold("N° TVA  Fälligkeitsdatum") == "n tva falligkeitsdatum"


@pytest.mark.parametrize("lang", ["en", "fr", "de", "es", "it", "nl"])
def test_every_language_has_core_labels(lang: str) -> None:
    table = labels.data()
    for field in ("invoice_number", "invoice_date", "total_amount", "net_amount", "tax_amount"):
        assert table[field][lang]["strong"], f"{field} has no strong {lang} label"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Rechnung Datum Summe MwSt", "de"),
        ("Facture montant TTC", "fr"),
        ("Factuur totaal BTW", "nl"),
    ],
)
def test_language_of(text: str, lang: str) -> None:
    assert labels.language_of(text) == lang


def _plain_alternation(words: list[str]) -> re.Pattern[str]:
    # The straightforward form of a label pattern: the reference the trie must equal.
    body = "|".join(re.escape(w).replace("\\ ", r"\s?") for w in sorted(words, key=len)[::-1])
    return re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z])")


def test_label_trie_finds_what_a_plain_alternation_finds() -> None:
    every = [label for *_, lists in labels._label_lists() for label in lists]
    # Each label alone, glued to letters or digits on either side, without its spaces,
    # and inside a line; plus prefixes of labels (a trie node that is no label's end).
    texts = [
        variant
        for label in every
        for variant in (
            label,
            f"x{label}",
            f"{label}x",
            f"9{label}",
            f"{label}: 12,00",
            label.replace(" ", ""),
            f"total {label} due",
            label[: max(1, len(label) - 1)],
        )
    ]
    for name, words in (("any label", every), ("net amount, en", ["net", "net amount", "n."])):
        trie, plain = labels._alternation(words), _plain_alternation(words)
        for text in texts:
            got = [(m.start(), m.group(0)) for m in trie.finditer(text)]
            assert got == [(m.start(), m.group(0)) for m in plain.finditer(text)], (name, text)
