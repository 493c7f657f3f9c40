"""Receipt rules, table-style: OCR-like text lines in, total / date / shop name out."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from extraction.fields import context
from extraction.fields import heuristics
from extraction.fields import receipt_header
from extraction.fields import receipts
from extraction.models import FieldValue
from extraction.models import Method
from extraction.text import Page
from extraction.text import Word

CHAR_W = 6.0
LINE_H = 10.0


def page_of(lines: list[str], *, method: Method = Method.OCR, width: float = 220.0) -> Page:
    """Lay the lines out on a till roll (600 pt long); three spaces start a new column chunk."""
    words: list[Word] = []
    for row, line in enumerate(lines):
        top = 20 + row * 14.0
        x = 10.0
        for c, chunk in enumerate(line.split("   ")):
            x += 60.0 if c else 0.0
            for token in chunk.split():
                x1 = x + CHAR_W * len(token)
                words.append(Word(token, x, top, x1, top + LINE_H, 0.93))
                x = x1 + CHAR_W
    return Page(1, width, 600.0, tuple(words), method)


def fields_of(lines: list[str]) -> dict[str, FieldValue]:
    return receipts.receipt_fields(context.build([page_of(lines)]), {})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TOTAL   12.50", ["12.50"]),
        ("SUBTOTAL   RM53. 60", ["53.60"]),
        ("TOTAL (GST INCL)   13,78", ["13.78"]),
        ("Cash   1O.5O", ["10.50"]),
        ("Total   1,234.50", ["1234.50"]),
        ("Rounding   -0.02", ["-0.02"]),
        ("Date 20/03/2018 13:01", []),
        ("Qty 2   Item 9556296307411", []),
        ("GST @6%   29.69   1.78", ["29.69", "1.78"]),
        # A deduction printed with its minus sign after it.
        ("RND ADJ   0.02-", ["-0.02"]),
        # An amount glued to its label's colon.
        ("Total Sales (Excluding GST):51.42", ["51.42"]),
        ("Time 12:30", []),
        # "RM" misread with another letter after the R.
        ("ROUNDING   RHO.02", ["0.02"]),
        ("SUBTOTAL (QTY = 4)   RY41.45", ["41.45"]),
        # Cents without the zero before the point, as some tills print amounts below one.
        ("ROUNDING ADJUSTMENT RM   .01", ["0.01"]),
        ("CHANGE RM   .00", ["0.00"]),
        (".05   12.00", ["0.05", "12.00"]),
        # ... but after a number they are that number's cents, split off by OCR.
        ("TOTAL   1 .50", []),
    ],
)
def test_ocr_money(text: str, expected: list[str]) -> None:
    assert receipts.ocr_money(text) == [Decimal(e) for e in expected]


TOTAL_CASES = [
    # (lines, total, confidence at least 0.95?)
    (["Item A   4.00", "TOTAL   13.80", "CASH   20.00", "CHANGE   6.20"], "13.80", True),
    (["SUB-TOTAL :   13.00", "GST 6% :   0.78", "TOTAL   13.78"], "13.78", True),
    (["TOTAL QTY:   2", "Item   5.00", "TOTAL   5.00"], "5.00", False),
    (["Item   8.20", "Tota1   8.20", "CASH   10.00", "CHANGE   1.80"], "8.20", True),
    # Rounded: paid = cash - change = total + rounding; before or after rounding is a choice.
    (
        ["Total Amount (incl. GST)   31.47", "Rounding   -0.02", "CASH   50.00", "CHANGE   18.55"],
        "31.45",
        False,
    ),
    # The total line did not survive OCR: what was paid exactly is the best guess.
    (["Cheese Slice   12.60", "Grand Tota] ru   | 30", "Cash   RM51.30"], "51.30", False),
    (["JUMLAH   RM 27.00", "TUNAI   RM 50.00", "BAKI   RM 23.00"], "27.00", True),
    # The amount paid with its tax is the total; a loyalty line worded "total" is not.
    (
        [
            "AMT PAID INCL GST : RM111.90",
            "PAID BY : CC*7185:RM111.90",
            "TOTAL SV : 10.56   TOTAL GV : 10.55",
        ],
        "111.90",
        False,
    ),
    # A tax word inside the total's label does not make it a tax line; net is labelled as such.
    (
        [
            "Total (Excluding GST):   5.66",
            "GST payable (6%):   0.34",
            "Tota] (Inclusive of GST):   6.00",
        ],
        "6.00",
        True,
    ),
    # Rounded total paid to the cent: the payment closes total + rounding.
    (
        ["Tota] (Inclusive of GST):   31.02", "Rounding Adj:   -0.02", "CASH :   31.00"],
        "31.00",
        False,
    ),
    # The rounding and the change printed as cents alone: paid is the total after rounding.
    (
        [
            "TOTAL SALES (INCLUSIVE GST) RM   45.34",
            "ROUNDING ADJUSTMENT RM   .01",
            "ROUNDING RM   45.35",
            "CREDIT RM   45.35",
            "CHANGE RM   .00",
        ],
        "45.35",
        False,
    ),
    # "RM" misread as other letters in front of the amount.
    (["Item   3.00", "Tota l   [M3.00", "Paid   FM3.00"], "3.00", False),
    # The total line misread by one digit: subtotal + tax lands one digit away from it.
    (
        [
            "Total Sales (Excluding GST)   51.42",
            "Total GST   3.08",
            "Rounding   0.00",
            "Total Sales (Inclusive of GST)   64.50",
        ],
        "54.50",
        False,
    ),
    # The cash label garbled ("sash"): the amount above the change line is what was given,
    # and cash - change agrees with the subtotal rather than the misread total.
    (
        ["SubTotal   85.20", "TOTAL   65.20", "sash   100.20", "CHANGE   15.00"],
        "85.20",
        False,
    ),
    # A decimal point read as a space: "6 00" is 6.00 because the payment prints 6.00.
    (
        ["Subtotal   6 00", "Total incl. GST   6 00", "Payment   6.00", "Change Due   0.00"],
        "6.00",
        True,
    ),
    # Before and after cash rounding: the amount on the line the receipt words "Total".
    (
        ["Subtotal   62.55", "Total:   72.93", "RND ADJ   0.02", "TTL ATF RND   72.95"],
        "72.93",
        False,
    ),
    # The items' header names an "Amount" column: the first item below it is no total.
    (
        [
            "Description Qty Price Amount",
            "1 MAJESTA HSS   2   4.00",
            "NETTOTAL:   8.00",
            "Cash   8.00",
        ],
        "8.00",
        False,
    ),
    # A "rounding" of a whole ringgit is a misread line, not cash rounding.
    (
        ["Item   11.25", "Total   11.25", "Rounding Adjustment   1.00", "CASH   20.00"],
        "11.25",
        False,
    ),
    # A parking machine's "Accepted total" is the cash put in, not the total.
    (
        [
            "Pay parking ticket   5.00",
            "Amount Incl. GST   5.00",
            "Accepted total   10.00",
            "Change   5.00",
        ],
        "5.00",
        True,
    ),
    # The total line printed its own amount, broken by OCR ("25. 2"): the cash given on
    # the line below is not borrowed as the total.
    (
        ["2 TAU SAR PNEAH   25.00", "SubTotal   25.00", "Net Tota!   25. 2", "C   50.00"],
        "25.00",
        False,
    ),
    # A bracketed note about the tax included is not the total.
    (
        [
            "KAYA PUFF   4.40",
            "Slice Cake   20.75",
            "Pay   25.15",
            "Change   0.00",
            "(Total Included GST @ 4%:   1.42)",
        ],
        "25.15",
        False,
    ),
    # A garbled total label followed by "Inclusive GST" is the total, not the tax line.
    (
        [
            "otal Sales Inclusive GST :   26.82",
            "Rounding Adjustment:   -0.02",
            "Amount To Be Paid :   26.80",
            "Cash Received :   50.00",
            "Change :   23.20",
        ],
        "26.82",
        False,
    ),
    # A card payment ("Master") is what was paid: with the rounding it closes the total
    # whose printed amount OCR broke ("Total 4i 50").
    (
        [
            "Total with GST @ 6%   41.48",
            "Rounding   0.02",
            "Total   4i 50",
            "Master 5140 63650   41.50",
        ],
        "41.50",
        False,
    ),
    # The printed total misread ("112.46"): the tax summary gives the tax its own line lost
    # ("Total OST (RM) 637"), a tilde is the rounding's minus, and two sums agree on 112.45.
    (
        [
            "(Excluded GST) Sub Total (RM)   106.10",
            "Total OST (RM)   637",
            "Rounding (RM) :   ~0.02",
            "Total (RM) :   112.46",
            "CASH :   112.45",
            "Change (RM) :   0.00",
            "GST SUMMARY",
            "SR   6   106.10   6.37",
        ],
        "112.45",
        False,
    ),
]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("64.50", "54.50", True),
        ("85.20", "65.20", True),
        ("31.47", "31.45", False),  # a last-digit difference is what rounding makes
        ("12.00", "120.00", False),
        ("64.50", "64.50", False),
        ("53.55", "15.90", False),
    ],
)
def test_one_digit_apart(a: str, b: str, expected: bool) -> None:
    assert receipts.one_digit_apart(Decimal(a), Decimal(b)) is expected


def test_subtotal_plus_tax_alone_does_not_make_a_total() -> None:
    # Till subtotals often include the tax already: their sum needs something agreeing.
    lines = ["SUBTOTAL   RM96. 20", "GST 6%   RM5. 45", "YOUR CHANGE   RM3. 80"]
    assert fields_of(lines)["total_amount"].value == Decimal("96.20")


def test_total_printed_twice_is_as_sure_as_its_clearest_copy() -> None:
    lines = ["Item   6.00", "TOTAL (GST INCL)   6.00", "TOTAL:   6.00", "CASH   6.00"]
    page = page_of(lines)
    smudged = [w if w.text != "6.00" or w.top > 40 else replace(w, conf=0.0) for w in page.words]
    found = receipts.receipt_fields(context.build([replace(page, words=tuple(smudged))]), {})
    assert found["total_amount"].value == Decimal("6.00")
    assert found["total_amount"].confidence >= 0.7  # not crushed by the smudged copy


@pytest.mark.parametrize(("lines", "total", "sure"), TOTAL_CASES)
def test_receipt_total(lines: list[str], total: str, sure: bool) -> None:
    found = fields_of(lines)["total_amount"]
    assert found.value == Decimal(total)
    assert (found.confidence >= 0.95) is sure, found.reason


def test_uncorroborated_total_is_not_sure() -> None:
    found = fields_of(["Item   3.00", "TOTAL   9.90"])["total_amount"]
    assert found.value == Decimal("9.90")
    assert found.confidence < 0.95


DATE_CASES = [
    (["SHOP", "14 Mar 2018 18:40", "TOTAL   8.20"], date(2018, 3, 14)),
    (["SHOP", "Date : 2O/O3/2018 13:01", "TOTAL   8.20"], date(2018, 3, 20)),
    (
        ["SHOP", "Valid until 31/12/2019", "Date: 05/01/2018 10:02", "TOTAL   8.20"],
        date(2018, 1, 5),
    ),
    (["SHOP", "00440010036 25032018 13:11:54 0003", "TOTAL   8.20"], date(2018, 3, 25)),
    (["SHOP", "20180325 13:11", "TOTAL   8.20"], date(2018, 3, 25)),
    (["SHOP", "DATE/TIME   : 20180428/191204", "TOTAL   8.20"], date(2018, 4, 28)),
    # The time's "17" is minutes, not a month: the date stays day-first.
    (["SHOP", "Date   06/01/18   12.17.26 PM", "TOTAL   8.20"], date(2018, 1, 6)),
    # A bare "Date" also heads the order date: "Invoice Date" names the one wanted.
    (
        ["SHOP", "Order Date: Date: 05-10-2015", "Invoice Date: 20-10-2015", "TOTAL   8.20"],
        date(2015, 10, 20),
    ),
]


@pytest.mark.parametrize(("lines", "expected"), DATE_CASES)
def test_receipt_date(lines: list[str], expected: date) -> None:
    assert fields_of(lines)["invoice_date"].value == expected


VENDOR_CASES = [
    (
        ["KEDAI BUKU HARMONI", "SDN BHD", "GST No: 000123456789", "Lot 3, Jalan Utama"],
        "KEDAI BUKU HARMONI SDN BHD",
    ),
    (["TEKNIK JAYA SON BHD (123456-A)", "42, Jalan Besar", "81200 Johor"], "TEKNIK JAYA SDN BHD"),
    (["TAX INVOICE", "KEDAI RUNCIT AMAN", "No 5, Jalan Besar 81200"], "KEDAI RUNCIT AMAN"),
    (
        ["SRI MURNI VEGETARIAN", "RESTAURANT SDN BHD", "Tel: 03-1234 5678"],
        "SRI MURNI VEGETARIAN RESTAURANT SDN BHD",
    ),
    (["OWNED BY: PAKAR MAKAN SDN BHD", "Tel: 03-1234 5678"], "PAKAR MAKAN SDN BHD"),
    (["3180303", "GREEN LEAF TRADING", "Reg No: 1200194-W"], "GREEN LEAF TRADING"),
    # Wide letter spacing splits the name into chunks; all of them are the name.
    (["SWC   ENTERPRISE   SDN BHD", "Lot 3, Jalan Utama"], "SWC ENTERPRISE SDN BHD"),
    (["Taste Of   The World Sdn Bhd", "Tel: 03-1234 5678"], "Taste Of The World Sdn Bhd"),
    # The registration in brackets after the name is not part of it; OCR's "_" is a space.
    (["Dion Realties Sdn Bhd (Co. No:20154-T)", "Kenara Dion #02-03"], "Dion Realties Sdn Bhd"),
    (["3180301", "Farmasi Maluri S/B(587969-U)", "GST NO: 000342237184"], "Farmasi Maluri S/B"),
    (["IKANO HANDEL_SDN BHD", "Tel: 03-1234 5678"], "IKANO HANDEL SDN BHD"),
    # A brand line above the company, whose garbled registration number still ends it.
    (
        ["A PIE THING", "FOUR QUARTERS SUN BHD ( lu/SJ&9-P)", "No.128G JLN SS21/35"],
        "FOUR QUARTERS SDN BHD",
    ),
    (["BERRY\u2019S CAKE HOUSE", "Tel: 03-1234 5678"], "BERRY'S CAKE HOUSE"),
    # A legal form alone on the line below ends the name, whatever stands between.
    (["TSH POWER HARDWARE", ":", "TRADING", "002458685-T"], "TSH POWER HARDWARE TRADING"),
    (["AYAM PRIMA SDN BHD", "RESTAURANT", "Tel: 03-1234 5678"], "AYAM PRIMA SDN BHD"),
    # "S/B" is Sdn Bhd; the branch code after the company number goes with it.
    (
        ["KING?S CONFECTIONERY \u00a7/B 273500-U (KJ1)", "NO. 20-A1, JALAN SS 3"],
        "KING'S CONFECTIONERY S/B",
    ),
    # A bracket OCR read as a letter, on a line that continues the name above.
    (["POPULAR BOOK", "co. CM) SDN BHD", "(Co. No. 113825-W)"], "POPULAR BOOK co. (M) SDN BHD"),
    # "PLT" is a form of its own (a limited liability partnership), not a misread "PLC".
    (["MY HAPPY PHARMACY PLT", "(LLP0007299-LGN)", "Tel: 03-1234 5678"], "MY HAPPY PHARMACY PLT"),
    # One letter read as two in the form ("BILD" for BHD) still marks the company line,
    # which beats the customer's company further down.
    (
        ["GARDENIA BAKERIES TKL) SDN BILD (139386 X)", "TAX INVOICE", "MAKASSAR MARKET SON BHO"],
        "GARDENIA BAKERIES (KL) SDN BHD",
    ),
    (["HERO TRADERS SDIV BHD", "Tel: 03-1234 5678"], "HERO TRADERS SDN BHD"),
    # OCR's "$" for the S of a form; a registration with a lower-case letter ends the name.
    (["MYNEWS RETAIL $B(306295-x) FKA BISON STORES SB", "TAX REG ID"], "MYNEWS RETAIL SB"),
    # A title in another language is no shop name either.
    (["Kopie factuur", "Jansen Fietsen", "Tel: 030 123 4567"], "Jansen Fietsen"),
    # The company under a billing-address heading is the customer, not the shop.
    (["HALFORDS", "Factuuradres   Afleveradres", "Strategic Corp", "Fakestreet 46"], "HALFORDS"),
    # Two name lines above the company's registration number are one name ...
    (
        ["RESTAURANT JIAWEI", "JIAWEI HOUSE", "002693074-K", "13, JLN TASIK UTAMA 8"],
        "RESTAURANT JIAWEI JIAWEI HOUSE",
    ),
    (
        ["RESTAURANT JIAWEI", "JIAWEI HOUSE", "0026930 74-K", "57000 KL"],
        "RESTAURANT JIAWEI JIAWEI HOUSE",
    ),
    # ... but without it, the line below a name is its address.
    (["YAM FRESH", "Laman Rimbunan Kepong", "52100 Kuala Lumpur"], "YAM FRESH"),
    (["SUNFISH", "22 LRG PERUSAHAAN 4", "484297-M"], "SUNFISH"),
    # A trade word ends the shop's name; the company that runs it is on the line below.
    (
        ["KIKU JAPANESE RESTAURANT", "TK DIVISION KITCHEN SDN BHD", "1202152-P"],
        "TK DIVISION KITCHEN SDN BHD",
    ),
    # A bracket opened on one line and closed on the next carries the name on.
    (
        ["AIK HUAT HARDWARE", "ENTERPRISE (SETIA", "ALAM) SDN BHD", "822737-X"],
        "AIK HUAT HARDWARE ENTERPRISE (SETIA ALAM) SDN BHD",
    ),
    # A line starting with "&" continues the name above.
    (
        ["THE COFFEE BEAN", "& TEA LEAF (M) SDN. BHD.", "COMPANY NO.:441970-H"],
        "THE COFFEE BEAN & TEA LEAF (M) SDN. BHD.",
    ),
    # The title after the shop's address ends its header: the company below is the customer.
    (
        [
            "PERNIAGAAN ZHENG HUI",
            "NO.59 JALAN PERMAS 9/5",
            "81750 JOHOR BAHRU",
            "SIMPLIFIED TAX INVOICE",
            "GOGIANT ENGINEERING (M) SDN BHD",
        ],
        "PERNIAGAAN ZHENG HUI",
    ),
    # ... but a title above the address is no end: the company's line follows it.
    (["RAPIDKL", "TAX INVOICE", "RAPID RAIL SDN BHD", "47301 PETALING JAYA"], "RAPID RAIL SDN BHD"),
    # A name with a bracket of its own is whole: the stamp above it is no part of it.
    (["POSTED", "BEMED (SP) SDN. BHD.", "NO.49, JALAN DINAR G U3/G"], "BEMED (SP) SDN. BHD."),
    # A branch in brackets may name its estate; a bracket glued to a word gets its space.
    (
        ["TAN WOON YANN", "BOOK TA .K(TAMAN DAYA) SDN BND", "789417-W", "NO.53, JALAN SAGU 18"],
        "BOOK TA .K (TAMAN DAYA) SDN BHD",
    ),
    # A branch in brackets on the line below the company is part of its name (OCR read the
    # closing bracket as a brace); a registration there is not.
    (
        ["CHECKERS HYPERMARKET SDN BHD", "(JALAN KLANG LAMA}", "LOT 2942 & 2945, JLN SERI"],
        "CHECKERS HYPERMARKET SDN BHD (JALAN KLANG LAMA)",
    ),
    (
        ["LIAN HING STATIONERY SDN BHD", "(162761-M)", "NO.32 & 33, JALAN SR 1/9"],
        "LIAN HING STATIONERY SDN BHD",
    ),
    # Under a name without a legal form, a bracketed line may be the shop's address.
    (["KEDAI RUNCIT AH HUAT", "(TAMAN DAYA)", "NO.53, JALAN SAGU 18"], "KEDAI RUNCIT AH HUAT"),
    # A name and a trade are a name of their own: the line above is no part of it ...
    (
        ["TAN WOON YANN", "YONGFATT ENTERPRISE", "(JM0517726)", "JALAN DEDAP 13"],
        "YONGFATT ENTERPRISE",
    ),
    # ... while a name line ending in "&" goes on below.
    (
        ["HOME MASTER HARDWARE &", "ELECTRICAL", "NO.113G & 115G, JALAN SETIA", "40170 SETIA ALAM"],
        "HOME MASTER HARDWARE & ELECTRICAL",
    ),
    # An address whose last word a slip makes a form ("SATU": SASU) does not join the name.
    (
        ["PASAR MINI JIN SENG", "379,JALAN PERMAS SATU,", "BANOAR BARU PERMAS JAYA"],
        "PASAR MINI JIN SENG",
    ),
    # A bill's line is no name, whatever its tax code reads as ("ZRL": SRL).
    (["PASAR MINI JIN SENG", "BANOAR BARU PERMAS", "VEGETABLES   2.20 ZRL"], "PASAR MINI JIN SENG"),
    # The store's number before the company does not make its line a number's.
    (
        ["#000002 BAIFU (M) SDN BHD", "COMPANY NO(814198-X)", "DAISO JAPAN, IOI MALL"],
        "BAIFU (M) SDN BHD",
    ),
    # A trade in the name that OCR misspelt by one letter is spelled right.
    (
        ["ENW Hardwae Centre (M) Sdn. Bhd.", "Co. Reg No.: 795225-A"],
        "ENW Hardware Centre (M) Sdn. Bhd.",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Farmasi Maluri S/B(587969-U)", "Farmasi Maluri S/B"),
        ("Machine [002]", "Machine [002]"),  # a short number is not a registration
        ("AEON CO. (M) BHD", "AEON CO. (M) BHD"),
        ("CHECKERS SDN BHD (JALAN KLANG LAMA)", "CHECKERS SDN BHD (JALAN KLANG LAMA)"),
        ("KING?S CONFECTIONERY S/B 273500-U (KSB)", "KING'S CONFECTIONERY S/B"),
        ("WHAT? NOT HERE", "WHAT? NOT HERE"),  # a question mark after a word stays
        ("GARDENIA BAKERIES TKL) SDN BHD", "GARDENIA BAKERIES (KL) SDN BHD"),
        # The registration inside the line ends the name; what follows is a former name.
        ("MYNEWS RETAIL SB(306295-X) FKA BISON STORES SB", "MYNEWS RETAIL SB"),
        # A store's number with leading zeros is none of the name; a name's own number is.
        ("#000002 BAIFU (M) SDN BHD", "BAIFU (M) SDN BHD"),
        ("7 ELEVEN MALAYSIA SDN BHD", "7 ELEVEN MALAYSIA SDN BHD"),
    ],
)
def test_bare_name(text: str, expected: str) -> None:
    assert receipt_header.bare_name(text) == expected


@pytest.mark.parametrize(("lines", "expected"), VENDOR_CASES)
def test_receipt_vendor(lines: list[str], expected: str) -> None:
    found = fields_of([*lines, "Item   1.00", "TOTAL   1.00"])["vendor_name"]
    assert found.value == expected
    assert found.confidence < 0.95  # a name has no checksum


def test_specks_above_the_print_do_not_use_up_the_header() -> None:
    # Four specks over the header: the company line is the ninth line of print, the
    # thirteenth of the page, and still the shop's name.
    specks = ["|", "|", "I", "A"]
    header = [
        "OASIS VILLAGE",
        "47301, PETALING JAYA",
        *[f"Tel: 03-1234 567{n}" for n in range(6)],
        "MYNEWS RETAIL $B(306295-x) FKA BISON STORES SB",
    ]
    found = fields_of([*specks, *header, "Item   1.00", "TOTAL   1.00"])["vendor_name"]
    assert found.value == "MYNEWS RETAIL SB"
    # Ten lines of print above it end the header before it.
    crowded = [*header[:-1], "Tel: 03-1234 5677", "Tel: 03-1234 5678", *header[-1:], "TOTAL   1.00"]
    assert fields_of(crowded)["vendor_name"].value == "OASIS VILLAGE"


def test_the_header_is_the_top_of_the_print_wherever_the_photo_shows_it() -> None:
    # The print starts 45 % down the photo; its first line is still the header's.
    lines = ["RESTAURANT SIN DU", "K3-113,JL IBRAHIM SULTAN", "80300 JOHOR BAHRU"]
    page = page_of([*lines, "Item   1.00", "TOTAL   1.00", "CASH   1.00"])
    low = tuple(replace(w, top=w.top + 270, bottom=w.bottom + 270) for w in page.words)
    found = receipts.receipt_fields(context.build([replace(page, words=low)]), {})
    assert found["vendor_name"].value == "RESTAURANT SIN DU"


def test_a_name_going_on_past_its_trade_is_not_cut_there() -> None:
    # The general rules would end the name at "HARDWARE"; the receipt's two lines are one.
    lines = ["HOME MASTER HARDWARE &", "ELECTRICAL", "NO.113G, JALAN SETIA", "40170 SETIA ALAM"]
    page = page_of([*lines, "Item   1.00", "TOTAL   1.00", "CASH   1.00"])
    found = heuristics.extract([page]).fields["vendor_name"]
    assert found.value == "HOME MASTER HARDWARE & ELECTRICAL"


def test_a_company_named_as_owner_beats_the_brand_on_top() -> None:
    # The books want the legal seller; the header prints the brand.
    lines = ["DOMINO'S PIZZA", "GST REF NO : 001694261248", "DOMINO'S PIZZA SEGAMBUT"]
    footer = ["Thank you for visiting Domino's.", "Owned by", "Dommal Food Services Sdn Bhd"]
    found = fields_of([*lines, "TOTAL   1.00", "CASH   1.00", *footer])["vendor_name"]
    assert found.value == "Dommal Food Services Sdn Bhd"
    assert "owned by" in found.reason


def test_a_company_owned_by_in_malay_beats_the_brand_on_top() -> None:
    lines = ["AMPHAWA THAI TEA & CO.", "DIMILIKI OLEH T PLUS F&B SDN. BHD.", "(1219716-T)"]
    found = fields_of([*lines, "PARADIGM MALL", "TOTAL   1.00", "CASH   1.00"])["vendor_name"]
    assert found.value == "T PLUS F&B SDN. BHD."


@pytest.mark.parametrize(
    "footer",
    [
        ["Owned by", "the Aman family"],  # no legal form: not a company
        ["Paid by transfer from MAYBANK BERHAD"],  # inside a sentence: not a seller's label
    ],
)
def test_a_named_seller_needs_a_label_and_a_company(footer: list[str]) -> None:
    lines = ["KEDAI RUNCIT AMAN", "No 5, Jalan Besar 81200", *["Item   1.00"] * 12]
    bill = ["TOTAL   12.00", "CASH   12.00"]
    assert fields_of([*lines, *bill, *footer])["vendor_name"].value == "KEDAI RUNCIT AMAN"


@pytest.mark.parametrize(
    ("conf", "expected"), [(0.48, "PERNIAGAAN RIANG RIA"), (0.93, "PERNIAGAAN RIANG RIA 4")]
)
def test_a_lone_digit_read_unsure_after_the_name_is_a_speck(conf: float, expected: str) -> None:
    lines = ["PERNIAGAAN RIANG RIA 4", "NO7, JLN UERD, SHAH ALAM", "TOTAL   1.00", "CASH   1.00"]
    page = _with_confidence(page_of(lines), {"4": conf})
    assert receipts.receipt_fields(context.build([page]), {})["vendor_name"].value == expected


def test_a_french_till_receipt_paid_in_cash_is_a_receipt() -> None:
    # "REGLE PAR ESPECE": paid in cash, so the till's header line is the shop, even when
    # its name holds "TOTAL" (the brand of the fuel station).
    lines = ["RELAIS TOTAL OULMES", "AUTOROUTE RABAT MEKNES", "15000 KHEMISSET"]
    bill = [
        "CAFE CREME   12.00   2   24.00",
        "Total   Facture   :   24.00   DH.",
        "REGLE PAR ESPECE   24.00 DH",
    ]
    page = page_of([*lines, *bill], width=400.0)  # as wide as it is long: not a till roll
    assert receipts.looks_like_receipt(context.build([page]))
    assert heuristics.extract([page]).fields["vendor_name"].value == "RELAIS TOTAL OULMES"


def test_a4_invoice_without_payment_lines_is_left_alone() -> None:
    lines = ["ACME GmbH", "Rechnung", "Gesamtbetrag   119,00"]
    page = page_of(lines, method=Method.OCR, width=595.0)  # a scanned A4 page
    assert receipts.receipt_fields(context.build([page]), {}) == {}


def test_heuristics_use_the_receipt_rules() -> None:
    lines = ["KEDAI BUKU HARMONI SDN BHD", "11/01/2019 10:15", "Item   4.00", "TOTAL   13.80"]
    fields = heuristics.extract([page_of([*lines, "CASH   20.00", "CHANGE   6.20"])]).fields
    assert fields["total_amount"].value == Decimal("13.80")
    assert fields["invoice_date"].value == date(2019, 1, 11)
    assert fields["vendor_name"].value == "KEDAI BUKU HARMONI SDN BHD"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Date 06/01/18 12.17.26 PM", True),
        ("06/01/2018 12.17.26", True),
        ("05/01/2018 10:20 PM", True),
        ("11/17/2017", False),
        ("Ref 123 11.17.26", False),
    ],
)
def test_time_does_not_decide_the_date_order(text: str, expected: bool) -> None:
    assert context.day_first(text, default=True) is expected


def test_total_whose_decimal_point_was_lost_is_read_in_cents() -> None:
    # "GRAND TOTAL 1000" would be a thousand; the subtotal prints 10.00, so it is 10.00.
    page = page_of(["SUB TOTAL   10.00", "GRAND TOTAL   1000", "CASH   20.00"])
    assert heuristics.extract([page]).fields["total_amount"].value == Decimal("10.00")


def test_a_card_payment_line_does_not_make_a_born_digital_invoice_a_receipt() -> None:
    # The invoice prints "Credit Card" as its payment mode and an order date above
    # the invoice date; receipt rules (which prefer the top-most date) must stay out.
    import extraction

    path = Path(__file__).parents[1] / "corpus" / "pdf-text" / "invoice2data__FlipkartInvoice.pdf"
    [doc] = extraction.extract(path.read_bytes(), path.name, extraction.ExtractionConfig())
    assert str(doc.fields["invoice_date"].value) == "2015-10-20"


def _with_confidence(page: Page, conf: dict[str, float]) -> Page:
    words = tuple(replace(w, conf=conf.get(w.text, w.conf)) for w in page.words)
    return replace(page, words=words)


def test_a_doubtful_chunk_of_a_line_ending_in_a_legal_form_is_still_the_name() -> None:
    # Tesseract doubts the smudged start of the line (0.06) but not its "BHD": the whole
    # line is the company, without the smudge, not "BHD" joined to the brand line above.
    lines = [
        "6A PHARNACY",
        "\u2014sSUBANG HEALTHCARE SDN   BHD",
        "47500 SUBANG JAYA",
        "TOTAL   1.00",
    ]
    doubts = {"\u2014sSUBANG": 0.06, "HEALTHCARE": 0.06, "SDN": 0.06, "PHARNACY": 0.15}
    page = _with_confidence(page_of(lines), doubts)
    found = receipts.receipt_fields(context.build([page]), {})["vendor_name"]
    assert found.value == "SUBANG HEALTHCARE SDN BHD"


def test_a_legal_form_read_unsure_does_not_make_its_company_unsure() -> None:
    # "$/B" at 0.02 is S/B by the dictionary: the company line keeps the confidence of
    # its name's words and beats the brand above it, which the general rules would take.
    lines = ["BREWERY", "Owner by Castle Blue $/B", "(935685-T)", "32080 KL"]
    bill = ["TOTAL   1.00", "CASH   1.00", "CHANGE   0.00"]
    page = _with_confidence(page_of([*lines, *bill]), {"$/B": 0.02})
    found = heuristics.extract([page]).fields["vendor_name"]
    assert found.value == "Owner by Castle Blue S/B"
    assert 0.8 <= found.confidence < 0.95
    # The name's own words still carry their doubt.
    doubted = _with_confidence(page, {"Castle": 0.3})
    assert receipts.receipt_fields(context.build([doubted]), {})["vendor_name"].confidence < 0.5


@pytest.mark.parametrize(("conf", "completed"), [(0.0, True), (0.6, False)])
def test_a_word_unread_before_bhd_is_sdn(conf: float, completed: bool) -> None:
    # Tesseract could not read the word at all (0.00): between a name and BHD, starting with
    # S, it can only be SDN. A word it did read is left as read.
    lines = ["rapidKL", "TAX INVOICE", "RAPID RAIL SC': BHD", "No.1, JALAN PJU 1A/46", "47301 PJ"]
    page = _with_confidence(page_of([*lines, "TOTAL   1.00", "CASH   1.00"]), {"SC':": conf})
    found = receipts.receipt_fields(context.build([page]), {})["vendor_name"]
    assert (found.value == "RAPID RAIL SDN BHD") is completed
    if completed:
        assert found.confidence == pytest.approx(0.8)  # as sure as the BHD that confirms it


ROUNDED = ["Total:   17.22", "RND ADJ   0.02-", "TTL ATF RND   17.20", "CASH   20.00"]


def test_before_and_after_cash_rounding_each_total_closes_the_other() -> None:
    general = FieldValue(Decimal("17.20"), 0.95, Method.OCR, "label 'Amount'")
    found = receipts.receipt_fields(context.build([page_of(ROUNDED)]), {"total_amount": general})
    assert found["total_amount"].value == Decimal("17.22")  # the line worded "Total"
    assert found["total_amount"].confidence == receipts.ROUNDING_CONFIDENCE
    assert "total + rounding" in found["total_amount"].reason


def test_a_tax_summarys_total_row_is_not_the_bills_total_line() -> None:
    # The bill's last "total" line is after rounding; the GST summary below it prints the
    # total before rounding in its own "TOTAL" row, beside the net and the tax.
    bill = ["ITEM   11.60", "ITEM DISCOUNT 10%   -1.16", "ROUNDING ADJ   0.01"]
    paid = ["TOTAL INCLUSIVE GST:   10.45", "CASH   20.00", "CHANGE   9.55"]
    summary = ["GST SUMMARY", "CODE   %   NET AMT   GST   TOTAL", "SR   6   9.85   0.59   10.44"]
    summary_total = ["TOTAL   9.85   0.59   10.44"]
    found = fields_of([*bill, *paid, *summary, *summary_total])["total_amount"]
    assert found.value == Decimal("10.45")


def test_the_total_rows_of_a_tax_summary_are_not_the_bills() -> None:
    # The bill's total line lost its amount; below "GST SUMMARY", "TOTAL 105.57 6.33" adds
    # up the net and tax columns. What was paid is the total, not the summary's 6.33.
    bill = ["ITEM A   50.00", "ITEM B   55.57", "GST 6%   6.33", "TOTAL", "CASH   120.00"]
    summary = ["GST SUMMARY   AMT(RM)   TAX(RM)", "SR(6%)   105.57   6.33", "TOTAL   105.57   6.33"]
    found = fields_of([*bill, "CHANGE   8.10", *summary])["total_amount"]
    assert found.value == Decimal("111.90")


def test_a_total_that_its_parts_per_tax_rate_add_up_to_beats_a_part_printed_twice() -> None:
    # Goods taken back (-3.82 at 6 %) against 35.14 delivered at 0 %: the payable total is
    # their sum, though the 0 % part is printed twice and is the largest amount.
    lines = [
        "TOTAL 0% SUPPLIES.   35.14",
        "TOTAL 6% SUPPLIES (EXCL. GST):   -3.60",
        "GST:   -0.22",
        "TOTAL 6% SUPPLIES (INC. GST):   -3.82",
        "TOTAL 0% SUPPLIES:   35.14",
        "TOTAL PAYABLE:   31.32",
    ]
    found = fields_of(lines)["total_amount"]
    assert found.value == Decimal("31.32")
    assert "parts add up" in found.reason
    assert found.confidence < 0.95  # one sum, nothing else agrees


def test_change_printed_as_money_going_out_still_closes_the_total() -> None:
    # "20.00-": the till prints the change given back as a deduction. Cash - change closes
    # the printed total, which beats the same amount computed from the payment alone.
    lines = ["TOTAL SALES AMOUNT   33.00", "GST 6%   1.98", "ROUNDING ADJUSTMENT   0.02"]
    paid = ["TOTAL   35.00", "CASH   55.00", "CHANGE RETURNED   20.00-"]
    found = heuristics.extract([page_of([*lines, *paid])]).fields["total_amount"]
    assert found.value == Decimal("35.00")
    assert found.reason.startswith("receipt total line")


def test_a_total_from_the_general_rules_is_in_doubt_when_cash_rounding_prints_two() -> None:
    # The receipt's own pick is too doubtful to replace it; it still is one of two totals.
    page = _with_confidence(page_of(ROUNDED), {"17.22": 0.1})
    general = FieldValue(Decimal("17.20"), 0.95, Method.OCR, "label 'Amount'")
    found = receipts.receipt_fields(context.build([page]), {"total_amount": general})
    assert found["total_amount"].value == Decimal("17.20")
    assert found["total_amount"].confidence == receipts.ROUNDING_CONFIDENCE
    assert "cash rounding" in found["total_amount"].reason
