"""What routes share: the opened ledger, key checks by role, read positions and cursors."""

import base64
import binascii
import json
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

import psycopg
from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from psycopg_pool import AsyncConnectionPool

from ledger.api import keys
from ledger.api.keys import ApiKey, Role
from ledger.api.models import FieldProblem, ReadAt
from ledger.api.problems import ProblemError
from ledger.errors import StoreUnavailable
from ledger.projection import queries
from ledger.projection.queries import Conn
from ledger.sinks import EventSink
from ledger.store.postgres import PostgresLedger


@dataclass
class Services:
    """The adapters one server process uses, opened at start-up and closed at shutdown."""

    ledger: PostgresLedger
    sink: EventSink
    keys: AsyncConnectionPool | None = None
    """Checks keys on the event loop (None when keys are off)."""
    auth: bool = True
    publishing: threading.Lock = field(default_factory=threading.Lock)


def services(request: Request) -> Services:
    found = request.app.state.services
    assert isinstance(found, Services)
    return found


@contextmanager
def connection(request: Request) -> Iterator[Conn]:
    with services(request).ledger.connection() as conn:
        yield conn


_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key made with `ledger keys create --role ROLE --name NAME`.",
)

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="ledger"'}


def _query_names(dependant: Any) -> set[str]:
    """The query parameters a route and its dependencies declare."""
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def known_parameters(request: Request) -> None:
    """422 for a query parameter the route does not take (a typo would else be ignored)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    declared = _query_names(dependant)
    unknown = sorted(set(request.query_params) - declared)
    if unknown:
        known = ", ".join(sorted(declared)) or "none"
        message = f"{unknown[0]!r} is not a parameter of this route (it takes: {known})"
        raise ProblemError(
            422,
            f"query.{unknown[0]}: {message}",
            [FieldProblem(field=f"query.{name}", message=message) for name in unknown],
        )


def require(roles: frozenset[Role], action: str) -> Callable[..., Awaitable[ApiKey | None]]:
    """A dependency admitting keys of ``roles`` (401 without a valid key, 403 wrong role)."""

    async def check(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    ) -> ApiKey | None:
        found = services(request)
        if not found.auth or found.keys is None:
            known_parameters(request)
            return None
        if credentials is None:
            raise ProblemError(
                401,
                "this route needs an API key: send the header Authorization: Bearer <key>",
                headers=_CHALLENGE,
            )
        try:
            async with found.keys.connection() as conn:
                key = await keys.authenticate_async(conn, credentials.credentials)
        except psycopg.OperationalError as exc:
            raise StoreUnavailable(f"cannot check the API key: {exc}") from exc
        if key is None:
            raise ProblemError(
                401, "the API key is unknown, mistyped or revoked", headers=_CHALLENGE
            )
        if key.role not in roles:
            needed = " or ".join(sorted(r.value for r in roles))
            raise ProblemError(
                403, f"a {key.role.value} key cannot {action}; that needs a {needed} key"
            )
        known_parameters(request)
        return key

    return check


Reader = Depends(require(keys.READERS, "read the ledger"))
Writer = Depends(require(keys.WRITERS, "append events"))


def encode_cursor(position: int, key: Any) -> str:
    """An opaque page token: the position read at and the last key returned."""
    text = json.dumps({"p": position, "k": key}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(token: str, key_type: type | tuple[type, ...]) -> tuple[int, Any]:
    """The (position, key) in a page token; 422 if it is not one this server gave."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        position, key = data["p"], data["k"]
        if isinstance(key, list):
            key = tuple(key)
        if not isinstance(position, int) or position < 0 or not isinstance(key, key_type):
            raise ValueError
        if isinstance(key, tuple) and not all(isinstance(part, str) for part in key):
            raise ValueError
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError):
        raise ProblemError(
            422,
            "query.cursor: not a page token from this API; pass next_cursor back unchanged",
            [FieldProblem(field="query.cursor", message="not a page token from this API")],
        ) from None
    return position, key


def read_at(
    conn: Conn,
    projections: tuple[str, ...],
    *,
    as_of: datetime | None,
    valid_at: datetime | None = None,
    pinned: int | None = None,
) -> ReadAt:
    """The position to answer at: how far all ``projections`` have folded, what was known
    at ``as_of``, or the position a page token pinned."""
    try:
        rows = conn.execute(
            "SELECT name, position FROM projection.cursors WHERE name = ANY(%s)",
            (list(projections),),
        ).fetchall()
    except psycopg.errors.UndefinedTable:
        rows = []
    cursors = dict.fromkeys(projections, 0) | {name: int(p) for name, p in rows}
    if not rows:
        raise ProblemError(503, "the projections are not built yet: run `ledger project`")
    cursor = min(cursors.values())
    if pinned is not None:
        if pinned > cursor:
            raise ProblemError(
                422,
                "query.cursor: the page token is ahead of the projection (was it rebuilt?)",
                [FieldProblem(field="query.cursor", message="ahead of the projection")],
            )
        position = pinned
    elif as_of is not None:
        position = min(cursor, queries.position_at(conn, as_of))
    else:
        position = cursor
    return ReadAt(
        position=position,
        projection_cursor=cursor,
        projections=cursors,
        as_of=as_of,
        valid_at=valid_at,
    )
