"""``/api/invoices``: list, filter, read and edit invoices, and fetch their documents."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter
from fastapi import HTTPException
from fastapi import Query
from fastapi import Request
from fastapi import Response

from review_api import _editing
from review_api import _queries
from review_api import previews
from review_api import schemas
from review_api._http import http_error
from review_api.deps import CompanyDep
from review_api.deps import CurrentUser
from review_api.deps import RequireReviewer
from review_api.deps import SessionDep
from storage.blobs import BlobMissingError
from storage.blobs import BlobStore
from storage.states import InvoiceStatus

router = APIRouter(prefix="/api/invoices", tags=["invoices"])

_CONTENT_TYPE_RE = re.compile(r"^[\w.+-]+/[\w.+-]+$")
#: Types a browser shows without running anything of the document's own.
_INERT_TYPES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/tiff",
        "text/plain",
    }
)
#: For anything else (HTML receipts, XML, SVG): no script, no plugins, no network.
SANDBOX_CSP = (
    "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'"
)


@router.get("", response_model=schemas.InvoicesPublic)
def list_invoices(
    request: Request,
    session: SessionDep,
    company: CompanyDep,
    _user: CurrentUser,
    status: InvoiceStatus | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    vendor_id: int | None = None,
    limit: Annotated[int | None, Query(ge=1, le=500)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> schemas.InvoicesPublic:
    """List invoices, filtered by status, text (vendor, number, total) and vendor."""
    filters = _queries.InvoiceFilter(
        status=status,
        q=q,
        vendor_id=vendor_id,
        limit=limit or request.app.state.config.page_size,
        offset=offset,
    )
    rows, count = _queries.list_invoices(session, company=company, filters=filters)
    return schemas.InvoicesPublic(data=[_queries.to_public(r) for r in rows], count=count)


@router.get("/{invoice_id}", response_model=schemas.InvoiceDetail)
def get_invoice(
    invoice_id: int, session: SessionDep, company: CompanyDep, _user: CurrentUser
) -> schemas.InvoiceDetail:
    """Return one invoice with provenance, document, message and audit trail."""
    try:
        invoice = _queries.get_invoice(session, company=company, invoice_id=invoice_id)
    except _queries.ReviewError as exc:
        raise http_error(exc) from exc
    return _queries.to_detail(session, invoice)


@router.patch("/{invoice_id}", response_model=schemas.InvoiceDetail)
def update_invoice(
    invoice_id: int,
    body: schemas.InvoiceUpdate,
    session: SessionDep,
    company: CompanyDep,
    user: RequireReviewer,
) -> schemas.InvoiceDetail:
    """Merge field edits, re-validate, record provenance and audit; 409 once exported."""
    try:
        invoice = _queries.get_invoice(
            session, company=company, invoice_id=invoice_id, for_update=True
        )
        _editing.edit_invoice(session, invoice, update=body, actor=user.name)
    except _queries.ReviewError as exc:
        raise http_error(exc) from exc
    session.commit()
    return _queries.to_detail(session, invoice)


@router.get("/{invoice_id}/document")
def get_document(
    invoice_id: int,
    request: Request,
    session: SessionDep,
    company: CompanyDep,
    _user: CurrentUser,
) -> Response:
    """Return the original document's bytes, inline, never as active content."""
    blobs: BlobStore = request.app.state.blobs
    try:
        invoice = _queries.get_invoice(session, company=company, invoice_id=invoice_id)
        document = _queries.get_document(session, invoice)
        data = blobs.get(document.sha256)
    except _queries.ReviewError as exc:
        raise http_error(exc) from exc
    except BlobMissingError as exc:
        raise HTTPException(410, detail="the document's bytes are missing") from exc
    return document_response(data, document.content_type, document.filename)


@router.get("/{invoice_id}/pages/{number}.png")
def get_page_image(
    invoice_id: int,
    number: int,
    request: Request,
    session: SessionDep,
    company: CompanyDep,
    _user: CurrentUser,
) -> Response:
    """Return page ``number`` (1-based) of the invoice's PDF as a PNG."""
    blobs: BlobStore = request.app.state.blobs
    try:
        invoice = _queries.get_invoice(session, company=company, invoice_id=invoice_id)
        document = _queries.get_document(session, invoice)
        if document.content_type != "application/pdf":
            raise HTTPException(404, detail="only PDF documents have page images")
        png = previews.render_page(blobs.get(document.sha256), number)
    except _queries.ReviewError as exc:
        raise http_error(exc) from exc
    except BlobMissingError as exc:
        raise HTTPException(410, detail="the document's bytes are missing") from exc
    except previews.PreviewError as exc:
        raise HTTPException(404, detail=str(exc)) from exc
    headers = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
    return Response(content=png, media_type="image/png", headers=headers)


def document_response(data: bytes, content_type: str, filename: str | None) -> Response:
    """Wrap document bytes with headers that keep a hostile document inert."""
    media = content_type.split(";", 1)[0].strip().lower()
    if not _CONTENT_TYPE_RE.match(media):
        media = "application/octet-stream"
    headers = {
        "Content-Disposition": content_disposition(filename),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
        "X-Frame-Options": "SAMEORIGIN",
    }
    # Chrome refuses to show a PDF under a sandbox CSP, and PDFs are inert anyway.
    if media not in _INERT_TYPES:
        headers["Content-Security-Policy"] = SANDBOX_CSP
    if media.startswith("text/"):
        media += "; charset=utf-8"
    return Response(content=data, media_type=media, headers=headers)


def content_disposition(filename: str | None) -> str:
    """Return an ``inline`` disposition with an ASCII-safe name plus the UTF-8 original."""
    name = (filename or "document").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in "\r\n")[:200] or "document"
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]", "_", name).strip(" .") or "document"
    return f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
