"""Signing in (an API key, once per browser session) and out."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ledger.web import keys
from ledger.web.services import services
from ledger.workbench.access import check_key
from ledger.workbench.csrf import require_form_token, require_same_origin
from ledger.workbench.render import PREFIX, page
from ledger.workbench.session import sessions

router = APIRouter()


def _safe_next(wanted: str | None) -> str:
    """Only a path of this server (never another site) to go on to after signing in."""
    if wanted and wanted.startswith(f"{PREFIX}/") and not wanted.startswith("//"):
        return wanted
    return f"{PREFIX}/"


def form(request: Request, message: str | None, wanted: str | None, status: int) -> HTMLResponse:
    return page(request, "signin.html", status=status, message=message, next=_safe_next(wanted))


@router.get("/signin")
def signin_page(request: Request, next: str | None = None) -> HTMLResponse:
    return form(request, None, next, status=200)


@router.post("/signin")
async def signin(
    request: Request,
    key: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    require_same_origin(request)  # a login forged by another site's page is refused
    found = await check_key(request, key.strip()) if key.strip() else None
    if found is None:
        return form(request, "That key is unknown, mistyped or revoked.", next, status=200)
    if found.role not in keys.READERS:
        message = f"A {found.role.value} key cannot read the ledger: use a reader key."
        return form(request, message, next, status=200)
    response = RedirectResponse(_safe_next(next), status_code=303)
    await sessions(request).start(response, request, found.key_id)
    return response


@router.post("/signout")
async def signout(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    """End the session on the server (a copy of the cookie stops working too)."""
    require_same_origin(request)
    if services(request).auth:
        require_form_token(request, csrf)
    response = RedirectResponse(f"{PREFIX}/signin", status_code=303)
    await sessions(request).end(response, request)
    return response
