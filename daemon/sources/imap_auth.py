"""OAuth2 access tokens for XOAUTH2 logins (Gmail, Microsoft 365, or any token URL).

:class:`TokenProvider` exchanges the refresh token for an access token at the
provider's token endpoint (RFC 6749 section 6) and refreshes it shortly before
it expires. Providers may rotate the refresh token; the new one is written to
``state_dir`` (mode 0600) and preferred afterwards, as long as the configured
token is unchanged (an operator who pastes a new token in the config wins).
``invalid_grant`` means consent was revoked or the token expired: that raises
:class:`~daemon.sources.imap_errors.ConsentRevokedError`, which needs a person.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from daemon.config import OAuth2Config
from daemon.sources.imap_errors import ConsentRevokedError
from daemon.sources.imap_errors import TokenRefreshError

TOKEN_URLS = {
    "google": "https://oauth2.googleapis.com/token",
    "microsoft": "https://login.microsoftonline.com/common/oauth2/v2.0/token",
}
DEFAULT_SCOPES = {
    "google": "https://mail.google.com/",
    "microsoft": "https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
}
#: Refresh this long before the provider's expiry, so a login never races it.
REFRESH_MARGIN_S = 120.0
_HTTP_TIMEOUT_S = 30.0


class TokenProvider:
    """Hand out a valid access token for one mailbox, refreshing when needed."""

    def __init__(
        self,
        mailbox: str,
        config: OAuth2Config,
        *,
        state_dir: Path,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Keep rotated refresh tokens for ``mailbox`` in ``state_dir``."""
        self.mailbox = mailbox
        self.config = config
        self.state_file = Path(state_dir) / f"oauth2-{_safe(mailbox)}.json"
        self._clock = clock
        self._lock = threading.Lock()
        self._access: str | None = None
        self._expires_at = 0.0

    @property
    def token_url(self) -> str:
        """The configured token URL, or the provider's default."""
        url = self.config.token_url or TOKEN_URLS.get(self.config.provider)
        if not url:
            msg = f"mailbox {self.mailbox!r}: oauth2.token_url is required for provider 'custom'"
            raise TokenRefreshError(msg)
        return url

    def access_token(self) -> tuple[str, bool]:
        """Return ``(token, fresh)``; ``fresh`` is True when it was just fetched."""
        with self._lock:
            if self._access is not None and self._clock() < self._expires_at - REFRESH_MARGIN_S:
                return self._access, False
            self._refresh()
            assert self._access is not None
            return self._access, True

    def invalidate(self) -> None:
        """Forget the access token (the server refused it); the next call refreshes."""
        with self._lock:
            self._access = None

    def _refresh(self) -> None:
        reply = self._post(self._form())
        token = reply.get("access_token")
        if not isinstance(token, str) or not token:
            msg = f"mailbox {self.mailbox!r}: token endpoint answered without an access_token"
            raise TokenRefreshError(msg)
        self._access = token
        self._expires_at = self._clock() + float(reply.get("expires_in") or 3600)
        rotated = reply.get("refresh_token")
        if isinstance(rotated, str) and rotated and rotated != self._refresh_token():
            self._save_rotated(rotated)

    def _form(self) -> dict[str, str]:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": self._refresh_token(),
            "client_id": self.config.client_id,
        }
        secret = self._client_secret()
        if secret:
            form["client_secret"] = secret
        scope = self.config.scope or DEFAULT_SCOPES.get(self.config.provider)
        if scope:
            form["scope"] = scope
        return form

    def _post(self, form: dict[str, str]) -> dict[str, Any]:
        data = urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(self.token_url, data=data, method="POST")  # noqa: S310
        request.add_header("Accept", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=_HTTP_TIMEOUT_S) as response:  # noqa: S310
                return _json(response.read())
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc.code, _json(exc.read())) from exc
        except (OSError, ValueError) as exc:
            msg = f"mailbox {self.mailbox!r}: token endpoint unreachable: {exc}"
            raise TokenRefreshError(msg) from exc

    def _http_error(self, code: int, body: dict[str, Any]) -> Exception:
        error = str(body.get("error") or f"HTTP {code}")
        detail = str(body.get("error_description") or "")
        if error == "invalid_grant":
            msg = (
                f"mailbox {self.mailbox!r}: consent revoked: the OAuth2 refresh token was "
                f"refused (invalid_grant{': ' + detail if detail else ''}); authorise the "
                "mailbox again and set a new oauth2.refresh_token"
            )
            return ConsentRevokedError(msg)
        msg = f"mailbox {self.mailbox!r}: token endpoint answered {error} {detail}".strip()
        return TokenRefreshError(msg)

    def _refresh_token(self) -> str:
        configured = self._configured_refresh_token()
        stored = self._load_rotated()
        if stored is not None and stored.get("origin") == _fingerprint(configured):
            return str(stored["refresh_token"])
        return configured

    def _configured_refresh_token(self) -> str:
        if self.config.refresh_token is not None:
            return self.config.refresh_token.get_secret_value()
        if self.config.refresh_token_file is not None:
            return self.config.refresh_token_file.read_text().strip()
        msg = f"mailbox {self.mailbox!r}: oauth2 needs refresh_token or refresh_token_file"
        raise TokenRefreshError(msg)

    def _client_secret(self) -> str | None:
        if self.config.client_secret is not None:
            return self.config.client_secret.get_secret_value()
        if self.config.client_secret_file is not None:
            return self.config.client_secret_file.read_text().strip()
        return None

    def _load_rotated(self) -> dict[str, Any] | None:
        try:
            return _json(self.state_file.read_bytes())
        except (OSError, ValueError):
            return None

    def _save_rotated(self, token: str) -> None:
        payload = {"refresh_token": token, "origin": _fingerprint(self._configured_refresh_token())}
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(".tmp")
        # Created 0600 from the start: the token must never be readable by others.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(payload, fh)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(self.state_file)


def _json(data: bytes) -> dict[str, Any]:
    try:
        value = json.loads(data or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
