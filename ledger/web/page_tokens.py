"""Page tokens a client hands back for the next page: sealed, and bound to a scope.

A token is the page's state (the position a walk is pinned to, the last key returned)
encrypted and authenticated with AES-GCM under the server's key, with the scope it was
given for (the caller's clearance, the route, the query) as associated data. So a token
shows nothing of what it holds (a SECRET key's token names no SECRET id to whoever sees
the URL), opens only for the same clearance, route and query, and a forged, altered or
borrowed one is refused like any other bad parameter. Stateless: any worker and any
server holding the key (``ledger.server_secrets``, the same for every server of a
database) opens it. The read routes use it for ``next_cursor``; a TAXII server's ``next``
can use it the same way.
"""

import base64
import binascii
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = b"\x01"
_NONCE = 12
_CONTEXT = b"ledger page token v1\x00"


class PageTokens:
    """Seals and opens page tokens with one server key."""

    def __init__(self, secret: bytes) -> None:
        key = HKDF(algorithm=SHA256(), length=32, salt=None, info=_CONTEXT).derive(secret)
        self._aead = AESGCM(key)

    def seal(self, state: Any, scope: str) -> str:
        """``state`` (anything JSON holds) as a token that opens only for ``scope``."""
        nonce = os.urandom(_NONCE)
        plain = json.dumps(state, separators=(",", ":")).encode()
        sealed = VERSION + nonce + self._aead.encrypt(nonce, plain, _CONTEXT + scope.encode())
        return base64.urlsafe_b64encode(sealed).decode().rstrip("=")

    def open(self, token: str, scope: str) -> Any | None:
        """The state sealed in ``token``, or None when it was not sealed by this key for
        ``scope`` (forged, altered, truncated, from another clearance, route or query)."""
        try:
            sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            if sealed[:1] != VERSION or len(sealed) < 1 + _NONCE + 16:
                return None
            nonce, body = sealed[1 : 1 + _NONCE], sealed[1 + _NONCE :]
            plain = self._aead.decrypt(nonce, body, _CONTEXT + scope.encode())
            return json.loads(plain)
        except (ValueError, binascii.Error, InvalidTag, UnicodeDecodeError):
            return None
