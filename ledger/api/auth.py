"""Bearer keys by role on every route but /health, checked before anything is touched,
and no query parameter a route does not take."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ledger.api import keys
from ledger.api.keys import ApiKey, Role
from ledger.api.models import FieldProblem
from ledger.api.problems import ProblemError
from ledger.api.services import lookup, services

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
        if not found.auth:
            known_parameters(request)
            return None
        if credentials is None:
            raise ProblemError(
                401,
                "this route needs an API key: send the header Authorization: Bearer <key>",
                headers=_CHALLENGE,
            )
        async with lookup(request) as conn:
            key = await keys.authenticate_async(conn, credentials.credentials)
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
