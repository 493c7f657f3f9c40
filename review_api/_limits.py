"""An ASGI guard that answers 413 before an oversized upload reaches the disk.

Starlette spools multipart files to temporary files without a total limit, so
the cap is enforced on the raw body as it streams in: by ``Content-Length`` when
the client declares one, and by counting bytes when it does not.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp
from starlette.types import Message
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

#: Room for multipart boundaries and part headers on top of the files themselves.
FRAMING_ALLOWANCE = 1024 * 1024


class _BodyTooLargeError(Exception):
    """The request body grew past the limit while it was being read."""


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` on paths starting with ``prefixes``."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, prefixes: tuple[str, ...]) -> None:
        """Wrap ``app``; the limit includes :data:`FRAMING_ALLOWANCE`."""
        self.app = app
        self.max_bytes = max_bytes + FRAMING_ALLOWANCE
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request through, or answer 413 once it is too large."""
        if scope["type"] != "http" or not str(scope["path"]).startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        if _declared_length(scope) > self.max_bytes:
            await _send_413(send)
            return
        await self._guarded(scope, receive, send)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLargeError
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLargeError:
            if not started:
                await _send_413(send)


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


async def _send_413(send: Send) -> None:
    body = json.dumps({"detail": "upload too large"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
