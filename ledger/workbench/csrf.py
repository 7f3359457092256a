"""No state changes from another site's page: every workbench POST (sign in, sign out,
verify) must come from a page of this server.

Two checks, as OWASP recommends for forms: the browser's own word on where the request
comes from (``Sec-Fetch-Site`` must say ``same-origin`` and ``Origin`` must be this
server's, both headers no page can forge; a page on another port of the same host is
another origin), and, for a signed-in session, a form token derived from the session's
own token, which no other page can read. Requests without the browser headers (curl,
scripts) cannot be forged by a page, so only the token applies to them; signing in has
no session yet, and the headers alone guard it against a login forged by another site.
"""

from starlette.requests import Request

from ledger.workbench.session import form_token_matches, sessions


class ForeignForm(Exception):
    """A state-changing request that did not come from this server's own page."""


def own_origin(request: Request) -> str:
    """This server's origin as browsers name it: the public URL's, or the request's."""
    public = sessions(request).public_url
    if public:
        return public
    return f"{request.url.scheme}://{request.headers.get('host', '')}".lower()


def require_same_origin(request: Request) -> None:
    """ForeignForm unless the browser says the request comes from this origin."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site != "same-origin":
        raise ForeignForm(f"the form was sent from another site ({site})")
    origin = request.headers.get("origin")
    if origin is not None and origin.lower() != own_origin(request):
        raise ForeignForm(f"the form was sent from {origin}, not from {own_origin(request)}")


def require_form_token(request: Request, given: str) -> None:
    """ForeignForm unless ``given`` is the form token of the request's session."""
    if not form_token_matches(sessions(request).token_of(request), given):
        raise ForeignForm("the form does not carry this session's token; reload the page")
