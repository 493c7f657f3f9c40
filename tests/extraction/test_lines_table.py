"""Line items from tables: header columns in several languages, rows aligned by x."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from extraction.fields import context
from extraction.fields import lines
from extraction.models import Method
from extraction.text import Page
from extraction.text import Word
from extraction.text import pdf

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

Row = tuple[float, list[tuple[float, str]]]


def page(rows: list[Row]) -> Page:
    """Return a page with one box per word (10 pt high, 5 pt per character)."""
    words: list[Word] = []
    for top, cells in rows:
        for x0, text in cells:
            x = x0
            for token in text.split(" "):
                words.append(Word(token, x, top, x + 5 * len(token), top + 10))
                x += 5 * len(token) + 3
    return Page(1, 595.0, 842.0, tuple(words), Method.TEXT)


def items(rows: list[Row]) -> list[tuple[str | None, str | None, str | None, str | None]]:
    found = lines.line_items(context.build([page(rows)]))
    return [(i.description, text(i.quantity), text(i.unit_price), text(i.amount)) for i in found]


def text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


FRENCH: list[Row] = [
    (338, [(419, "Prix")]),
    (343, [(155, "Description"), (345, "Quantité"), (466, "Rem."), (514, "Prix HT")]),
    (349, [(411, "unitaire")]),
    (
        366,
        [(35, "Nougat 250g"), (358, "20 Unit(s)"), (432, "4,55 €"), (477, "10%"), (532, "81,90 €")],
    ),
    (384, [(35, "Biscuits 300g"), (358, "15 Unit(s)"), (432, "3,20 €"), (532, "48,00 €")]),
    (423, [(89, "Taxe"), (189, "Base"), (455, "Total HT"), (523, "129,90 €")]),
    (436, [(34, "TVA 20,0%"), (206, "81,90 €"), (279, "16,38 €")]),
]

GERMAN_WITH_DISCOUNT: list[Row] = [
    (
        294,
        [
            (45, "Pos"),
            (180, "Artikelbeschreibung"),
            (293, "Menge"),
            (409, "Preis"),
            (521, "Entgelt"),
        ],
    ),
    (339, [(51, "1"), (180, "Kunstrasen grün"), (293, "3,00"), (409, "4,00"), (521, "12,00")]),
    (349, [(180, "300 cm x 100 cm")]),
    (386, [(353, "abzgl."), (401, "16,7% Rabatt"), (524, "-2,00")]),
    (405, [(51, "2"), (180, "Schweinesteak"), (293, "5,000"), (409, "5,50"), (522, "27,50")]),
    (500, [(61, "Rechnungssumme Netto"), (512, "37,50")]),
]

ENGLISH_NO_AMOUNT_HEADER: list[Row] = [
    (366, [(509, "Price w/o")]),
    (372, [(155, "Description"), (345, "Quantity"), (406, "Unit Price"), (467, "Disc.")]),
    (378, [(522, "Tax")]),
    (
        394,
        [(35, "Nougat 250g"), (363, "8 Unit(s)"), (432, "4.55 €"), (477, "10%"), (532, "32.76 €")],
    ),
    (431, [(35, "Olive oil"), (353, "100 Liter(s)"), (428, "19.80 €"), (520, "1,980.00 €")]),
    (451, [(91, "Tax"), (454, "Net total"), (515, "2,012.76 €")]),
]

VAT_TABLE_ONLY: list[Row] = [
    (535, [(60, "VAT"), (141, "Net amount"), (211, "VAT amount")]),
    (550, [(60, "7%"), (141, "160.00 €"), (211, "11.20 €")]),
]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            FRENCH,
            [
                ("Nougat 250g", "20", "4.55", "81.90"),
                ("Biscuits 300g", "15", "3.20", "48.00"),
            ],
        ),
        (
            GERMAN_WITH_DISCOUNT,
            [
                ("Kunstrasen grün", "3.00", "4.00", "10.00"),
                ("Schweinesteak", "5.000", "5.50", "27.50"),
            ],
        ),
        (
            ENGLISH_NO_AMOUNT_HEADER,
            [
                ("Nougat 250g", "8", "4.55", "32.76"),
                ("Olive oil", "100", "19.80", "1980.00"),
            ],
        ),
        (VAT_TABLE_ONLY, []),
    ],
)
def test_rows_under_the_header(rows: list[Row], expected: list[tuple[str, str, str, str]]) -> None:
    assert items(rows) == expected


def test_items_sum_to_the_net_on_a_real_two_page_invoice() -> None:
    path = CORPUS / "facturx-pdf-visible/ferd233__EN16931_Einfach.pdf"
    found = lines.line_items(context.build(pdf.read_pages(path.read_bytes(), max_pages=5)))
    assert [i.amount for i in found] == [Decimal("198.00"), Decimal("275.00")]
    assert [i.description for i in found] == ["Trennblätter A4", "Joghurt Banane"]


def test_sideways_margin_text_is_dropped() -> None:
    # This sample prints "Beispiel ... Warenrechnung" rotated along the left margin.
    path = CORPUS / "facturx-pdf-visible/ferd10__ZUGFeRD_1p0_EXTENDED_Warenrechnung.pdf"
    words = pdf.read_pages(path.read_bytes(), max_pages=1)[0].words
    assert not [w for w in words if w.x0 < 30]
    assert any(w.text == "Zitronensäure" for w in words)


@pytest.mark.parametrize(
    ("angle", "rotated"),
    [(0.0, False), (0.05, False), (1.5708, True), (4.712, True), (-1.0, False)],
)
def test_rotation_threshold(angle: float, rotated: bool) -> None:
    assert pdf._rotated(angle) is rotated


def test_a_ligature_stays_one_word() -> None:
    # "Thuiskopieheffing": PDFium gives each letter of the "ffi" glyph the glyph's box.
    glyph = ("f", 116.57, 277.66, 122.55, 283.01)
    assert not pdf._breaks(glyph, (277.66, 283.07), ("i", 116.57, 277.66, 122.55, 283.01))


def test_a_letter_after_an_apostrophe_stays_in_the_word() -> None:
    # "d'olive": the apostrophe's box is only its top; the word's height decides.
    apostrophe = ("'", 62.49, 402.36, 63.39, 404.64)
    assert not pdf._breaks(apostrophe, (402.36, 408.9), ("o", 64.1, 404.03, 68.47, 408.9))
    # A glyph on the next line still starts a new word.
    assert pdf._breaks(apostrophe, (402.36, 408.9), ("o", 64.1, 414.0, 68.47, 420.0))


def test_an_underscore_below_the_baseline_stays_in_the_word() -> None:
    # "invoice_number_1": the underscore's box hangs under the letters.
    underscore = ("_", 509.0, 70.0, 513.0, 71.0)
    assert not pdf._breaks(("e", 505.0, 61.0, 509.0, 68.0), (60.0, 68.0), underscore)
    assert not pdf._breaks(underscore, (60.0, 71.0), ("n", 513.0, 62.0, 517.0, 68.0))


def test_corpus_words_with_ligatures_and_apostrophes() -> None:
    path = (
        Path(__file__).resolve().parents[1] / "corpus/facturx-pdf/fnfe__Avoir_FR_type381_BASIC.pdf"
    )
    words = {w.text for p in pdf.read_pages(path.read_bytes(), max_pages=2) for w in p.words}
    assert {"l'olive", "d'olive"} <= words
