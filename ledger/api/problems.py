"""Every error as ``application/problem+json`` (RFC 9457): a title, a detail that says
which field and why, and never a stack trace."""

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from psycopg import Error as DatabaseError
from psycopg import OperationalError
from starlette.exceptions import HTTPException

from ledger.api.headers import FAILURE_HEADERS
from ledger.api.models import FieldProblem, Problem
from ledger.api.slashes import slash_twin
from ledger.domain.moments import BadMoment
from ledger.errors import (
    CannotRun,
    ConflictError,
    LedgerError,
    StoreRefused,
    StoreUnavailable,
    ValidationFailed,
)
from ledger.intake.limits import shown, shown_name

log = logging.getLogger("ledger.api")

MEDIA_TYPE = "application/problem+json"

_DESCRIPTIONS = {
    400: "The request cannot be read.",
    401: "No API key, or one that is unknown, wrong or revoked.",
    403: "The API key's role may not do this.",
    404: "No such thing in the ledger (at the position read).",
    409: "An event id is already in the ledger with different content.",
    413: "The body is larger than the server accepts (LEDGER_MAX_BODY_BYTES).",
    422: "A parameter or the body is invalid; `errors` names each field and why.",
    503: "The database cannot be reached.",
}


def responses(*codes: int, **described: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error answers a route can give; ``described`` gives a
    code its own description where the route's meaning differs (``_409="..."``)."""
    ref = {"$ref": "#/components/schemas/Problem"}
    wanted = {code: _DESCRIPTIONS[code] for code in codes}
    wanted |= {int(name.lstrip("_")): text for name, text in described.items()}
    return {
        code: {"description": text, "content": {MEDIA_TYPE: {"schema": ref}}}
        for code, text in wanted.items()
    }


class ProblemError(Exception):
    """Raised by routes to answer with a problem."""

    def __init__(
        self,
        status: int,
        detail: str,
        errors: list[FieldProblem] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers


LONGEST = 2_000
"""Most characters of a detail, field or message: names and values are cut where they
are written (``shown``, ``shown_name``); this bounds whatever one missed."""


def _cut(text: str) -> str:
    return text if len(text) <= LONGEST else f"{text[:LONGEST]}… ({len(text):,} characters)"


def problem(
    status: int,
    detail: str,
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    if errors is not None:
        errors = [
            e.model_copy(update={"field": _cut(e.field), "message": _cut(e.message)})
            for e in errors
        ]
    body = Problem(
        title=HTTPStatus(status).phrase, status=status, detail=_cut(detail), errors=errors
    )
    return JSONResponse(
        body.model_dump(mode="json"),
        status_code=status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


ErrorForm = Callable[[int, str, dict[str, str] | None], Response]
"""An error answer in another form than a problem: (status, detail, headers) to a response."""


def use_form(app: FastAPI, prefix: str, form: ErrorForm) -> None:
    """Answer the errors of the routes under ``prefix`` in ``form`` (TAXII's, under
    ``/taxii2/``), every other route's as problems."""
    app.state.error_forms = [*getattr(app.state, "error_forms", []), (prefix, form)]


def answer_at(
    app: Any,
    path: str,
    status: int,
    detail: str,
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """An error answer in the form of the route at ``path`` of ``app``: a problem unless
    a prefix of it was given another form."""
    for prefix, form in getattr(getattr(app, "state", None), "error_forms", ()):
        if path.startswith(prefix):
            return form(status, detail, headers)  # type: ignore[no-any-return]
    return problem(status, detail, errors, headers)


def answer(
    request: Request,
    status: int,
    detail: str,
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """An error answer to ``request`` in the form of its route (``answer_at``)."""
    return answer_at(request.app, request.url.path, status, detail, errors, headers)


def field_name(loc: tuple[int | str, ...]) -> str:
    """``("query", "limit")`` -> ``query.limit``; list indexes as ``events[2]``."""
    name = ""
    for part in loc:
        part = part if isinstance(part, int) else shown_name(part)
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else part)
    return name


def _validation_message(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "is invalid"))
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    given = error.get("input")
    if error.get("type") == "missing":
        return "is required but missing"
    if isinstance(error.get("ctx", {}).get("error"), BadMoment):  # "'x' has no timezone; ..."
        return f"{shown(given)} {message}"
    if isinstance(given, str | int | float | bool) and error.get("type") != "json_invalid":
        return f"{shown(given)}: {message[0].lower() + message[1:]}"
    return message[0].lower() + message[1:]


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).description
    if exc.status_code == 404 and detail == "Not Found":
        twin = slash_twin(request)
        if twin is not None:  # relative: never built from the Host header
            return RedirectResponse(twin, status_code=307)
        detail = f"there is no route {request.url.path}; /docs lists them"
    elif exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
    return answer(request, exc.status_code, detail, headers=getattr(exc, "headers", None))


async def _on_request_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        FieldProblem(field=field_name(tuple(e["loc"])), message=_validation_message(e))
        for e in exc.errors()
    ]
    first = errors[0] if errors else None
    detail = f"{first.field}: {first.message}" if first else "the request is invalid"
    if len(errors) > 1:
        detail += f" (and {len(errors) - 1} more)"
    return answer(request, 422, detail, errors)


async def _on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return answer(request, exc.status, exc.detail, exc.errors, exc.headers)


async def _on_ledger_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, ValidationFailed):
        errors = [FieldProblem(field="body", message=p) for p in exc.problems]
        return answer(request, 422, str(exc), errors)
    if isinstance(exc, ConflictError):
        return answer(request, 409, str(exc))
    if isinstance(exc, StoreUnavailable):
        return _unavailable(request, exc)
    if isinstance(exc, StoreRefused):
        return _refused(request, exc)
    if isinstance(exc, CannotRun):  # the server's own setup (a key file): not the client's
        log.warning("cannot answer %s %s: %s", request.method, request.url.path, exc)
        return answer(
            request, 503, "the server cannot answer this now; it is logged for the operators"
        )
    return answer(request, 400, str(exc))


def _refused(request: Request, exc: StoreRefused) -> Response:
    """A database refusal: its reason goes to the log, never to the client."""
    log.warning(
        "the database refused %s %s: %s (SQLSTATE %s)",
        request.method,
        request.url.path,
        exc.detail,
        exc.sqlstate,
    )
    if exc.bad_value:
        return answer(
            request,
            400,
            "a value of this request is outside what the database accepts; check its times"
            " and numbers",
        )
    if exc.transient:
        return answer(
            request, 503, "the database could not finish this request now; try again shortly"
        )
    return answer(request, 500, "the server failed on this request; it is logged for the operators")


async def _on_database_error(request: Request, exc: Exception) -> Response:
    """A database error that did not pass through the store (a lookup on the event loop)."""
    assert isinstance(exc, DatabaseError)
    refused = StoreRefused(exc.sqlstate or "", exc.diag.message_primary or type(exc).__name__)
    return _refused(request, refused)


def _unavailable(request: Request, exc: Exception) -> Response:
    log.warning("database unavailable: %s", exc)
    return answer(request, 503, "the ledger's database cannot be reached; try again shortly")


async def _on_database_down(request: Request, exc: Exception) -> Response:
    return _unavailable(request, exc)


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return answer(
        request,
        500,
        "the server failed on this request; it is logged for the operators",
        headers=FAILURE_HEADERS,
    )


def install(app: FastAPI) -> None:
    """Answer every error, expected or not, as a problem."""
    app.add_exception_handler(HTTPException, _on_http)
    app.add_exception_handler(RequestValidationError, _on_request_validation)
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(LedgerError, _on_ledger_error)
    app.add_exception_handler(OperationalError, _on_database_down)
    app.add_exception_handler(DatabaseError, _on_database_error)
    app.add_exception_handler(Exception, _on_unexpected)
