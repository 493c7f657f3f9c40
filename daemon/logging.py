"""Logging set-up: text or JSON lines, correlation ids, secrets never printed."""

from __future__ import annotations

import contextvars
import json
import logging
import re
from typing import Any

#: The record being worked on, put on every log line of its thread.
correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "correlation_id", default=None
)

_SECRET = re.compile(
    r"(?i)(password|passwd|secret|token|api_key|authorization)(['\"]?\s*[:=]\s*['\"]?)([^\s'\",;]+)"
)
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
_API_TOKEN = re.compile(r"apx_[A-Za-z0-9_-]+")


def redact(text: str) -> str:
    """Blank out anything that looks like a secret in ``text``."""
    text = _API_TOKEN.sub("apx_***", _BEARER.sub(r"\1***", text))
    return _SECRET.sub(r"\1\2***", text)


class _ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id.get()
        return True


class _RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _JsonFormatter(logging.Formatter):
    _EXTRA = ("action", "record_id", "stage", "correlation_id")

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        out.update(
            {k: getattr(record, k) for k in self._EXTRA if getattr(record, k, None) is not None}
        )
        if record.exc_info:
            out["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(out, default=str)


def configure_logging(*, level: str = "INFO", fmt: str = "text") -> None:
    """Install one handler on the root logger (idempotent)."""
    handler = logging.StreamHandler()
    handler.addFilter(_ContextFilter())
    if fmt == "json":
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(_RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
