"""The workbench in a real browser (Debian chromium through Playwright) against a real
server on the seed example: signing in, the posture map, both time controls, the way
from a mark to a claim's chain of reported speech, search, offline API docs, and that
no page errs or fetches from anywhere but the server itself."""

from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Browser, Page, expect

from ledger.web.keys import Role
from tests.workbench.conftest import Served, screenshot, sign_in

MARKS = "svg.posture-map g.mark"


def marks_at(page: Page, place: str) -> list[str]:
    """The actors of the map's marks whose place name contains ``place``."""
    found = page.locator(MARKS).evaluate_all(
        "marks => marks.map(m => [m.dataset.place, m.dataset.actor])"
    )
    return sorted(actor for where, actor in found if place in where)


def test_the_seed_posture_map_shows_marks_with_their_actors(page: Page, served: Served) -> None:
    page.goto(f"{served.base}/workbench/")
    expect(page.locator("svg.posture-map")).to_be_visible()
    assert marks_at(page, "Sahel al-Ghab") == ["Iraqi militia (unspecified)"]
    assert marks_at(page, "Idlib") == ["Hezbollah"]
    assert marks_at(page, "Aleppo") == ["Hezbollah"]
    tooltip = page.locator(f"{MARKS}[data-place='Sahel al-Ghab'] title").text_content()
    assert tooltip is not None and "about 6000" in tooltip and "grade B3" in tooltip
    expect(page.locator(".unplaced")).to_contain_text("Unmapped depot")
    expect(page.locator("table.posture")).to_contain_text("around Idlib")
    screenshot(page, "posture")


def test_the_posture_names_a_place_by_its_gazetteer_name(page: Page, served: Served) -> None:
    page.goto(f"{served.base}/workbench/?place=Damascus")
    cell = page.locator("table.posture tbody tr td:nth-child(2)").first
    expect(cell.locator("a")).to_have_text("Damascus")
    expect(cell.locator(".reported")).to_have_text("reported as “the Syria capital”")
    assert "Syrian Army" in marks_at(page, "Damascus")


def test_record_time_before_the_first_report_empties_the_map(page: Page, served: Served) -> None:
    page.goto(f"{served.base}/workbench/")
    first_report = 57  # the seed's first DeploymentReported
    with page.expect_navigation():
        page.locator("input[type=range]").fill(str(first_report - 1))
    assert parse_qs(urlparse(page.url).query)["position"] == [str(first_report - 1)]
    expect(page.locator(".read-position")).to_have_text(str(first_report - 1))
    expect(page.locator(MARKS)).to_have_count(0)
    expect(page.locator("table.posture tbody tr")).to_have_count(0)
    screenshot(page, "before-first-report")
    page.goto(f"{served.base}/workbench/?position={first_report}")
    expect(page.locator(MARKS)).to_have_count(1)


def test_the_world_time_control_changes_a_strength(page: Page, served: Served) -> None:
    page.goto(f"{served.base}/workbench/?place=Sahel+al-Ghab")
    row = page.locator("table.posture tbody tr")
    expect(row).to_contain_text("about 6000")
    page.fill("input[name=valid_at]", "2015-11-01T00:00:00")
    with page.expect_navigation():
        page.click("form.controls button[type=submit]")
    assert parse_qs(urlparse(page.url).query)["valid_at"] == ["2015-11-01T00:00:00Z"]
    expect(row).to_contain_text("over 4000")
    title = page.locator(f"{MARKS} title").first.text_content()
    assert title is not None and "over 4000" in title
    screenshot(page, "valid-at-2015-11")
    page.goto(f"{served.base}/workbench/?place=Sahel+al-Ghab&valid_at=2016-06-01T00:00:00Z")
    expect(row).to_contain_text("about 6000")


def test_a_click_on_a_mark_reaches_the_claims_chain_of_reported_speech(
    page: Page, served: Served
) -> None:
    page.goto(f"{served.base}/workbench/")
    mark = page.locator(
        "svg.posture-map g.mark[data-actor='Syrian Army'][data-place='Damascus'] circle"
    )
    with page.expect_navigation():
        mark.click()
    assert "/workbench/claims/claim:seed-05" in page.url
    chain = page.locator("svg.chain")
    expect(chain).to_contain_text("a high ranking source in Damascus")
    expect(chain).to_contain_text("grade F")
    expect(chain).to_contain_text("Elijah J. Magnier")
    expect(page.locator("body")).to_contain_text("REFINES")
    screenshot(page, "claim")


def test_search_finds_an_actor_by_its_alias(page: Page, served: Served) -> None:
    page.goto(f"{served.base}/workbench/")
    page.fill("input[name=q]", "Hizballah")
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    hit = page.locator("li.hit", has_text="Hezbollah")
    expect(hit).to_contain_text("Hizballah")
    with page.expect_navigation():
        hit.locator("a").click()
    expect(page.locator("h1")).to_contain_text("Hezbollah")
    expect(page.locator("svg.timeline circle.report")).to_have_count(4)
    screenshot(page, "actor")


def test_pages_show_only_what_the_key_may_see(browser: Browser, page: Page, served: Served) -> None:
    page.goto(f"{served.base}/workbench/")
    expect(page.locator("svg.posture-map")).to_be_visible()
    assert "Qusayr" not in page.content()
    page.fill("input[name=q]", "Qusayr")
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    expect(page.locator("li.hit")).to_have_count(0)
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    try:
        sign_in(context, served, served.secret)
        cleared = context.new_page()
        cleared.goto(f"{served.base}/workbench/")
        expect(cleared.locator("svg.posture-map g.mark[data-place='Qusayr']")).to_have_count(1)
        cleared.fill("input[name=q]", "Qusayr")
        with cleared.expect_navigation():
            cleared.press("input[name=q]", "Enter")
        expect(cleared.locator("li.hit", has_text="Qusayr")).to_have_count(1)
        screenshot(cleared, "secret-key")
    finally:
        context.close()


def test_api_docs_render_offline_with_the_bearer_scheme(page: Page, served: Served) -> None:
    page.goto(f"{served.base}/docs")
    # Swagger UI renders from its own script: give a loaded machine time for it
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("ledger", timeout=20_000)
    expect(page.locator("button.authorize")).to_be_visible()
    screenshot(page, "docs")
    page.goto(f"{served.base}/redoc")
    expect(page.locator("h1", has_text="ledger")).to_be_visible()


def test_without_a_valid_key_only_the_sign_in_page_shows(browser: Browser, served: Served) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        for path in ("/workbench/", "/workbench/claims/claim:seed-05", "/workbench/sources"):
            page.goto(served.base + path)
            expect(page.locator("input[name=key]")).to_be_visible()
            assert "Hezbollah" not in page.content() and "Magnier" not in page.content()
        page.fill("input[name=key]", "ldg_000000000000_" + "x" * 43)
        page.click("form[action$='/signin'] button[type=submit]")
        expect(page.locator(".signin .problem")).to_contain_text("unknown")
        expect(page.locator("svg.posture-map")).to_have_count(0)
        context.add_cookies([{"name": "ledger_session", "value": "forged", "url": served.base}])
        page.goto(f"{served.base}/workbench/")
        expect(page.locator("input[name=key]")).to_be_visible()
        page.fill("input[name=key]", served.keys[Role.PRODUCER])
        page.click("form[action$='/signin'] button[type=submit]")
        expect(page.locator(".signin .problem")).to_contain_text("cannot read")
        cookies = [c for c in context.cookies() if c["name"] == "ledger_session"]
        assert [c["value"] for c in cookies] == ["forged"]
    finally:
        context.close()


def test_the_session_cookie_is_http_only_and_strict(browser: Browser, served: Served) -> None:
    context = browser.new_context()
    try:
        sign_in(context, served, served.keys[Role.AUDITOR])
        (cookie,) = [c for c in context.cookies() if c["name"] == "ledger_session"]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert served.keys[Role.AUDITOR] not in cookie["value"]
        page = context.new_page()
        page.goto(f"{served.base}/workbench/audit")
        expect(page.locator(".head")).to_have_text("144")  # 145 and 146 are SECRET
        assert "recorded" in page.locator("dd").first.inner_text()
        with page.expect_navigation():
            page.click("text=Verify the whole ledger now")
        expect(page.locator("p.ok")).to_contain_text("Clean")
        screenshot(page, "audit")
        with page.expect_navigation():
            page.click("form[action$='/signout'] button")
        page.goto(f"{served.base}/workbench/")
        expect(page.locator("input[name=key]")).to_be_visible()
    finally:
        context.close()


PAGES = (
    "/workbench/",
    "/workbench/?actor=Hizballah&include_subordinates=1&valid_at=2015-10-15T00:00:00Z",
    "/workbench/?status=ACTIVE&grade=B&stale=yes",
    "/workbench/actors/actor:hezbollah",
    "/workbench/places/Idlib?position=110",
    "/workbench/?as_of=2000-01-01T00:00:00Z",
    "/workbench/places/place:baghdad",
    "/workbench/claims/claim:seed-05",
    "/workbench/claims/claim:workbench-followup-01?position=144",
    "/workbench/sources",
    "/workbench/documents/doc:magnier-2015-russia-ops-rooms",
    "/workbench/search?q=damascus",
    "/workbench/audit",
    "/docs",
)


def test_no_page_errs_or_fetches_from_anywhere_but_the_server(page: Page, served: Served) -> None:
    errors: list[str] = []
    fetched: list[str] = []
    page.on("console", lambda m: errors.append(f"{m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: fetched.append(r.url))
    for path in PAGES:
        response = page.goto(served.base + path)
        assert response is not None and response.status == 200, (path, response)
        page.wait_for_load_state("networkidle")
        assert not errors, (path, errors)
    assert fetched and all(url.startswith((served.base + "/", "data:")) for url in fetched), [
        url for url in fetched if not url.startswith(served.base)
    ]
