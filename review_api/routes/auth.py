"""Login and logout for the pages: the API token travels in an HttpOnly cookie.

The cookie is SameSite=Strict, so other sites' pages cannot make the browser
send it; form posts additionally check Origin/Referer and carry a CSRF token.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends
from fastapi import Form
from fastapi import HTTPException
from fastapi import Request
from fastapi import Response
from fastapi import status
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from review_api._render import render
from review_api.deps import COOKIE_NAME
from review_api.deps import CurrentUser
from review_api.deps import is_same_origin
from review_api.deps import lookup_token
from review_api.deps import user_from_request

router = APIRouter(tags=["auth"])
COOKIE_MAX_AGE_S = 12 * 3600


class Me(BaseModel):
    """The caller's name and role."""

    name: str
    role: str


def safe_next(target: str | None) -> str:
    """Return ``target`` when it is a path on this site, else ``/`` (no open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def require_same_origin(request: Request) -> None:
    """Refuse a form post that did not come from one of our pages."""
    if not is_same_origin(request):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="cross-site request refused")


SameOrigin = Depends(require_same_origin)


@router.get("/api/me", response_model=Me)
def me(user: CurrentUser) -> Me:
    """Return who the token belongs to."""
    return Me(name=user.name, role=user.role)


@router.get("/login", response_model=None)
def login_page(request: Request, next: str | None = None) -> Response:
    """Show the token form, or go on when the cookie is already good."""
    user, _ = user_from_request(request)
    if user is not None:
        return RedirectResponse(safe_next(next), status.HTTP_303_SEE_OTHER)
    return render(request, "login.html", {"next": safe_next(next), "error": None, "user": None})


@router.post("/login", response_model=None, dependencies=[SameOrigin])
def login(
    request: Request,
    token: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the pasted token and keep it in an HttpOnly, SameSite=Strict cookie."""
    token = token.strip()
    if not token or lookup_token(request.app.state.engine, token) is None:
        context = {"next": safe_next(next), "error": "That token is not valid.", "user": None}
        return render(request, "login.html", context, status_code=status.HTTP_401_UNAUTHORIZED)
    response = RedirectResponse(safe_next(next), status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=COOKIE_MAX_AGE_S,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.app.state.config.cookie_secure,
    )
    return response


@router.post("/logout", dependencies=[SameOrigin])
def logout(request: Request) -> RedirectResponse:
    """Forget the cookie and go back to the login page."""
    response = RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(
        COOKIE_NAME,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.app.state.config.cookie_secure,
    )
    return response
