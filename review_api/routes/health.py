"""``/healthz``: liveness plus the database's answer and the daemon's own report."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi import Request
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from review_api import schemas

router = APIRouter(tags=["health"])
logger = logging.getLogger(__name__)


def database_ok(engine: Engine) -> bool:
    """Return True when the database answers a trivial query."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        logger.warning("health check: database unreachable", exc_info=True)
        return False
    return True


def _extra(health: Callable[[], dict[str, Any]] | None) -> dict[str, Any]:
    if health is None:
        return {}
    try:
        return dict(health())
    except Exception:
        logger.exception("health reporter failed")
        return {"health_error": "the daemon's health reporter failed"}


@router.get("/healthz", response_model=schemas.Health)
def healthz(request: Request) -> schemas.Health:
    """Answer ``status: ok`` while the process serves; ``database`` tells the rest."""
    extra = _extra(request.app.state.health)
    database = "ok" if database_ok(request.app.state.engine) else "error"
    # status and database are ours; the reporter's keys may not overwrite them.
    return schemas.Health.model_validate({**extra, "status": "ok", "database": database})
