"""A tiny local OAuth2 provider: a token endpoint and an introspection endpoint.

The token endpoint (``POST /token``) exchanges refresh tokens it was told about
for access tokens, optionally rotating the refresh token, and answers
``invalid_grant`` for revoked ones, as Google and Microsoft do. The
introspection endpoint (``/introspect``, bearer token in the Authorization
header) is what Dovecot's ``passdb oauth2`` asks to validate XOAUTH2 logins.
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass
from dataclasses import field
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


@dataclass
class OAuthState:
    """What the provider knows: refresh tokens and access tokens, per user."""

    refresh_tokens: dict[str, str] = field(default_factory=dict)
    access_tokens: dict[str, str] = field(default_factory=dict)
    rotate: bool = False
    expires_in: int = 3600
    token_requests: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class OAuthServer:
    """Serve ``/token`` and ``/introspect`` on a free loopback port."""

    def __init__(self) -> None:
        self.state = OAuthState()
        handler = type("Handler", (_Handler,), {"state": self.state})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def token_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/token"

    @property
    def introspection_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/introspect"

    def start(self) -> OAuthServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def grant(self, user: str) -> str:
        """Return a new refresh token for ``user``."""
        token = "rt-" + secrets.token_urlsafe(16)
        with self.state.lock:
            self.state.refresh_tokens[token] = user
        return token

    def revoke(self, refresh_token: str) -> None:
        """Forget a refresh token, as when the user withdraws consent."""
        with self.state.lock:
            self.state.refresh_tokens.pop(refresh_token, None)

    def revoke_access_tokens(self) -> None:
        """Expire every issued access token (forces a refresh)."""
        with self.state.lock:
            self.state.access_tokens.clear()


class _Handler(BaseHTTPRequestHandler):
    state: OAuthState

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        if self.path.startswith("/introspect"):
            self._introspect()
            return
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        with self.state.lock:
            self.state.token_requests.append(form)
            status, body = self._token(form)
        self._reply(status, body)

    def do_GET(self) -> None:
        self._introspect()

    def _token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        refresh = form.get("refresh_token", "")
        user = self.state.refresh_tokens.get(refresh)
        if form.get("grant_type") != "refresh_token" or user is None:
            return 400, {
                "error": "invalid_grant",
                "error_description": "Token has been expired or revoked.",
            }
        access = "at-" + secrets.token_urlsafe(16)
        self.state.access_tokens[access] = user
        body: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.state.expires_in,
        }
        if self.state.rotate:
            del self.state.refresh_tokens[refresh]
            new = "rt-" + secrets.token_urlsafe(16)
            self.state.refresh_tokens[new] = user
            body["refresh_token"] = new
        return 200, body

    def _introspect(self) -> None:
        auth = self.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip()
        with self.state.lock:
            user = self.state.access_tokens.get(token)
        body = {"active": True, "email": user} if user else {"active": False}
        self._reply(200, body)

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
