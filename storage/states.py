"""Record states and the transitions allowed between them, checked in one place."""

from __future__ import annotations

from enum import StrEnum


class MessageState(StrEnum):
    """Where a stored message is in the flow."""

    RECEIVED = "received"
    EXTRACTED = "extracted"
    FAILED = "failed"


class InvoiceStatus(StrEnum):
    """The payable's life, as the accountant sees it."""

    NEW = "new"
    NEEDS_REVIEW = "needs_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPORTED = "exported"
    PAID = "paid"


_ALLOWED: dict[InvoiceStatus, frozenset[InvoiceStatus]] = {
    InvoiceStatus.NEW: frozenset({InvoiceStatus.NEEDS_REVIEW, InvoiceStatus.APPROVED}),
    InvoiceStatus.NEEDS_REVIEW: frozenset({InvoiceStatus.APPROVED, InvoiceStatus.REJECTED}),
    InvoiceStatus.APPROVED: frozenset(
        {InvoiceStatus.EXPORTED, InvoiceStatus.REJECTED, InvoiceStatus.NEEDS_REVIEW}
    ),
    InvoiceStatus.REJECTED: frozenset({InvoiceStatus.NEEDS_REVIEW, InvoiceStatus.APPROVED}),
    InvoiceStatus.EXPORTED: frozenset({InvoiceStatus.PAID}),
    InvoiceStatus.PAID: frozenset(),
}


class TransitionError(ValueError):
    """An invoice was asked to move to a status it cannot reach from its current one."""


def check_transition(current: InvoiceStatus, target: InvoiceStatus) -> None:
    """Raise :class:`TransitionError` unless ``current -> target`` is allowed."""
    if target not in _ALLOWED[current]:
        msg = f"an invoice that is {current} cannot become {target}"
        raise TransitionError(msg)
