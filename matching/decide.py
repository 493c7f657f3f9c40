"""The approval policy: approve only what is known, complete, checked and sure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any

from extraction.models import REQUIRED_FIELDS
from extraction.models import Flag
from extraction.models import Severity


@dataclass(frozen=True)
class Policy:
    """What auto-approval requires."""

    auto_approve: bool = True
    min_confidence: float = 0.9
    max_total: Decimal | None = None


@dataclass(frozen=True)
class Decision:
    """``approved`` or ``needs_review``, with the reasons for review."""

    approve: bool
    reasons: tuple[Flag, ...]


def decide(
    *,
    fields: dict[str, Any],
    field_meta: dict[str, Any],
    flags: Sequence[Flag],
    vendor_certain: bool,
    policy: Policy,
) -> Decision:
    """Return the decision for one invoice; every reason to review is a flag."""
    reasons = [f for f in flags if f.severity == Severity.ERROR]
    reasons += _missing(fields)
    reasons += _unsure(field_meta, policy.min_confidence)
    if not vendor_certain:
        reasons.append(
            Flag("VENDOR_UNKNOWN", "the vendor is not in the vendor list yet", Severity.ERROR)
        )
    reasons += _over_limit(fields, policy.max_total)
    if not policy.auto_approve:
        reasons.append(Flag("POLICY_MANUAL", "auto-approval is turned off", Severity.INFO))
    return Decision(approve=not reasons, reasons=tuple(reasons))


def _missing(fields: dict[str, Any]) -> list[Flag]:
    return [
        Flag("REQUIRED_MISSING", f"{name.replace('_', ' ')} was not found", Severity.ERROR, name)
        for name in REQUIRED_FIELDS
        if not fields.get(name)
    ]


def _unsure(field_meta: dict[str, Any], minimum: float) -> list[Flag]:
    out = []
    for name in REQUIRED_FIELDS:
        meta = field_meta.get(name) or {}
        if meta.get("method") == "llm":
            reason = f"{name.replace('_', ' ')} comes only from the LLM; a person must confirm it"
            out.append(Flag("LLM_ONLY_VALUE", reason, Severity.ERROR, name))
        elif meta and float(meta.get("confidence", 0)) < minimum:
            reason = (
                f"{name.replace('_', ' ')} was read with low confidence ({meta.get('confidence')})"
            )
            out.append(Flag("LOW_CONFIDENCE", reason, Severity.ERROR, name))
    return out


def _over_limit(fields: dict[str, Any], limit: Decimal | None) -> list[Flag]:
    try:
        total = Decimal(str(fields.get("total_amount")))
    except (InvalidOperation, ValueError):
        return []
    if limit is not None and abs(total) > limit:
        return [
            Flag("OVER_APPROVAL_LIMIT", f"total {total} is above the limit {limit}", Severity.ERROR)
        ]
    return []
