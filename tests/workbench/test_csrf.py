"""A page of another origin (here another port of the same host, the same site to the
browser) can neither sign a victim in with the attacker's key, nor sign them out, nor
start a verify run in their name; nor frame the API docs. Debian's chromium, driven by
Playwright, submits the forged forms as a victim's browser would."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from ledger.web.keys import Role
from tests.helpers import free_port
from tests.workbench.conftest import Served, sign_in


def _pages(base: str, attacker_key: str) -> dict[str, str]:
    def form(action: str, fields: dict[str, str]) -> str:
        inputs = "".join(f'<input type="hidden" name="{k}" value="{v}">' for k, v in fields.items())
        return (
            f'<form method="post" action="{base}{action}">{inputs}'
            '<button type="submit">Claim your prize</button></form>'
        )

    return {
        "/login": form("/workbench/signin", {"key": attacker_key, "next": "/workbench/"}),
        "/signout": form("/workbench/signout", {"csrf": "guessed"}),
        "/verify": form("/workbench/audit/verify", {"csrf": ""}),
        "/fetch": (
            "<p id=done>no</p><script>"
            f"fetch('{base}/workbench/audit/verify', {{method: 'POST', mode: 'no-cors',"
            " credentials: 'include', body: new URLSearchParams({csrf: ''})})"
            ".finally(() => { document.getElementById('done').textContent = 'yes' })"
            "</script>"
        ),
        "/frame": f'<iframe id=docs src="{base}/docs" width=800 height=600></iframe>',
    }


@pytest.fixture(scope="module")
def attacker(served: Served) -> Iterator[str]:
    """Another origin on the same host: a plain HTTP server on another port."""
    pages = _pages(served.base, served.keys[Role.ANALYST])

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = f"<!doctype html><html><body>{pages.get(self.path, '')}</body></html>"
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, format: str, *args: object) -> None:
            pass

    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def victim(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context()
    yield context
    context.close()


def _session_cookies(context: BrowserContext) -> list[str]:
    return [c["value"] for c in context.cookies() if c["name"] == "ledger_session"]


def test_another_origin_cannot_sign_a_visitor_in(
    victim: BrowserContext, served: Served, attacker: str
) -> None:
    page = victim.new_page()
    page.goto(f"{attacker}/login")
    with page.expect_navigation():
        page.click("button")
    expect(page.locator("body")).to_contain_text("Refused")
    assert _session_cookies(victim) == []
    page.goto(f"{served.base}/workbench/")
    expect(page.locator("input[name=key]")).to_be_visible()


def test_another_origin_cannot_sign_a_visitor_out(
    victim: BrowserContext, served: Served, attacker: str
) -> None:
    sign_in(victim, served, served.keys[Role.ANALYST])
    before = _session_cookies(victim)
    page = victim.new_page()
    page.goto(f"{attacker}/signout")
    with page.expect_navigation():
        page.click("button")
    expect(page.locator("body")).to_contain_text("Refused")
    assert _session_cookies(victim) == before != []
    page.goto(f"{served.base}/workbench/")
    expect(page.locator("svg.posture-map")).to_be_visible()


def test_another_origin_cannot_start_a_verify_run(
    victim: BrowserContext, served: Served, attacker: str
) -> None:
    sign_in(victim, served, served.keys[Role.AUDITOR])
    page = victim.new_page()
    page.goto(f"{attacker}/verify")
    with page.expect_navigation():
        page.click("button")
    expect(page.locator("body")).to_contain_text("Refused")
    page.goto(f"{attacker}/fetch")
    expect(page.locator("#done")).to_have_text("yes")
    page.goto(f"{served.base}/workbench/audit")
    expect(page.locator("main")).to_contain_text("None run from this server")
    with page.expect_navigation():  # the workbench's own form still works
        page.click("text=Verify the whole ledger now")
    expect(page.locator("p.ok")).to_contain_text("Clean")


def test_another_origin_cannot_frame_the_api_docs(
    victim: BrowserContext, served: Served, attacker: str
) -> None:
    page = victim.new_page()
    page.goto(f"{attacker}/frame")
    page.wait_for_load_state("networkidle")
    (framed,) = [f for f in page.frames if f != page.main_frame]
    assert framed.url != f"{served.base}/docs" or not framed.locator(".swagger-ui").count()
    assert "ledger" not in framed.content()
