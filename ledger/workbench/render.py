"""HTML pages from the Jinja2 templates in ``templates/`` (autoescaped), with the
security headers every workbench page carries: nothing may load from another origin."""

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ledger.workbench.basemap import ATTRIBUTION

PREFIX = "/workbench"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # else a browser sends forms with Origin: null
    "Cache-Control": "no-store",
}

_env = Environment(
    loader=PackageLoader("ledger.workbench", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.globals.update(prefix=PREFIX, attribution=ATTRIBUTION)


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """``template`` rendered with ``context`` as a complete page."""
    body = _env.get_template(template).render(request=request, **context)
    return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)
