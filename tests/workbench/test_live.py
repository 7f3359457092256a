"""Live pages in a real browser: the posture page follows the ledger by itself as its
reader's clearance sees it (a hidden event moves nothing), and a page pinned to a
record time stays where it is."""

import uuid
from typing import Any

from playwright.sync_api import Browser

from ledger.config import Settings
from ledger.domain.enums import Classification
from ledger.domain.events import EVENT_TYPES
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.fold import fold
from ledger.runtime import open_ledger
from ledger.web.keys import Role
from tests.scenarios import marked
from tests.workbench.conftest import Served, sign_in

AT = "valid_at=2015-10-04T00:00:00Z"


def _report(place: str) -> dict[str, Any]:
    return {
        "envelope": {"event_id": str(uuid.uuid4()), "recorded_by": "analyst:live"},
        "report_id": f"dep:live-{uuid.uuid4().hex[:8]}",
        "claim_id": "claim:seed-19",
        "actor_id": "actor:hezbollah",
        "place": {"name": place, "precision": "CITY"},
        "strength": {"best": 321, "qualifier": "EXACT", "unit": "fighters", "text": "321"},
        "activity": "PRESENT",
        "valid_time": {"start": "2015-10-03", "precision": "DAY"},
        "credibility": "POSSIBLY_TRUE",
    }


def _append_and_fold(url: str, place: str, level: Classification) -> None:
    event = marked(EVENT_TYPES["DeploymentReported"].model_validate(_report(place)), level, [])
    with open_ledger(Settings(database_url=url)) as ledger:
        ledger.append([event])
        for name in PROJECTIONS:
            fold(ledger, name)


def test_a_live_page_follows_what_its_reader_sees(served: Served, browser: Browser) -> None:
    context = browser.new_context()
    try:
        sign_in(context, served, served.keys[Role.ANALYST])  # UNCLASSIFIED
        page = context.new_page()
        page.goto(f"{served.base}/workbench/?{AT}")
        page.wait_for_selector("svg.posture-map")
        before = page.inner_text(".read-position")
        assert page.locator("[data-live]").count() == 1

        _append_and_fold(served.url, "Palmyra", Classification.SECRET)
        page.wait_for_timeout(3000)  # three of the stream's polls
        assert page.inner_text(".read-position") == before
        assert "Palmyra" not in page.inner_text("main")

        _append_and_fold(served.url, "Homs", Classification.UNCLASSIFIED)
        page.wait_for_function(
            "before => document.querySelector('.read-position').textContent !== before",
            arg=before,
            timeout=20_000,
        )
        assert "Homs" in page.inner_text("main") and "Palmyra" not in page.inner_text("main")
        assert page.locator("[data-live]").count() == 1  # and it goes on listening

        pinned = context.new_page()
        pinned.goto(f"{served.base}/workbench/?position={before}&{AT}")
        pinned.wait_for_selector("svg.posture-map")
        assert pinned.locator("[data-live]").count() == 0
        claim = context.new_page()
        claim.goto(f"{served.base}/workbench/claims/claim:seed-19")
        assert claim.locator("[data-live*='claim_history']").count() == 1
    finally:
        context.close()
