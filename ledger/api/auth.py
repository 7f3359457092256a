"""Bearer keys by role on every route but /health, checked before anything is touched,
and no query parameter a route does not take."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi._compat import field_annotation_is_sequence
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ledger.api.models import FieldProblem
from ledger.api.problems import ProblemError
from ledger.domain.marking import OPERATOR, PUBLIC, Clearance
from ledger.intake.limits import shown, shown_name
from ledger.intake.permissions import Caller, with_article
from ledger.web import keys
from ledger.web.context import load_context
from ledger.web.keys import ApiKey, Role
from ledger.web.services import services

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
                f"{with_article(key.role.value)} key cannot {action}; "
                f"that needs {with_article(needed)} key",
            )
        request.state.clearance = key.clearance
        request.state.role = key.role
        request.state.key_name = key.name
        request.state.key_id = key.key_id
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


def key_name_of(request: Request) -> str | None:
    """The name of the request's key (who or what uses it), None on a server run
    without keys."""
    found = getattr(request.state, "key_name", None)
    return found if isinstance(found, str) else None


def key_id_of(request: Request) -> str | None:
    """The id of the request's key (what a TAXII status is kept for), None on a server
    run without keys."""
    found = getattr(request.state, "key_id", None)
    return found if isinstance(found, str) else None


def caller_of(request: Request) -> Caller:
    """The request's key as the intake sees a caller: its clearance, and whether its
    role may change the key registers (an admin's alone)."""
    role = role_of(request)
    return Caller(clearance_of(request), role.value, registers_keys=role is Role.ADMIN)


Reader = Depends(require(keys.READERS, "read the ledger"))
Writer = Depends(require(keys.WRITERS, "append events"))
