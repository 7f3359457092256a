"""A path that differs from a route only by a trailing slash is sent to that route, by
a relative address: the redirect never names a host, so a forged ``Host`` header cannot
turn it into a link to another site (Starlette's own redirect is built from ``Host``)."""

from starlette.requests import Request
from starlette.routing import Match


def slash_twin(request: Request) -> str | None:
    """The relative address (path and query) of the route the request's path names but
    for a trailing slash, or None when there is none."""
    path = request.url.path
    if path == "/":
        return None
    twin = path.rstrip("/") if path.endswith("/") else path + "/"
    if not twin.startswith("/") or twin.startswith("//"):
        return None  # "//host/..." would be read as another site
    scope = {**request.scope, "path": twin}
    for route in request.app.router.routes:
        match, _ = route.matches(scope)
        if match != Match.NONE:
            query = request.url.query
            return twin + (f"?{query}" if query else "")
    return None
