"""What every answer of a real uvicorn server carries and never does: no redirect built
from the Host header, nosniff and no-store on every answer but the static assets, and no
page (``/docs``, ``/redoc`` included) that another site may frame."""

import http.client
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx2 as httpx
import pytest

from ledger.config import Settings
from ledger.web.keys import Role
from tests.helpers import serving, uvicorn_server


@pytest.fixture(scope="module")
def server(seeded_url: str) -> Iterator[tuple[str, str]]:
    """(base URL, analyst key) of uvicorn serving the seeded ledger."""
    with serving(seeded_url) as api:
        key = api.keys[Role.ANALYST]
    with uvicorn_server(Settings(database_url=seeded_url)) as base:
        yield base, key


def raw_get(base: str, target: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    """GET ``target`` exactly as written (no client normalises the path), with
    ``headers`` (a forged Host among them)."""
    where = urlsplit(base)
    conn = http.client.HTTPConnection(where.hostname or "", where.port)
    conn.putrequest("GET", target, skip_host=True)
    for name, value in headers.items():
        conn.putheader(name, value)
    conn.endheaders()
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_no_redirect_is_built_from_the_host_header(server: tuple[str, str]) -> None:
    base, key = server
    forged = {"Host": "evil.example", "Authorization": f"Bearer {key}"}
    for asked, wanted in [
        ("/events/", "/events"),
        ("/events/?limit=2", "/events?limit=2"),
        ("/posture/", "/posture"),
        ("/workbench", "/workbench/"),
        ("/workbench/audit/", "/workbench/audit"),
    ]:
        response = raw_get(base, asked, forged)
        assert response.status in (303, 307), (asked, response.status)
        assert response.getheader("location") == wanted, (asked, response.getheaders())
    for asked in ("//evil.example/", "//evil.example/events/", "/nowhere/", "//events/"):
        response = raw_get(base, asked, forged)
        assert response.status == 404, (asked, response.status, response.getheaders())
        assert response.getheader("location") is None, asked
    with httpx.Client(base_url=base, follow_redirects=True) as client:
        followed = client.get("/events/?limit=2", headers={"Authorization": f"Bearer {key}"})
    assert followed.status_code == 200 and len(followed.json()["items"]) == 2


def test_every_answer_is_nosniff_and_only_static_assets_may_be_cached(
    server: tuple[str, str],
) -> None:
    base, key = server
    bearer = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base) as client:
        answers = {
            "health": client.get("/health"),
            "posture": client.get("/posture", headers=bearer),
            "event stream": client.get("/events?limit=1", headers=bearer),
            "401": client.get("/posture"),
            "404": client.get("/nowhere", headers=bearer),
            "422": client.get("/posture?limit=0", headers=bearer),
            "405": client.delete("/events", headers=bearer),
            "openapi": client.get("/openapi.json"),
            "docs": client.get("/docs"),
            "redoc": client.get("/redoc"),
            "sign-in page": client.get("/workbench/"),
        }
        static = {
            "workbench css": client.get("/workbench/static/workbench.css"),
            "swagger js": client.get("/static-offline-docs/swagger-ui-bundle.js"),
        }
    for name, response in {**answers, **static}.items():
        assert response.headers.get("x-content-type-options") == "nosniff", name
        assert response.headers.get("x-frame-options") == "DENY", name
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], name
    for name, response in answers.items():
        assert response.headers.get("cache-control") == "no-store", name
    for name, response in static.items():
        assert response.status_code == 200, name
        assert "no-store" not in response.headers.get("cache-control", ""), name
