"""Build the review desk's FastAPI application: JSON API, pages and static files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from review_api import pages
from review_api._limits import BodyLimit
from review_api._render import STATIC_DIR
from review_api._render import make_templates
from review_api.config import ReviewConfig
from review_api.routes import auth
from review_api.routes import documents
from review_api.routes import health as health_route
from review_api.routes import invoices
from review_api.routes import received
from review_api.routes import review
from review_api.routes import vendors
from storage.blobs import BlobStore


def create_app(
    config: ReviewConfig,
    engine: Engine,
    blobs: BlobStore,
    *,
    health: Callable[[], dict[str, Any]] | None = None,
    company_slug: str = "default",
) -> FastAPI:
    """Return the review app for one company's invoices.

    Args:
        config: listening address, page size, upload limit, cookie flags.
        engine: the database (already migrated).
        blobs: the blob store holding messages and documents.
        health: called by ``/healthz`` for the daemon's own report (last polls, queue depth).
        company_slug: which company's invoices this app serves.

    Returns:
        The application; everything it needs is kept on ``app.state``.
    """
    app = FastAPI(title="AP Inbox review desk", version="1")
    app.state.config = config
    app.state.engine = engine
    app.state.blobs = blobs
    app.state.health = health
    app.state.company_slug = company_slug
    app.state.company_id = None
    app.state.templates = make_templates()
    for module in (health_route, invoices, review, documents, received, vendors, auth, pages):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(BodyLimit, max_bytes=config.max_upload_bytes, prefixes=("/api/documents",))
    return app
