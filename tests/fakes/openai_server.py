"""A local chat-completions server for the real ``openai`` client.

Tests point ``OpenAI(base_url=server.base_url)`` at it; nothing in the SDK is
patched. It speaks ``POST /v1/chat/completions`` (and ``/chat/completions``),
answers from a queue of scripted :class:`Reply` objects or from a callable,
records every request, and can misbehave on purpose: an HTTP 500, a body that
is not JSON, or an answer slower than the client's timeout.

Usage::

    with FakeOpenAIServer() as server:
        server.push(Reply.fields({"total_amount": "119.00"}))
        ...  # call code configured with base_url=server.base_url
        assert server.requests[0].body["model"] == "gpt-4o-mini"
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Any

CHAT_PATHS = ("/v1/chat/completions", "/chat/completions")


@dataclass
class Reply:
    """One scripted HTTP answer."""

    status: int = 200
    body: bytes | str | dict[str, Any] = b""
    delay_s: float = 0.0
    content_type: str = "application/json"

    @classmethod
    def chat(
        cls,
        content: str | None,
        *,
        prompt_tokens: int = 120,
        completion_tokens: int = 30,
        usage: bool = True,
    ) -> Reply:
        """Return a well-formed chat completion whose message text is ``content``."""
        body: dict[str, Any] = {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": "fake-model",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
        }
        if usage:
            body["usage"] = {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            }
        return cls(body=body)

    @classmethod
    def fields(cls, values: dict[str, Any], **kwargs: Any) -> Reply:
        """Return a chat completion whose content is ``values`` as JSON."""
        return cls.chat(json.dumps(values), **kwargs)

    @classmethod
    def error(cls, status: int = 500) -> Reply:
        """Return an OpenAI-style error body with ``status``."""
        return cls(status=status, body={"error": {"message": "scripted failure", "type": "fake"}})

    def encoded(self) -> bytes:
        """Return the body as bytes."""
        if isinstance(self.body, dict):
            return json.dumps(self.body).encode("utf-8")
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass
class RecordedRequest:
    """What the client sent: path, headers (lower-case names) and the parsed JSON body."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        """Return every text part of every message, joined (for redaction checks)."""
        out: list[str] = []
        for message in self.body.get("messages", []):
            content = message.get("content")
            if isinstance(content, str):
                out.append(content)
            elif isinstance(content, list):
                out.extend(p.get("text", "") for p in content if p.get("type") == "text")
        return "\n".join(out)

    def image_urls(self) -> list[str]:
        """Return the ``image_url`` URLs sent in the messages."""
        return [
            part["image_url"]["url"]
            for message in self.body.get("messages", [])
            if isinstance(message.get("content"), list)
            for part in message["content"]
            if part.get("type") == "image_url"
        ]


class FakeOpenAIServer:
    """A chat-completions server on 127.0.0.1, port chosen by the OS, in a thread."""

    def __init__(self, handler: Callable[[RecordedRequest], Reply] | None = None) -> None:
        """Create the server; ``handler`` answers when the queue is empty."""
        self.requests: list[RecordedRequest] = []
        self.handler = handler
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def base_url(self) -> str:
        """Return the URL to give ``OpenAI(base_url=...)``."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def push(self, *replies: Reply) -> None:
        """Queue replies, answered in order, one per request."""
        with self._lock:
            self._queue.extend(replies)

    def start(self) -> FakeOpenAIServer:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def _serve(self) -> None:
        # A short poll interval keeps shutdown (and so each test's teardown) fast.
        self._httpd.serve_forever(poll_interval=0.02)

    def stop(self) -> None:
        """Stop serving; slow replies in flight are cut short."""
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def answer(self, request: RecordedRequest) -> Reply:
        """Record ``request`` and return the next scripted reply."""
        with self._lock:
            self.requests.append(request)
            if self._queue:
                return self._queue.popleft()
        if self.handler is not None:
            return self.handler(request)
        return Reply(status=500, body={"error": {"message": "no scripted reply left"}})

    def wait(self, seconds: float) -> None:
        """Sleep up to ``seconds``, waking early when the server stops."""
        self._stopping.wait(seconds)


def _lower(items: Any) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in items}


def _make_handler(server: FakeOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            if self.path not in CHAT_PATHS:
                self._send(Reply(status=404, body={"error": {"message": "not found"}}))
                return
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {"_unparsed": raw.decode("utf-8", "replace")}
            reply = server.answer(RecordedRequest(self.path, _lower(self.headers.items()), body))
            if reply.delay_s:
                server.wait(reply.delay_s)
            self._send(reply)

        def _send(self, reply: Reply) -> None:
            data = reply.encoded()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test): nothing to answer

        def log_message(self, format: str, *args: Any) -> None:
            return  # keep test output quiet

    return Handler
