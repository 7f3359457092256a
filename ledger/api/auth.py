"""Bearer keys by role on every route but /health, checked before anything is touched,
and no query parameter a route does not take."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi._compat import field_annotation_is_sequence
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import TypeAdapter, ValidationError

from ledger.api import keys
from ledger.api.keys import ApiKey, Role
from ledger.api.models import FieldProblem
from ledger.api.problems import ProblemError
from ledger.api.routes.params import Moment
from ledger.api.services import lookup, services
from ledger.domain.marking import OPERATOR, PUBLIC, Clearance
from ledger.limits import shown, shown_name
from ledger.store.sessions import LIVE_SESSION_KEY


@dataclass(frozen=True)
class ReadContext:
    """Fetched with the key: each projection's cursor (None before any projection is
    built) and the last position recorded by ``as_of``."""

    cursors: dict[str, int] | None
    as_of: datetime | None
    known: int | None
    head: int | None = None
    """The ledger's last position, to say how far the projections lag behind it."""


bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key made with `ledger keys create --role ROLE --name NAME`.",
)

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="ledger"'}


def _query_names(dependant: Any) -> dict[str, bool]:
    """The query parameters a route and its dependencies declare, each with whether it
    may be repeated (a list) or must be given once."""
    names = {
        param.alias: field_annotation_is_sequence(param.field_info.annotation)
        for param in dependant.query_params
    }
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


_DECLARED = "_ledger_query_parameters"
"""Attribute of a route holding the query parameters it takes."""


def known_parameters(request: Request) -> None:
    """422 for a query parameter the route does not take (a typo would else be ignored)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    declared = getattr(route, _DECLARED, None)
    if declared is None:  # worked out once per route, not on every request
        declared = _query_names(dependant)
        setattr(route, _DECLARED, declared)
    unknown = sorted(set(request.query_params) - set(declared))
    if unknown:
        known = ", ".join(sorted(declared)) or "none"
        messages = {
            name: f"{shown(name)} is not a parameter of this route (it takes: {known})"
            for name in unknown
        }
        more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
        raise ProblemError(
            422,
            f"query.{shown_name(unknown[0])}: {messages[unknown[0]]}{more}",
            [
                FieldProblem(field=f"query.{shown_name(name)}", message=messages[name])
                for name in unknown
            ],
        )
    repeated = sorted(
        name
        for name, many in declared.items()
        if not many and len(request.query_params.getlist(name)) > 1
    )
    if repeated:
        message = "given more than once; this parameter takes one value"
        raise ProblemError(
            422,
            f"query.{repeated[0]}: {message}",
            [FieldProblem(field=f"query.{name}", message=message) for name in repeated],
        )


_CONTEXT = (
    "SELECT k.key_id, k.name, k.role, k.created_at, k.revoked_at, k.key_hash,"
    " k.clearance_rank, k.compartments, ledger.projection_cursors(),"
    " CASE WHEN %(as_of)s::timestamptz IS NULL THEN NULL"
    " ELSE ledger.position_at(%(as_of)s::timestamptz) END,"
    " (SELECT max(position) FROM ledger.events)"
    " FROM (SELECT 1) AS one LEFT JOIN ledger.api_keys k ON k.key_id ="
    f" coalesce(%(key_id)s, {LIVE_SESSION_KEY})"
)

_MOMENT: TypeAdapter[datetime] = TypeAdapter(Moment)


def _as_of(request: Request) -> datetime | None:
    """The request's as_of if it is a valid time (the route itself reports it if not)."""
    given = request.query_params.get("as_of")
    if given is None:
        return None
    try:
        return _MOMENT.validate_python(given)
    except ValidationError:
        return None


async def load_context(
    request: Request, key_id: str | None, *, session: bytes | None = None
) -> tuple[Any, ...]:
    """The key's row (all None if unknown), found by its id or by the token hash of a
    live workbench ``session``, and the read context, in one round trip; the context is
    left in ``request.state.read_context``."""
    as_of = _as_of(request)
    async with lookup(request) as conn:
        cursor = await conn.execute(
            _CONTEXT, {"key_id": key_id, "session": session, "as_of": as_of}
        )
        row = await cursor.fetchone()
    assert row is not None
    request.state.read_context = ReadContext(
        cursors=row[8],
        as_of=as_of,
        known=None if row[9] is None else int(row[9]),
        head=None if row[10] is None else int(row[10]),
    )
    return tuple(row[:8])


def require(roles: frozenset[Role], action: str) -> Callable[..., Awaitable[ApiKey | None]]:
    """A dependency admitting keys of ``roles`` (401 without a valid key, 403 wrong role).

    The key check also brings back what a read needs to know where to answer (the
    projections' cursors, the position known at ``as_of``): one round trip for both.
    """

    async def check(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    ) -> ApiKey | None:
        found = services(request)
        if not found.auth:  # a server run without keys answers as the operator
            request.state.clearance = OPERATOR
            request.state.role = Role.ADMIN
            await load_context(request, None)
            known_parameters(request)
            return None
        if credentials is None:
            raise ProblemError(
                401,
                "this route needs an API key: send the header Authorization: Bearer <key>",
                headers=CHALLENGE,
            )
        key_id = keys.key_id_of(credentials.credentials)
        row = await load_context(request, key_id) if key_id else None
        key = keys.verified(row if row and row[0] is not None else None, credentials.credentials)
        if key is None:
            raise ProblemError(
                401, "the API key is unknown, mistyped or revoked", headers=CHALLENGE
            )
        if key.role not in roles:
            needed = " or ".join(sorted(r.value for r in roles))
            raise ProblemError(
                403,
                f"{keys.with_article(key.role.value)} key cannot {action}; "
                f"that needs {keys.with_article(needed)} key",
            )
        request.state.clearance = key.clearance
        request.state.role = key.role
        known_parameters(request)
        return key

    return check


def clearance_of(request: Request) -> Clearance:
    """The clearance the request's key holds; a request no key check admitted holds the
    least (UNCLASSIFIED), so a route that forgot its check fails closed."""
    found = getattr(request.state, "clearance", None)
    return found if isinstance(found, Clearance) else PUBLIC


def role_of(request: Request) -> Role:
    """The role of the request's key; a request no key check admitted is a producer's
    (the least that may append), so a route that forgot its check fails closed."""
    found = getattr(request.state, "role", None)
    return found if isinstance(found, Role) else Role.PRODUCER


Reader = Depends(require(keys.READERS, "read the ledger"))
Writer = Depends(require(keys.WRITERS, "append events"))
