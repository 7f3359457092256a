"""Who is asking: the session's API key, checked by the API's own key code on every
page (``ledger.web.keys``, ``ledger.web.context.load_context``), so the workbench admits
exactly the keys the API admits and sees a revocation, or a session ended, on the next
request."""

from dataclasses import dataclass

from starlette.requests import Request

from ledger.web import keys
from ledger.web.context import load_context
from ledger.web.keys import ApiKey
from ledger.web.services import services
from ledger.workbench.session import form_token, sessions


class SignInRequired(Exception):
    """No session, or its key is unknown, revoked or may not read: show the sign-in page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Visitor:
    """A signed-in reader; ``key`` is None when the server admits everyone (no auth).
    ``form_token`` goes into every form that changes something (``csrf``)."""

    key: ApiKey | None
    form_token: str = ""

    @property
    def name(self) -> str:
        return self.key.name if self.key else "anyone (--insecure-no-auth)"


async def check_key(request: Request, api_key: str) -> ApiKey | None:
    """The key record if ``api_key`` is a valid, unrevoked key; loads the read context."""
    key_id = keys.key_id_of(api_key)
    if key_id is None:
        return None
    row = await load_context(request, key_id)
    return keys.verified(row if row[0] is not None else None, api_key)


async def visitor(request: Request) -> Visitor:
    """The dependency of every page: the signed-in reader, or SignInRequired. The
    session is looked up with its key in one round trip, so an ended session or a
    revoked key stops working on the next page."""
    if not services(request).auth:
        await load_context(request, None)
        return Visitor(None)
    found = sessions(request)
    token = found.token_of(request)
    if token is None:
        raise SignInRequired("Sign in with an API key to use the workbench.")
    key = keys.active(await load_context(request, None, session=found.hash_of(token)))
    if key is None:
        raise SignInRequired("The session has ended or its key was revoked: sign in again.")
    if key.role not in keys.READERS:
        raise SignInRequired(f"A {key.role.value} key cannot read the ledger: use a reader key.")
    return Visitor(key, form_token(token))
