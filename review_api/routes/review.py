"""``/api/invoices/{id}/approve`` and ``/reject``: the reviewer's decisions, audited."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi import Body

from review_api import _editing
from review_api import _queries
from review_api import schemas
from review_api._http import http_error
from review_api.deps import CompanyDep
from review_api.deps import RequireReviewer
from review_api.deps import SessionDep
from storage.states import InvoiceStatus

router = APIRouter(prefix="/api/invoices", tags=["review"])


def _decide(
    session: SessionDep,
    company: int,
    invoice_id: int,
    *,
    target: InvoiceStatus,
    actor: str,
    body: schemas.ReviewDecision | None,
) -> schemas.InvoiceDetail:
    try:
        invoice = _queries.get_invoice(
            session, company=company, invoice_id=invoice_id, for_update=True
        )
        reason = body.reason if body else None
        _editing.decide(session, invoice, target=target, actor=actor, reason=reason)
    except _queries.ReviewError as exc:
        raise http_error(exc) from exc
    session.commit()
    return _queries.to_detail(session, invoice)


@router.post("/{invoice_id}/approve", response_model=schemas.InvoiceDetail)
def approve(
    invoice_id: int,
    session: SessionDep,
    company: CompanyDep,
    user: RequireReviewer,
    body: schemas.ReviewDecision | None = Body(default=None),  # noqa: B008 - FastAPI idiom
) -> schemas.InvoiceDetail:
    """Approve an invoice (409 when its status does not allow it)."""
    return _decide(
        session, company, invoice_id, target=InvoiceStatus.APPROVED, actor=user.name, body=body
    )


@router.post("/{invoice_id}/reject", response_model=schemas.InvoiceDetail)
def reject(
    invoice_id: int,
    session: SessionDep,
    company: CompanyDep,
    user: RequireReviewer,
    body: schemas.ReviewDecision | None = Body(default=None),  # noqa: B008 - FastAPI idiom
) -> schemas.InvoiceDetail:
    """Reject an invoice, optionally with a reason (409 when not allowed)."""
    return _decide(
        session, company, invoice_id, target=InvoiceStatus.REJECTED, actor=user.name, body=body
    )
