"""Untrusted model output -> typed values, or a reason why not.

Nothing the model says is taken as is: the answer must be one JSON object;
unknown keys are dropped; each value must have the shape of its field kind
(amount strings -> finite Decimal of sane magnitude, ISO dates, ISO 4217-shaped
currency codes, capped printable strings) and must not read like an instruction.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

from extraction.llm.schema import FIELDS
from extraction.llm.schema import Kind
from extraction.llm.types import LLMBadResponse
from extraction.models import Value

#: Longer answers are refused unparsed (a field object is a few hundred characters).
MAX_CONTENT_CHARS = 20_000
#: Largest absolute amount we accept; beyond it the model misread something.
MAX_AMOUNT = Decimal("1000000000")
MIN_YEAR, MAX_YEAR = 1990, 2100
MAX_LENGTH = {Kind.NAME: 200, Kind.IDENTIFIER: 64, Kind.IBAN: 42, Kind.CURRENCY: 12}

_AMOUNT = re.compile(r"-?\d{1,15}(?:\.\d{1,4})?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_IDENTIFIER = re.compile(r"[\w][\w ./\-#:]*", re.UNICODE)
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}")
_SYMBOLS = re.compile(r"^[€$£¥]|[€$£¥]$|^[A-Z]{3}\s|\s[A-Z]{3}$")
_INSTRUCTION = re.compile(
    r"(?i)\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instruction|previous|above|prior|rule)"
    r"|\b(?:auto[- ]?)?approv(?:e|ed|al)\b.{0,20}\b(?:this|invoice|payment|immediately|now)\b"
    r"|\b(?:mark|set)\b.{0,20}\b(?:as )?(?:paid|approved)\b"
    r"|\b(?:system|assistant|developer)\s*:|\byou are\b|<\|"
)


class Rejected(ValueError):
    """A value the model gave that we refuse; the message is the human reason."""


@dataclass(frozen=True)
class Rejection:
    """One refused value: which field, what the model said, and why we refused it."""

    key: str
    raw: str
    reason: str
    #: Instruction-like values hint at a hostile document, which deserves a warning.
    hostile: bool = False


def parse_object(content: str) -> dict[str, Any]:
    """Return the first JSON object in ``content`` (servers may ignore response_format).

    Args:
        content: the model's message text.

    Returns:
        The object, with JSON numbers as Decimal (never float).

    Raises:
        LLMBadResponse: no JSON object, or the answer is absurdly long.
    """
    if len(content) > MAX_CONTENT_CHARS:
        raise LLMBadResponse(f"answer too long ({len(content)} characters)")
    decoder = json.JSONDecoder(parse_float=Decimal, parse_int=Decimal, parse_constant=_no_constant)
    for match in re.finditer(r"\{", content):
        try:
            obj, _ = decoder.raw_decode(content, match.start())
        except (ValueError, InvalidOperation):
            continue
        if isinstance(obj, dict):
            return obj
    raise LLMBadResponse("no JSON object in the answer")


def _no_constant(name: str) -> Any:
    raise ValueError(f"JSON constant {name} not allowed")


def coerce_all(
    raw: dict[str, Any], keys: tuple[str, ...]
) -> tuple[dict[str, Value], list[Rejection]]:
    """Turn the raw object into typed values for the requested ``keys`` only.

    Args:
        raw: the parsed answer (untrusted).
        keys: the fields we asked for; anything else is dropped silently.

    Returns:
        The accepted values and the rejected ones with reasons. Nulls are neither.
    """
    values: dict[str, Value] = {}
    rejections: list[Rejection] = []
    for key in keys:
        if raw.get(key) is None:
            continue
        try:
            values[key] = coerce_value(FIELDS[key][0], raw[key])
        except Rejected as exc:
            hostile = isinstance(raw[key], str) and bool(_INSTRUCTION.search(raw[key]))
            rejections.append(Rejection(key, _shown(raw[key]), str(exc), hostile=hostile))
    return values, rejections


def _shown(raw: object) -> str:
    text = str(raw)
    return text if len(text) <= 60 else text[:57] + "..."


def coerce_value(kind: Kind, raw: object) -> Value:
    """Return ``raw`` as the typed value of ``kind``.

    Raises:
        Rejected: wrong type, wrong shape, out of range, or instruction-like.
    """
    if kind is Kind.AMOUNT:
        return _amount(raw)
    text = _text(raw, MAX_LENGTH.get(kind, 200))
    if kind is Kind.DATE:
        return _date(text)
    if kind is Kind.CURRENCY:
        return _shaped(text.upper(), _CURRENCY, "not an ISO 4217 currency code")
    if kind is Kind.IBAN:
        return _iban(text)
    if kind is Kind.IDENTIFIER:
        return _shaped(text, _IDENTIFIER, "not an identifier")
    return text


def _text(raw: object, limit: int) -> str:
    if not isinstance(raw, str):
        raise Rejected(f"expected a string, got {type(raw).__name__}")
    text = " ".join(raw.split())
    if not text:
        raise Rejected("empty string")
    if len(text) > limit:
        raise Rejected(f"longer than {limit} characters")
    if not text.isprintable():
        raise Rejected("contains control characters")
    if _INSTRUCTION.search(text):
        raise Rejected("reads like an instruction, not a field value")
    return text


def _shaped(text: str, pattern: re.Pattern[str], reason: str) -> str:
    if not pattern.fullmatch(text):
        raise Rejected(reason)
    return text


def _amount(raw: object) -> Decimal:
    # JSON numbers arrive as Decimal (parse_float); bools are ints in Python, refuse them.
    if isinstance(raw, Decimal):
        raw = str(raw)
    text = _text(raw, 40)
    text = _SYMBOLS.sub("", text).strip().replace(" ", "")
    if not _AMOUNT.fullmatch(text):
        raise Rejected("not a plain decimal amount ('.' as decimal point)")
    value = Decimal(text)
    if not value.is_finite() or abs(value) >= MAX_AMOUNT:
        raise Rejected("amount out of range")
    return value


def _date(text: str) -> date:
    if not _ISO_DATE.fullmatch(text):
        raise Rejected("not an ISO date (YYYY-MM-DD)")
    try:
        value = date.fromisoformat(text)
    except ValueError as exc:
        raise Rejected("not a calendar date") from exc
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise Rejected(f"year {value.year} out of range")
    return value


def _iban(text: str) -> str:
    compact = text.replace(" ", "").upper()
    _shaped(compact, _IBAN, "not IBAN-shaped")
    rearranged = compact[4:] + compact[:4]
    if int("".join(str(int(c, 36)) for c in rearranged)) % 97 != 1:
        raise Rejected("IBAN checksum fails")
    return compact
