"""The first check of every request, before any route: a body within the size limit, and
no NUL character in the path or a query parameter (PostgreSQL cannot hold one, so it
would otherwise surface as a database error instead of a 422 naming the parameter)."""

from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ledger.api.models import FieldProblem
from ledger.api.problems import ProblemError, problem
from ledger.intake.limits import InputLimits


def _too_large(limit: int, size: int | None = None) -> ProblemError:
    given = f"of {size:,} bytes " if size is not None else ""
    message = (
        f"the body {given}is larger than the {limit:,} bytes allowed (LEDGER_MAX_BODY_BYTES); "
        "split it into smaller batches"
    )
    return ProblemError(413, f"body: {message}", [FieldProblem(field="body", message=message)])


def _nul_problem(scope: Scope) -> ProblemError | None:
    """A 422 naming the path or the first query parameter that holds a NUL, if any."""
    raw_path: bytes = scope.get("raw_path") or str(scope.get("path", "")).encode()
    if b"\x00" in unquote_to_bytes(raw_path) or "\x00" in str(scope.get("path", "")):
        message = "the path contains a NUL character (%00), which no id holds"
        return ProblemError(422, f"path: {message}", [FieldProblem(field="path", message=message)])
    query = bytes(scope.get("query_string", b"")).decode("latin-1")
    if "%00" not in query and "\x00" not in query:
        return None
    for name, value in parse_qsl(query, keep_blank_values=True, encoding="latin-1"):
        if "\x00" in value or "\x00" in name:
            field = f"query.{name.replace(chr(0), '')}"
            message = "contains a NUL character (%00), which no parameter value may hold"
            return ProblemError(
                422, f"{field}: {message}", [FieldProblem(field=field, message=message)]
            )
    return None


class InputGuard:
    """ASGI middleware: refuses oversized bodies (413) and NUL in path or query (422)."""

    def __init__(self, app: ASGIApp, limits: InputLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = _nul_problem(scope)
        limit = self.limits.max_body_bytes
        length = _content_length(scope)
        if refused is None and length is not None and length > limit:
            refused = _too_large(limit, length)
        if refused is not None:
            answer = problem(refused.status, refused.detail, refused.errors)
            await answer(scope, receive, send)
            return
        received = 0

        async def bounded() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _too_large(limit)
            return message

        await self.app(scope, bounded, send)


def _content_length(scope: Scope) -> int | None:
    headers: Any = scope.get("headers") or []
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
