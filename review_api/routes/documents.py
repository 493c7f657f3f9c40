"""``POST /api/documents``: upload files into the inbox, as if they had been mailed.

Each file is stored as a message (source ``upload``); the daemon's worker reads
stored messages later, so this answers as soon as the bytes are durable.
"""

from __future__ import annotations

import re

from fastapi import APIRouter
from fastapi import HTTPException
from fastapi import Request
from fastapi import status
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from review_api import schemas
from review_api.deps import CompanyDep
from review_api.deps import RequireReviewer
from storage import repo

router = APIRouter(prefix="/api/documents", tags=["documents"])
MAX_FILES = 100


def safe_filename(name: str | None) -> str | None:
    """Return the base name of an uploaded file without control characters."""
    if not name:
        return None
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip()[:300]
    return base or None


async def _read_all(uploads: list[UploadFile], limit: int) -> list[tuple[str | None, bytes]]:
    files, total = [], 0
    for upload in uploads:
        data = await upload.read(limit + 1)
        total += len(data)
        if total > limit:
            raise HTTPException(
                status.HTTP_413_CONTENT_TOO_LARGE,
                detail=f"uploads are limited to {limit} bytes",
            )
        if not data:
            raise HTTPException(422, detail=f"{upload.filename or 'a file'} is empty")
        files.append((safe_filename(upload.filename), data))
    return files


@router.post("", response_model=schemas.UploadResult, status_code=status.HTTP_201_CREATED)
async def upload_documents(
    request: Request, company: CompanyDep, user: RequireReviewer
) -> schemas.UploadResult:
    """Store every file of a multipart upload (any field name) as a new message."""
    async with request.form(max_files=MAX_FILES) as form:
        uploads = [v for _, v in form.multi_items() if isinstance(v, UploadFile)]
        if not uploads:
            raise HTTPException(422, detail="no file uploaded")
        files = await _read_all(uploads, request.app.state.config.max_upload_bytes)
    state = request.app.state
    stored = []
    for filename, data in files:
        message, created = await run_in_threadpool(
            repo.store_message,
            state.engine,
            state.blobs,
            company=company,
            source="upload",
            source_ref=user.name,
            data=data,
            filename=filename,
        )
        assert message.id is not None
        stored.append(
            schemas.UploadedMessage(
                message_id=message.id, created=created, filename=filename, size=len(data)
            )
        )
    return schemas.UploadResult(data=stored)
