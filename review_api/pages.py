"""Server-rendered pages for the accountant: the queue and the invoice desk.

Pages authenticate with the login cookie. Every form post is checked twice
against cross-site forgery: its Origin/Referer must be this site and it must
carry the CSRF token derived from the caller's API token.
"""

from __future__ import annotations

import hmac
from typing import Annotated
from typing import Any
from urllib.parse import quote
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi import Depends
from fastapi import HTTPException
from fastapi import Request
from fastapi import Response
from fastapi import status
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlmodel import Session

from review_api import _editing
from review_api import _queries
from review_api import _views
from review_api import previews
from review_api import schemas
from review_api._render import render
from review_api.deps import CompanyDep
from review_api.deps import SessionDep
from review_api.deps import User
from review_api.deps import is_same_origin
from review_api.deps import user_from_request
from review_api.routes import received
from storage.blobs import BlobMissingError
from storage.blobs import BlobStore
from storage.states import InvoiceStatus

router = APIRouter(include_in_schema=False)
_DONE = {"approved": "approved", "rejected": "rejected"}


def page_user(request: Request) -> User | None:
    """Return the logged-in user, or None (the page then redirects to the login)."""
    user, _ = user_from_request(request)
    return user


PageUser = Annotated[User | None, Depends(page_user)]


async def form_data(request: Request) -> dict[str, str]:
    """Return the posted form's text fields (files are not accepted on pages)."""
    form = await request.form(max_files=0, max_fields=100)
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


FormData = Annotated[dict[str, str], Depends(form_data)]


def _to_login(request: Request) -> RedirectResponse:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(here)}", status.HTTP_303_SEE_OTHER)


def _check_post(request: Request, user: User | None, form: dict[str, str]) -> User:
    """Return the user of a form post that is same-origin and carries their CSRF token."""
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="please log in again")
    token_ok = hmac.compare_digest(form.get("csrf", ""), user.csrf)
    if not (token_ok and is_same_origin(request)):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="cross-site request refused")
    if not user.can("reviewer"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="requires the reviewer role")
    return user


@router.get("/", response_model=None)
def queue_page(
    request: Request,
    session: SessionDep,
    company: CompanyDep,
    user: PageUser,
    status: str = "needs_review",
    q: str = "",
    page: int = 1,
    done: str = "",
    invoice: int | None = None,
) -> Response:
    """The review queue: invoices of one status, searchable, a page at a time."""
    if user is None:
        return _to_login(request)
    tab = status if status in dict(_views.TABS) else "needs_review"
    size = request.app.state.config.page_size
    page = max(page, 1)
    filters = _queries.InvoiceFilter(
        status=None if tab == "all" else InvoiceStatus(tab),
        q=q[:200] or None,
        limit=size,
        offset=(page - 1) * size,
    )
    rows, count = _queries.list_invoices(session, company=company, filters=filters)
    messages = _queries.messages_of(session, rows)
    context = {
        "user": user,
        "tab": tab,
        "tabs": _views.TABS,
        "q": q,
        "page": page,
        "count": count,
        "pages": max(1, -(-count // size)),
        "counts": _queries.status_counts(session, company=company),
        "rows": [
            _views.queue_row(_queries.to_public(r), _fallback_sender(messages, r)) for r in rows
        ],
        "done": _DONE.get(done),
        "done_invoice": invoice,
        "page_url": lambda n: "/?" + urlencode({"status": tab, "q": q, "page": n}),
    }
    return render(request, "queue.html", context)


def _fallback_sender(messages: dict[int, Any], invoice: Any) -> str:
    message = messages.get(invoice.document_id)
    fallback = ""
    if message is not None:
        fallback = (
            f"upload by {message.source_ref}"
            if message.source == "upload"
            else (message.source_ref or message.source)
        )
    return _views.sender(invoice.email, fallback)


def _pdf_pages(session: Session, invoice: Any, blobs: BlobStore) -> list[int]:
    """Return the page numbers to preview (empty for documents that are not PDFs)."""
    try:
        document = _queries.get_document(session, invoice)
        if document.content_type != "application/pdf":
            return []
        count = previews.page_count(blobs.get(document.sha256))
    except (_queries.ReviewError, BlobMissingError):
        return []
    return list(range(1, min(count, previews.MAX_PREVIEW_PAGES) + 1))


def _detail_context(
    request: Request, session: Session, invoice_id: int, company: int, user: User, **extra: Any
) -> dict[str, Any]:
    blobs: BlobStore = request.app.state.blobs
    invoice = _queries.get_invoice(session, company=company, invoice_id=invoice_id)
    detail = _queries.to_detail(session, invoice)
    document = detail.document
    return {
        "user": user,
        "inv": detail,
        "csrf": user.csrf,
        "status_label": _views.STATUS_LABELS.get(detail.status, detail.status),
        "sections": _views.form_sections(
            detail, values=extra.pop("values", None), errors=extra.pop("errors", None)
        ),
        "can_edit": user.can("reviewer") and invoice.status in _editing.EDITABLE,
        "can_approve": user.can("reviewer")
        and _views.can_move(detail.status, InvoiceStatus.APPROVED),
        "can_reject": user.can("reviewer")
        and _views.can_move(detail.status, InvoiceStatus.REJECTED),
        "doc_sandboxed": document is not None and document.content_type != "application/pdf",
        "doc_pages": _pdf_pages(session, invoice, blobs),
        "audit": [(e, _views.action_label(e.action), _views.describe(e)) for e in detail.audit],
        "labels": _views.LABELS,
        "error": None,
        "saved": False,
        **extra,
    }


@router.get("/invoices/{invoice_id}", response_model=None)
def invoice_page(
    request: Request,
    invoice_id: int,
    session: SessionDep,
    company: CompanyDep,
    user: PageUser,
    saved: int = 0,
) -> Response:
    """One invoice: the document beside its editable fields, flags, context and trail."""
    if user is None:
        return _to_login(request)
    try:
        context = _detail_context(request, session, invoice_id, company, user, saved=bool(saved))
    except _queries.NotFoundError:
        return render(request, "not_found.html", {"user": user}, status_code=404)
    return render(request, "invoice.html", context)


def _changed_fields(form: dict[str, str], stored: dict[str, Any]) -> dict[str, str]:
    """Return the inputs the reviewer actually changed (untouched ones stay as stored)."""
    shown = _views.display_values(stored)
    return {
        k: form[k].strip()
        for k in _views.EDITABLE_KEYS
        if k in form and form[k].strip() != shown.get(k, "").strip()
    }


def _errors(exc: ValidationError) -> dict[str, str]:
    return {
        str(e["loc"][1]) if len(e["loc"]) > 1 else "fields": str(e["msg"]).removeprefix(
            "Value error, "
        )
        for e in exc.errors()
    }


@router.post("/invoices/{invoice_id}/edit", response_model=None)
def edit_invoice(
    request: Request,
    invoice_id: int,
    session: SessionDep,
    company: CompanyDep,
    user: PageUser,
    form: FormData,
) -> Response:
    """Save the form: only changed inputs are applied; bad values re-show the form."""
    actor = _check_post(request, user, form)
    try:
        invoice = _queries.get_invoice(
            session, company=company, invoice_id=invoice_id, for_update=True
        )
        changed = _changed_fields(form, invoice.fields or {})
        update = schemas.InvoiceUpdate.model_validate({"fields": changed})
        _editing.edit_invoice(session, invoice, update=update, actor=actor.name)
    except ValidationError as exc:
        session.rollback()
        context = _detail_context(
            request, session, invoice_id, company, actor, values=changed, errors=_errors(exc)
        )
        context["error"] = "Some values need fixing; nothing was saved."
        return render(request, "invoice.html", context, status_code=422)
    except _queries.ReviewError as exc:
        return _review_error(request, session, invoice_id, company, actor, exc)
    session.commit()
    return RedirectResponse(f"/invoices/{invoice_id}?saved=1", status.HTTP_303_SEE_OTHER)


def _review_error(
    request: Request,
    session: Session,
    invoice_id: int,
    company: int,
    user: User,
    exc: _queries.ReviewError,
) -> Response:
    session.rollback()
    if isinstance(exc, _queries.NotFoundError):
        return render(request, "not_found.html", {"user": user}, status_code=404)
    context = _detail_context(request, session, invoice_id, company, user, error=str(exc))
    return render(request, "invoice.html", context, status_code=409)


def _decide_page(
    request: Request,
    invoice_id: int,
    session: Session,
    company: int,
    actor: User,
    *,
    target: InvoiceStatus,
    reason: str | None,
) -> Response:
    try:
        invoice = _queries.get_invoice(
            session, company=company, invoice_id=invoice_id, for_update=True
        )
        _editing.decide(session, invoice, target=target, actor=actor.name, reason=reason)
    except _queries.ReviewError as exc:
        return _review_error(request, session, invoice_id, company, actor, exc)
    session.commit()
    query = urlencode({"done": str(target), "invoice": invoice_id})
    return RedirectResponse(f"/?{query}", status.HTTP_303_SEE_OTHER)


@router.post("/invoices/{invoice_id}/approve", response_model=None)
def approve_invoice(
    request: Request,
    invoice_id: int,
    session: SessionDep,
    company: CompanyDep,
    user: PageUser,
    form: FormData,
) -> Response:
    """Approve from the page, then return to the queue."""
    actor = _check_post(request, user, form)
    return _decide_page(
        request, invoice_id, session, company, actor, target=InvoiceStatus.APPROVED, reason=None
    )


@router.post("/invoices/{invoice_id}/reject", response_model=None)
def reject_invoice(
    request: Request,
    invoice_id: int,
    session: SessionDep,
    company: CompanyDep,
    user: PageUser,
    form: FormData,
) -> Response:
    """Reject from the page with the typed reason, then return to the queue."""
    actor = _check_post(request, user, form)
    reason = form.get("reason", "").strip()[:1000] or None
    return _decide_page(
        request, invoice_id, session, company, actor, target=InvoiceStatus.REJECTED, reason=reason
    )


RECEIVED_TABS = (("failed", "Could not be read"), ("not_invoice", "Not invoices"))


@router.get("/received", response_model=None)
def received_page(
    request: Request,
    session: SessionDep,
    company: CompanyDep,
    user: PageUser,
    kind: str = "failed",
) -> Response:
    """Everything that arrived but is not in the queue, each with its reason."""
    if user is None:
        return _to_login(request)
    kind = kind if kind in dict(RECEIVED_TABS) else "failed"
    documents, count = received.received_documents(
        session, company=company, kind=kind, limit=200, offset=0
    )
    context = {
        "user": user,
        "tabs": RECEIVED_TABS,
        "tab": kind,
        "documents": documents,
        "count": count,
        "messages": received.failed_messages(session, company=company),
        "left_on_server": received.left_on_server(session, company=company),
    }
    return render(request, "received.html", context)
