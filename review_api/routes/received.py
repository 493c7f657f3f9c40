"""What arrived but is not in the invoice queue: failed and not-invoice documents, failed messages.

Nothing that arrives is dropped; this is where a person sees the rest, each item
with its stored reason and its original bytes.
"""

from __future__ import annotations

from typing import Annotated
from typing import Literal

from fastapi import APIRouter
from fastapi import HTTPException
from fastapi import Query
from fastapi import Request
from fastapi import Response
from sqlalchemy import func
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from review_api import schemas
from review_api.deps import CompanyDep
from review_api.deps import CurrentUser
from review_api.deps import SessionDep
from review_api.routes.invoices import document_response
from storage import models
from storage.blobs import BlobMissingError
from storage.blobs import BlobStore

router = APIRouter(tags=["received"])

DocumentKind = Literal["failed", "not_invoice"]


def received_documents(
    session: Session, *, company: int, kind: str, limit: int, offset: int
) -> tuple[list[schemas.ReceivedDocument], int]:
    """Return one page of the company's documents of ``kind``, newest first, and the total."""
    where = (models.Document.company_id == company, models.Document.document_type == kind)
    total = session.exec(select(func.count()).select_from(models.Document).where(*where)).one()
    query = (
        select(models.Document, models.Message)
        .join(models.Message, col(models.Message.id) == col(models.Document.message_id))
        .where(*where)
        .order_by(col(models.Document.id).desc())
        .offset(offset)
        .limit(limit)
    )
    rows = [_document(d, m) for d, m in session.exec(query).all()]
    return rows, int(total)


def _document(doc: models.Document, message: models.Message) -> schemas.ReceivedDocument:
    return schemas.ReceivedDocument(
        id=doc.id or 0,
        message_id=message.id or 0,
        part=doc.part,
        filename=doc.filename,
        content_type=doc.content_type,
        document_type=doc.document_type,
        type_reason=doc.type_reason,
        flags=[schemas.FlagPublic.model_validate(f) for f in doc.flags],
        source=message.source,
        email=message.email,
        received_at=message.received_at,
    )


def failed_messages(session: Session, *, company: int) -> list[schemas.FailedMessage]:
    """Return the company's messages that could not be processed at all, newest first."""
    query = (
        select(models.Message)
        .where(models.Message.company_id == company, models.Message.state == "failed")
        .order_by(col(models.Message.id).desc())
    )
    return [
        schemas.FailedMessage(
            id=m.id or 0,
            source=m.source,
            source_ref=m.source_ref,
            filename=m.filename,
            error=m.error or "",
            attempts=m.attempts,
            received_at=m.received_at,
        )
        for m in session.exec(query).all()
    ]


def left_on_server(session: Session, *, company: int) -> list[schemas.LeftOnServer]:
    """Return the company's mailbox messages recorded but never downloaded, newest first.

    A message over the size limit is moved to the mailbox's failed folder instead of
    being fetched; nothing of it is stored here but this row and its reason.
    """
    model = models.ProcessedMessage
    query = (
        select(model)
        .where(model.company_id == company, col(model.message_id).is_(None))
        .order_by(col(model.id).desc())
    )
    return [
        schemas.LeftOnServer(
            mailbox=row.mailbox,
            folder=row.folder,
            uid=row.uid,
            status=row.status,
            error=row.error or row.status,
            seen_at=row.created_at,
        )
        for row in session.exec(query).all()
    ]


@router.get("/api/documents", response_model=schemas.ReceivedDocuments)
def list_documents(
    session: SessionDep,
    company: CompanyDep,
    _user: CurrentUser,
    document_type: Annotated[DocumentKind, Query(alias="type")] = "failed",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> schemas.ReceivedDocuments:
    """List documents that are not payables: ``type=failed`` or ``type=not_invoice``."""
    data, count = received_documents(
        session, company=company, kind=document_type, limit=limit, offset=offset
    )
    return schemas.ReceivedDocuments(data=data, count=count)


@router.get("/api/documents/{document_id}/file")
def get_document_file(
    document_id: int, request: Request, session: SessionDep, company: CompanyDep, _user: CurrentUser
) -> Response:
    """Return a received document's original bytes, inert."""
    document = session.get(models.Document, document_id)
    if document is None or document.company_id != company:
        raise HTTPException(404, detail=f"document {document_id} not found")
    blobs: BlobStore = request.app.state.blobs
    try:
        data = blobs.get(document.sha256)
    except BlobMissingError as exc:
        raise HTTPException(410, detail="the document's bytes are missing") from exc
    return document_response(data, document.content_type, document.filename)


@router.get("/api/messages", response_model=schemas.FailedMessages)
def list_failed_messages(
    session: SessionDep, company: CompanyDep, _user: CurrentUser
) -> schemas.FailedMessages:
    """List messages that could not be processed, and mail left on the server, with reasons."""
    data = failed_messages(session, company=company)
    kept = left_on_server(session, company=company)
    return schemas.FailedMessages(data=data, count=len(data), left_on_server=kept)
