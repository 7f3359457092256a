"""Mounting the workbench on the API's application: its pages under ``/workbench``,
its static files, the sign-in answer for requests without a valid session, and ``/``
leading to it."""

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from ledger.config import Settings
from ledger.workbench.access import SignInRequired
from ledger.workbench.controls import Redirect
from ledger.workbench.csrf import ForeignForm
from ledger.workbench.pages import (
    audit,
    claims,
    entities,
    live,
    posture,
    search,
    signin,
    sources,
)
from ledger.workbench.reads import CannotRead
from ledger.workbench.render import PREFIX, page
from ledger.workbench.session import Sessions


async def _sign_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return signin.form(request, exc.reason, wanted, status=200)


async def _redirect(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Redirect)
    return RedirectResponse(exc.url, status_code=303)


async def _cannot_read(request: Request, exc: Exception) -> Response:
    return page(request, "problem.html", status=409, message=str(exc))


async def _foreign_form(request: Request, exc: Exception) -> Response:
    message = f"Refused: {exc}. Nothing was changed; use the workbench's own pages."
    return page(request, "problem.html", status=403, message=message)


def install(app: FastAPI, settings: Settings) -> None:
    """Add the workbench to ``app`` (the API's application, so the same services)."""
    app.state.workbench_sessions = Sessions(settings.public_url)
    app.add_exception_handler(SignInRequired, _sign_in)
    app.add_exception_handler(Redirect, _redirect)
    app.add_exception_handler(CannotRead, _cannot_read)
    app.add_exception_handler(ForeignForm, _foreign_form)
    for module in (signin, posture, entities, claims, sources, search, audit, live):
        app.include_router(module.router, prefix=PREFIX, include_in_schema=False)
    static = files("ledger.workbench").joinpath("static")
    app.mount(f"{PREFIX}/static", StaticFiles(directory=str(static)), name="workbench-static")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}/", status_code=303)

    @app.get(PREFIX, include_in_schema=False)
    def bare() -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}/", status_code=303)
