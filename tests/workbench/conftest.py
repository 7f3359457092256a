"""Fixtures for the workbench: the seed example plus a follow-up report in real
PostgreSQL, the app on a real uvicorn server on a free loopback port, and one Debian
chromium (Playwright, no downloaded browser) shared by a module's tests."""

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
import yaml
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from ledger.api.app import create_app
from ledger.authoring.expand import expand
from ledger.authoring.report import Report
from ledger.config import KafkaSettings, Settings
from ledger.domain.enums import Classification
from ledger.domain.marking import Clearance
from ledger.domain.references import Kind
from ledger.intake.sinks import DirectSink
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.fold import fold
from ledger.runtime import open_ledger
from ledger.store.gazetteer import entries
from ledger.web import keys
from ledger.web.keys import Role
from tests.factories import make
from tests.helpers import create_database, database_url_for, drop_database, seed
from tests.scenarios import marked

CHROMIUM = os.environ.get("LEDGER_TEST_CHROMIUM", "/usr/bin/chromium")
FOLLOWUP = Path(__file__).with_name("followup.report.yaml")
SCREENSHOTS = Path(
    os.environ.get("LEDGER_TEST_SCREENSHOTS", Path(__file__).with_name("screenshots"))
)
"""Where the tests leave their screenshots (git-ignored, never committed)."""


@dataclass
class Served:
    base: str
    keys: dict[Role, str]
    """Keys made without a clearance: UNCLASSIFIED, as least privilege gives."""
    secret: str = ""
    """An analyst key cleared to SECRET."""
    url: str = ""
    """The database behind the server."""


def record_secret(url: str) -> None:
    """A SECRET place (Qusayr) with a SECRET Hezbollah report there: what only the
    SECRET key may see."""
    qusayr = {"name": "Qusayr", "place_id": "place:qusayr", "precision": "CITY"}
    with open_ledger(Settings(database_url=url)) as ledger:
        ledger.append(
            [
                marked(
                    make(
                        "PlaceRegistered",
                        place_id="place:qusayr",
                        name="Qusayr",
                        aliases=[],
                        parent_place_id=None,
                        latitude=34.51,
                        longitude=36.58,
                    ),
                    Classification.SECRET,
                    [],
                ),
                marked(
                    make(
                        "DeploymentReported",
                        claim_id="claim:seed-05",
                        actor_id="actor:hezbollah",
                        place=qusayr,
                    ),
                    Classification.SECRET,
                    [],
                ),
            ]
        )
        for name in PROJECTIONS:
            fold(ledger, name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def record_followup(url: str) -> None:
    """Append the follow-up report (a later strength at Sahel al-Ghab, a place without
    coordinates) as `ledger record` does, and fold the projections."""
    report = Report.model_validate(yaml.safe_load(FOLLOWUP.read_text()))
    with open_ledger(Settings(database_url=url)) as ledger:
        known = list(entries(ledger, [Kind.ACTOR, Kind.PLACE, Kind.SOURCE]))
        DirectSink(ledger).publish_stream(expand(report, known, str(FOLLOWUP)))
        for name in PROJECTIONS:
            fold(ledger, name)


@pytest.fixture(scope="module")
def served(server_url: str, template_db: str) -> Iterator[Served]:
    """``ledger serve``'s app on uvicorn over the seeded database, a key per role."""
    name = create_database(server_url, template_db)
    url = database_url_for(server_url, name)
    settings = Settings(database_url=url)
    with open_ledger(settings) as ledger:
        seed(ledger)
        with ledger.connection() as conn:
            made = {role: keys.create(conn, role, f"test {role.value}")[1] for role in Role}
            secret = keys.create(conn, Role.ANALYST, "secret", Clearance.of("SECRET"))[1]
    record_followup(url)
    record_secret(url)
    port = _free_port()
    app = create_app(settings, KafkaSettings(bootstrap=None))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield Served(f"http://127.0.0.1:{port}", made, secret, url)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        drop_database(server_url, name)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not shutil.which(CHROMIUM) and not os.environ.get("CI"):
        pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as found:
        yield found


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=CHROMIUM)
    yield launched
    launched.close()


def sign_in(context: BrowserContext, served: Served, key: str) -> None:
    page = context.new_page()
    page.goto(f"{served.base}/workbench/")
    page.fill("input[name=key]", key)
    page.click("form[action$='/signin'] button[type=submit]")
    page.wait_for_selector("svg.posture-map")
    page.close()


@pytest.fixture(scope="module")
def analyst(browser: Browser, served: Served) -> Iterator[BrowserContext]:
    """A browser session signed in once with an analyst key."""
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    sign_in(context, served, served.keys[Role.ANALYST])
    yield context
    context.close()


@pytest.fixture
def page(analyst: BrowserContext) -> Iterator[Page]:
    opened = analyst.new_page()
    yield opened
    opened.close()


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
