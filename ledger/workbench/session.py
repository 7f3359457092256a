"""The browser's session: the API key sealed (AES-GCM) in an HttpOnly, SameSite=Strict
cookie, so the key is typed once and never appears in a URL or a log line.

The server keeps no session table: every request opens the cookie and checks the key
again (``access``), so a revoked key stops working on the next page. The sealing secret
is the server's (``LEDGER_SESSION_SECRET``, else one drawn at start and shared by its
workers): a restart with a new secret signs everyone out.
"""

import base64
import json
import os
import time
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "ledger_session"
LIFETIME_SECONDS = 12 * 3600
"""A session lasts a working day at most, then the key is asked for again."""
_CONTEXT = b"ledger workbench session v1"


@dataclass(frozen=True)
class Sessions:
    """Seals and opens session cookies with one server secret."""

    secret: bytes

    @classmethod
    def from_secret(cls, secret: str | None) -> "Sessions":
        """Sessions keyed by ``secret`` (any text), or by a fresh random one."""
        material = secret.encode() if secret else os.urandom(32)
        key = HKDF(algorithm=SHA256(), length=32, salt=None, info=_CONTEXT).derive(material)
        return cls(key)

    def seal(self, api_key: str, now: float | None = None) -> str:
        expires = int((now if now is not None else time.time()) + LIFETIME_SECONDS)
        nonce = os.urandom(12)
        plain = json.dumps({"k": api_key, "e": expires}).encode()
        sealed = nonce + AESGCM(self.secret).encrypt(nonce, plain, _CONTEXT)
        return base64.urlsafe_b64encode(sealed).decode().rstrip("=")

    def open(self, token: str, now: float | None = None) -> str | None:
        """The API key in ``token``, or None if it was not sealed here or has expired."""
        try:
            sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            plain = AESGCM(self.secret).decrypt(sealed[:12], sealed[12:], _CONTEXT)
            data = json.loads(plain)
            key, expires = data["k"], data["e"]
        except (ValueError, TypeError, KeyError, InvalidTag):
            return None
        if not isinstance(key, str) or not isinstance(expires, int):
            return None
        return key if expires > (now if now is not None else time.time()) else None

    def key_of(self, request: Request) -> str | None:
        token = request.cookies.get(COOKIE)
        return self.open(token) if token else None

    def start(self, response: Response, request: Request, api_key: str) -> None:
        response.set_cookie(
            COOKIE,
            self.seal(api_key),
            max_age=LIFETIME_SECONDS,
            path="/",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )

    @staticmethod
    def end(response: Response) -> None:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")


def sessions(request: Request) -> Sessions:
    found = request.app.state.workbench_sessions
    assert isinstance(found, Sessions)
    return found
