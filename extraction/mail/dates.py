"""Dates as mail clients write them in forwarded header blocks.

Gmail writes ``Wed, Feb 9, 2011 at 11:55 AM``, Outlook ``Monday, 3 June 2024
10:15``, Apple Mail ``3 June 2024 at 10:15:00 CEST``, and each in the user's
language. We recognise day, month name (six languages) or numeric ISO dates,
and the time when present; anything else is left unknown rather than guessed.
"""

from __future__ import annotations

import re
from datetime import date
from datetime import datetime
from datetime import time

from extraction.mail import headers

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan janvier janv januar jän enero ene gennaio genn gen januari",
        "february feb février févr fevrier februar febrero febbraio febr februari",
        "march mar mars märz maerz marzo maart mrt",
        "april apr avril abril aprile",
        "may mai mayo maggio mei mag",
        "june jun juin juni junio giugno giu",
        "july jul juillet juil juli julio luglio lug",
        "august aug août aout agosto ago augustus",
        "september sep sept septembre septiembre settembre set",
        "october oct octobre oktober okt octubre ottobre ott",
        "november nov novembre noviembre novembre",
        "december dec décembre decembre dezember dez diciembre dic dicembre",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS.setdefault(_name, _number)

_WORD = r"([^\W\d_]{3,10})\.?"
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})\.?\s+(?:de\s+)?{_WORD}\s+(?:de\s+)?(\d{{4}})\b", re.I)
_MONTH_DAY_YEAR = re.compile(rf"\b{_WORD}\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.I)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_RFC_SHAPE = re.compile(
    r"\b\d{1,2} [A-Za-z]{3} \d{4} \d{1,2}:\d{2}(?::\d{2})? ?(?:[+-]\d{4}|[A-Z]{2,4})?$"
)
_TIME = re.compile(r"\b(\d{1,2})[:h](\d{2})(?::(\d{2}))?\s*([ap]\.?\s?m\.?)?", re.I)


def parse_loose(text: str | None) -> str | None:
    """Return an ISO 8601 date (and time, when written) for a client-written date.

    Args:
        text: the value of a ``Date:``/``Sent:``/``Envoyé :``… line.

    Returns:
        ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM:SS`` (time zone as written is dropped
        unless the value is a full RFC 5322 date), or None when not recognised.
    """
    if not text:
        return None
    # parsedate is lenient (it drops "PM"), so only RFC 5322-shaped values go to it.
    strict = headers.iso_date(text) if _RFC_SHAPE.search(text) else None
    if strict is not None:
        return strict
    day = _find_date(text)
    if day is None:
        return None
    moment = _find_time(text)
    if moment is None:
        return day.isoformat()
    return datetime.combine(day, moment).isoformat()


def _find_date(text: str) -> date | None:
    for match in _DAY_MONTH_YEAR.finditer(text):
        found = _make_date(match.group(3), match.group(2), match.group(1))
        if found:
            return found
    for match in _MONTH_DAY_YEAR.finditer(text):
        found = _make_date(match.group(3), match.group(1), match.group(2))
        if found:
            return found
    iso = _ISO.search(text)
    if iso:
        return _safe_date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    return None


def _make_date(year: str, month_name: str, day: str) -> date | None:
    month = _MONTHS.get(month_name.lower())
    return _safe_date(int(year), month, int(day)) if month else None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _find_time(text: str) -> time | None:
    match = _TIME.search(text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    second = int(match.group(3) or 0)
    meridian = (match.group(4) or "").lower().replace(".", "").replace(" ", "")
    if meridian == "pm" and hour < 12:
        hour += 12
    elif meridian == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)
