"""A shop's trade in its name, read back through OCR's one-letter slips."""

from __future__ import annotations

import pytest

from extraction.fields import trade_words


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # A letter lost inside the word.
        ("ENW Hardwae Centre (M) Sdn. Bhd.", "ENW Hardware Centre (M) Sdn. Bhd."),
        # One letter read as its look-alike: M as H, G as C.
        ("LIVES PHARHACY SDN BHD", "LIVES PHARMACY SDN BHD"),
        ("GH DISTRIBUTOR & MARKETINC SDN BHD", "GH DISTRIBUTOR & MARKETING SDN BHD"),
        ("HERO OISTRIBUTION SDN BHD", "HERO DISTRIBUTION SDN BHD"),
        # Case follows the printed word.
        ("tan hardwre", "tan hardware"),
        # A paired trade's ampersand, lost under a pen stroke or read as an 8.
        ("FIVE STAR CASH CARRY", "FIVE STAR CASH & CARRY"),
        ("Metro Cash 8 Carry", "Metro Cash & Carry"),
    ],
)
def test_a_trade_misspelt_by_one_slip_is_spelled_right(name: str, expected: str) -> None:
    assert trade_words.respelled(name) == expected


@pytest.mark.parametrize(
    "name",
    [
        "ABC STATIONER",  # a letter lost at the end makes a word of its own
        "ABC STATIONARY",  # A for E is no look-alike: how the shop prints it
        "KEDAI BAKERI",  # Malay spelling: Y and I are not look-alikes
        "CAFE CARE",  # too short to tell a slip from another word
        "HARDWARE-2 SDN BHD",  # not a plain word
        "YONG TAT HARDWARE TRADING",
        "FIVE STAR CASH & CARRY",  # printed whole
        "CASH CARRYING",  # another word
    ],
)
def test_other_words_are_left_as_printed(name: str) -> None:
    assert trade_words.respelled(name) == name
