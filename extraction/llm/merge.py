"""Fold checked model values into the offline document without ever weakening it.

- A missing field is filled with ``method=llm``, confidence at most 0.6, less
  for each disagreement with offline values or rejected value in the same answer.
- A present field the model agrees with gets a modest confidence raise
  (+0.1, capped at 0.97) and "confirmed by llm" in its reason.
- A present field the model disagrees with is kept; the disagreement becomes an
  ``LLM_DISAGREES`` flag naming both values. XML and user values are exact or
  deliberate: they are never raised or replaced, a disagreement is only noted.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from extraction.models import ExtractedDocument
from extraction.models import FieldValue
from extraction.models import Flag
from extraction.models import Method
from extraction.models import Severity
from extraction.models import Value
from extraction.models import json_value

FILL_CONFIDENCE = 0.6
#: Each disagreement elsewhere in the document lowers trust in the model's fills.
DISAGREEMENT_PENALTY = 0.1
MIN_FILL_CONFIDENCE = 0.3
CONFIRM_BONUS = 0.1
CONFIRM_CAP = 0.97
_FIXED = (Method.XML, Method.USER)


def merge(
    doc: ExtractedDocument, values: dict[str, Value], *, rejected: int = 0
) -> tuple[dict[str, FieldValue], list[Flag]]:
    """Return the document's fields with the model's values folded in, and new flags.

    Args:
        doc: the offline result.
        values: checked model values (typed).
        rejected: how many of the model's values failed the checks (lowers trust too).

    Returns:
        The new field mapping (a copy) and the ``LLM_DISAGREES`` flags.
    """
    fields = dict(doc.fields)
    flags = [_disagreement(k, fields[k], v) for k, v in values.items() if _disagrees(fields, k, v)]
    confidence = max(
        MIN_FILL_CONFIDENCE, FILL_CONFIDENCE - DISAGREEMENT_PENALTY * (len(flags) + rejected)
    )
    for key, value in values.items():
        current = fields.get(key)
        if current is None:
            fields[key] = FieldValue(value, confidence, Method.LLM, reason="llm")
        elif same_value(current.value, value) and current.method not in _FIXED:
            fields[key] = _confirmed(current)
    return fields, flags


def _disagrees(fields: dict[str, FieldValue], key: str, value: Value) -> bool:
    return key in fields and not same_value(fields[key].value, value)


def _confirmed(current: FieldValue) -> FieldValue:
    if current.method is Method.LLM or current.confidence >= CONFIRM_CAP:
        return current
    raised = min(current.confidence + CONFIRM_BONUS, CONFIRM_CAP)
    reason = f"{current.reason}; confirmed by llm" if current.reason else "confirmed by llm"
    return replace(current, confidence=raised, reason=reason)


def _disagreement(key: str, current: FieldValue, value: Value) -> Flag:
    # Against XML the model is the likelier one to be wrong: worth noting, not a review.
    severity = Severity.INFO if current.method in _FIXED else Severity.WARNING
    reason = (
        f"{key}: the LLM read {json_value(value)!s}, {current.method} reading "
        f"{json_value(current.value)!s} kept"
    )
    return Flag("LLM_DISAGREES", reason, severity, key)


def same_value(a: Value, b: Value) -> bool:
    """Return True when two values mean the same (numerically, or ignoring case and spacing)."""
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b
    if isinstance(a, date) or isinstance(b, date):
        return a == b
    return _norm(str(a)) == _norm(str(b))


def _norm(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())
