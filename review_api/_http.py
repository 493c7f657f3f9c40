"""Translating review errors into HTTP answers, shared by the API routes."""

from __future__ import annotations

from fastapi import HTTPException
from fastapi import status

from review_api._queries import ConflictError
from review_api._queries import InvalidRequestError
from review_api._queries import NotFoundError
from review_api._queries import ReviewError

_STATUS: dict[type[ReviewError], int] = {
    NotFoundError: status.HTTP_404_NOT_FOUND,
    ConflictError: status.HTTP_409_CONFLICT,
    InvalidRequestError: 422,
}


def http_error(exc: ReviewError) -> HTTPException:
    """Return the HTTP exception that answers ``exc``."""
    code = next((c for t, c in _STATUS.items() if isinstance(exc, t)), 400)
    return HTTPException(code, detail=str(exc))
