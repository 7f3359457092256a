"""Sessions are the server's: signing out ends one at once, a copied cookie included, on
every server of the database; a revoked key ends its sessions; the cookie is Secure (and
``__Host-``) when the public address is https or a trusted proxy says the request was."""

import re
from collections.abc import Iterator

import httpx2 as httpx
import pytest

from ledger.config import Settings
from ledger.runtime import open_ledger
from ledger.web import keys
from ledger.web.keys import Role
from tests.helpers import uvicorn_server

FORM_TOKEN = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture(scope="module")
def analyst_key(seeded_url: str) -> str:
    with open_ledger(Settings(database_url=seeded_url)) as ledger, ledger.connection() as conn:
        return keys.create(conn, Role.ANALYST, "session tester")[1]


@pytest.fixture(scope="module")
def two_servers(seeded_url: str) -> Iterator[tuple[str, str]]:
    """Two servers (two processes' worth of state) on one database."""
    settings = Settings(database_url=seeded_url)
    with uvicorn_server(settings) as first, uvicorn_server(settings) as second:
        yield first, second


def sign_in(client: httpx.Client, key: str) -> httpx.Response:
    response = client.post("/workbench/signin", data={"key": key, "next": "/workbench/sources"})
    assert response.status_code == 303, response.text
    return response


def signed_in(base: str, cookies: httpx.Cookies) -> bool:
    with httpx.Client(base_url=base, cookies=cookies) as client:
        page = client.get("/workbench/sources")
    assert page.status_code == 200
    return 'name="key"' not in page.text and "Sign out" in page.text


def test_signing_out_ends_the_session_for_a_copied_cookie_too(
    two_servers: tuple[str, str], analyst_key: str
) -> None:
    first, second = two_servers
    with httpx.Client(base_url=first) as client:
        sign_in(client, analyst_key)
        copied = httpx.Cookies(client.cookies)
        assert analyst_key not in str(copied.get("ledger_session"))
        assert signed_in(first, copied) and signed_in(second, copied)  # one session, any server
        token = FORM_TOKEN.search(client.get("/workbench/sources").text)
        assert token is not None
        out = client.post("/workbench/signout", data={"csrf": token[1]})
        assert out.status_code == 303
    assert not signed_in(first, copied)
    assert not signed_in(second, copied)


def test_signing_out_on_one_server_ends_the_session_on_another(
    two_servers: tuple[str, str], analyst_key: str
) -> None:
    first, second = two_servers
    with httpx.Client(base_url=first) as client:
        sign_in(client, analyst_key)
        cookies = httpx.Cookies(client.cookies)
    with httpx.Client(base_url=second, cookies=cookies) as client:
        token = FORM_TOKEN.search(client.get("/workbench/sources").text)
        assert token is not None
        assert client.post("/workbench/signout", data={"csrf": token[1]}).status_code == 303
    assert not signed_in(first, cookies)


def test_a_revoked_key_ends_its_sessions(two_servers: tuple[str, str], seeded_url: str) -> None:
    first, _ = two_servers
    with open_ledger(Settings(database_url=seeded_url)) as ledger, ledger.connection() as conn:
        record, key = keys.create(conn, Role.AUDITOR, "revoked later")
    with httpx.Client(base_url=first) as client:
        sign_in(client, key)
        cookies = httpx.Cookies(client.cookies)
    assert signed_in(first, cookies)
    with open_ledger(Settings(database_url=seeded_url)) as ledger, ledger.connection() as conn:
        keys.revoke(conn, record.key_id)
    assert not signed_in(first, cookies)


def test_a_sign_in_never_keeps_the_previous_session_alive(
    two_servers: tuple[str, str], analyst_key: str
) -> None:
    first, _ = two_servers
    with httpx.Client(base_url=first) as client:
        sign_in(client, analyst_key)
        before = httpx.Cookies(client.cookies)
        sign_in(client, analyst_key)
        assert client.cookies.get("ledger_session") != before.get("ledger_session")
        assert signed_in(first, httpx.Cookies(client.cookies))
    assert not signed_in(first, before)


def _set_cookie(response: httpx.Response) -> str:
    (found,) = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    return found


def test_the_cookie_is_secure_when_the_public_address_is_https(
    seeded_url: str, analyst_key: str
) -> None:
    public = Settings(database_url=seeded_url, public_url="https://ledger.example.org/")
    with uvicorn_server(public) as base, httpx.Client(base_url=base) as client:
        cookie = _set_cookie(sign_in(client, analyst_key))
    assert cookie.startswith("__Host-ledger_session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Path=/" in cookie and "Domain" not in cookie


def test_the_cookie_follows_the_scheme_a_trusted_proxy_forwards(
    two_servers: tuple[str, str], analyst_key: str
) -> None:
    first, _ = two_servers
    with httpx.Client(base_url=first) as client:
        plain = _set_cookie(sign_in(client, analyst_key))
    with httpx.Client(base_url=first, headers={"X-Forwarded-Proto": "https"}) as client:
        forwarded = _set_cookie(sign_in(client, analyst_key))
    assert plain.startswith("ledger_session=") and "Secure" not in plain
    assert forwarded.startswith("__Host-ledger_session=") and "Secure" in forwarded


def test_a_public_url_must_be_an_address(seeded_url: str) -> None:
    with pytest.raises(ValueError, match="LEDGER_PUBLIC_URL"):
        Settings(database_url=seeded_url, public_url="ledger.example.org")
    assert Settings(public_url="HTTPS://Ledger.Example.org:443/x").public_url == (
        "https://ledger.example.org"
    )
    assert Settings(public_url="http://127.0.0.1:8000").public_url == "http://127.0.0.1:8000"
