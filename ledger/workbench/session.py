"""The browser's session: a random token in an HttpOnly, SameSite=Strict cookie, standing
for an API key the server checked once, at sign-in; the key itself never reaches the
browser again, an address or a log.

The server keeps the sessions (``ledger.store.sessions``): every page looks its token up
with the key, so signing out ends a session at once, a copied cookie included, on every
worker and every server of the database, and a revoked key ends its sessions. The
cookie is ``Secure`` when the workbench's public address is https (``LEDGER_PUBLIC_URL``),
or else when the request came by https (uvicorn trusts the forwarded scheme only from
the addresses in ``FORWARDED_ALLOW_IPS``, 127.0.0.1 by default). A Secure cookie is named
``__Host-ledger_session``, so no other site of the same host may set one.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from ledger.store import sessions as stored
from ledger.web.services import lookup

COOKIE = "ledger_session"
SECURE_COOKIE = "__Host-ledger_session"
LIFETIME_SECONDS = 12 * 3600
"""A session lasts a working day at most, then the key is asked for again."""
_CSRF_CONTEXT = b"ledger workbench form v1"


@dataclass(frozen=True)
class Sessions:
    """Starts, finds and ends sessions; ``public_url`` is where browsers reach the
    workbench (None: as each request says)."""

    public_url: str | None = None

    def secure(self, request: Request) -> bool:
        """Whether the session cookie is Secure (and so ``__Host-`` prefixed)."""
        if self.public_url:
            return urlsplit(self.public_url).scheme == "https"
        return request.url.scheme == "https"

    def cookie_name(self, request: Request) -> str:
        return SECURE_COOKIE if self.secure(request) else COOKIE

    def token_of(self, request: Request) -> str | None:
        """The session token the request's cookie holds, if any."""
        token = request.cookies.get(self.cookie_name(request))
        return token if token else None

    @staticmethod
    def hash_of(token: str) -> bytes:
        return stored.token_hash(token)

    async def start(self, response: Response, request: Request, key_id: str) -> None:
        """A new session for ``key_id``, its cookie set on ``response`` (a session the
        browser held before is ended: a sign-in never keeps an old token alive)."""
        async with lookup(request) as conn:
            previous = self.token_of(request)
            if previous is not None:
                await stored.end(conn, previous)
            token = await stored.start(conn, key_id, LIFETIME_SECONDS)
        response.set_cookie(
            self.cookie_name(request),
            token,
            max_age=LIFETIME_SECONDS,
            path="/",
            httponly=True,
            samesite="strict",
            secure=self.secure(request),
        )

    async def end(self, response: Response, request: Request) -> None:
        """End the request's session on the server and delete its cookie."""
        token = self.token_of(request)
        if token is not None:
            async with lookup(request) as conn:
                await stored.end(conn, token)
        response.delete_cookie(
            self.cookie_name(request),
            path="/",
            httponly=True,
            samesite="strict",
            secure=self.secure(request),
        )


def form_token(session_token: str) -> str:
    """The token every state-changing form of a session carries: derived from the
    session's own (which no other page can read), so another site cannot forge it."""
    digest = hashlib.sha256(_CSRF_CONTEXT + session_token.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def form_token_matches(session_token: str | None, given: str) -> bool:
    return session_token is not None and hmac.compare_digest(form_token(session_token), given)


def sessions(request: Request) -> Sessions:
    found = request.app.state.workbench_sessions
    assert isinstance(found, Sessions)
    return found
