"""FastAPI dependencies: database sessions, the company, the current user and roles.

Two ways in: the API takes ``Authorization: Bearer <token>``; the pages (and
their own fetches) send the same token in an HttpOnly, SameSite=Strict cookie.
A cookie rides along with any request the browser makes, so a state-changing
request authenticated by cookie must also come from our own origin (CSRF).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends
from fastapi import HTTPException
from fastapi import Request
from fastapi import status
from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage import repo

COOKIE_NAME = "apinbox_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ROLE_RANK = {"viewer": 0, "reviewer": 1, "admin": 2}


@dataclass(frozen=True)
class User:
    """The caller, as identified by an API token."""

    name: str
    role: str
    #: Derived from the token; forms echo it back to prove they came from our pages.
    csrf: str

    def can(self, role: str) -> bool:
        """Return True when this user has ``role`` or a stronger one."""
        return ROLE_RANK.get(self.role, -1) >= ROLE_RANK[role]


def csrf_for(token: str) -> str:
    """Return the CSRF form token bound to an API token (an HMAC keyed by it)."""
    return hmac.new(token.encode(), b"apinbox-csrf", hashlib.sha256).hexdigest()


def get_session(request: Request) -> Iterator[Session]:
    """Yield a session on the app's engine; handlers commit their own writes."""
    engine: Engine = request.app.state.engine
    with Session(engine, expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_company_id(request: Request) -> int:
    """Return the id of the company this app serves (resolved once, then cached)."""
    state = request.app.state
    if state.company_id is None:
        state.company_id = repo.company_id(state.engine, slug=state.company_slug)
    company: int = state.company_id
    return company


CompanyDep = Annotated[int, Depends(get_company_id)]


def is_same_origin(request: Request) -> bool:
    """Return True when Origin (or, failing that, Referer) names this host."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        return False
    return urlsplit(source).netloc == request.headers.get("host", "")


def _credentials(request: Request) -> tuple[str | None, bool]:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip(), False
    return request.cookies.get(COOKIE_NAME), True


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


def lookup_token(engine: Engine, token: str) -> User | None:
    """Return the user of a live token, in a transaction of its own.

    Kept apart from the request's session on purpose: SQLite transactions start
    with ``BEGIN IMMEDIATE``, so a lookup left open would hold the write lock for
    the whole request and stall the workers (and our own nested writes).
    """
    with Session(engine) as session:
        row = repo.token_for(session, token=token)
        return None if row is None else User(name=row.name, role=row.role, csrf=csrf_for(token))


def user_from_request(request: Request) -> tuple[User | None, bool]:
    """Return ``(user or None, via_cookie)`` for the request's credentials."""
    token, via_cookie = _credentials(request)
    if not token:
        return None, via_cookie
    return lookup_token(request.app.state.engine, token), via_cookie


def current_user(request: Request) -> User:
    """Return the authenticated caller or answer 401 (403 for a cross-site cookie write)."""
    token, _ = _credentials(request)
    user, via_cookie = user_from_request(request)
    if user is None:
        raise _unauthorized("missing API token" if not token else "invalid or revoked API token")
    if via_cookie and request.method not in SAFE_METHODS and not is_same_origin(request):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="cross-site request refused")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def _role_checker(role: str) -> Callable[[User], User]:
    def check(user: CurrentUser) -> User:
        if not user.can(role):
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"requires the {role} role")
        return user

    return check


RequireReviewer = Annotated[User, Depends(_role_checker("reviewer"))]
RequireAdmin = Annotated[User, Depends(_role_checker("admin"))]
