"""Headers every answer carries, whatever route or error produced it.

- ``X-Content-Type-Options: nosniff``: a browser never reads a JSON answer (or an
  echoed value in it) as HTML or script.
- ``Cache-Control: no-store``: answers depend on the caller's key and clearance, so no
  browser or shared cache may keep one for the next caller. Only the static assets of
  the workbench and the API docs, the same for everyone, may be cached.
- ``X-Frame-Options: DENY`` and ``frame-ancestors 'none'`` (added to a page's own
  Content-Security-Policy, or as the whole policy): no page of this server, ``/docs``
  and ``/redoc`` included, can be framed by another site to trick a click.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FAILURE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}
"""The same headers, for the one answer Starlette sends from outside every middleware:
the 500 of an unexpected failure."""

CACHEABLE_PREFIXES = ("/workbench/static/", "/static-offline-docs/")
"""Paths of the static assets: public, identical for every caller."""


class SecurityHeaders:
    """ASGI middleware adding the headers above to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = str(scope.get("path", "")).startswith(CACHEABLE_PREFIXES)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                policy = headers.get("Content-Security-Policy")
                if policy is None:
                    headers["Content-Security-Policy"] = "frame-ancestors 'none'"
                elif "frame-ancestors" not in policy:
                    headers["Content-Security-Policy"] = f"{policy}; frame-ancestors 'none'"
                if not cacheable and "Cache-Control" not in headers:
                    headers["Cache-Control"] = "no-store"
                headers.setdefault("Referrer-Policy", "no-referrer")
            await send(message)

        await self.app(scope, receive, with_headers)
