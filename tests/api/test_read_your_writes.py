"""Reading one's own writes: a read naming ``at_least=`` a receipt's position waits for
the projections to fold it (at most LEDGER_READ_WAIT), and when the wait runs out says
how far behind it is, never silently stale."""

import threading
import time

import pytest

from ledger.config import Settings
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.fold import fold
from ledger.runtime import open_ledger
from ledger.web.keys import Role
from tests.factories import json_line
from tests.helpers import Api, seed, serving


@pytest.fixture
def seeded_database(database_url: str) -> str:
    with open_ledger(Settings(database_url=database_url)) as ledger:
        seed(ledger)
    return database_url


def _post_a_report(api: Api) -> int:
    line = json_line(
        "DeploymentReported",
        report_id="dep:own-write",
        claim_id="claim:seed-19",
        actor_id="actor:hezbollah",
        place={"name": "Latakia", "precision": "CITY"},
        strength={"best": 321, "qualifier": "EXACT", "unit": "fighters", "text": "321"},
        valid_time={"start": "2015-10-03", "precision": "DAY"},
    )
    posted = api.post("/events", line, allow_unresolved=True)
    assert posted.status_code == 201, posted.text
    position: int = posted.json()["receipts"][0]["position"]
    return position


def _posture(api: Api, **params: str | int) -> tuple[dict[str, object], float]:
    started = time.monotonic()
    response = api.client.get(
        "/posture",
        params={"actor": "Hezbollah", "valid_at": "2015-10-04", **params},
        headers=api.headers(Role.ANALYST),
    )
    assert response.status_code == 200, response.text
    return response.json(), time.monotonic() - started


def _names(body: dict[str, object]) -> set[object]:
    items = body["items"]
    assert isinstance(items, list)
    return {row["place"] for row in items}


def test_a_read_at_least_a_receipts_position_includes_that_event(seeded_database: str) -> None:
    with serving(seeded_database, read_wait=10) as api:
        position = _post_a_report(api)
        before, _ = _posture(api)
        assert "Latakia" not in _names(before)
        assert before["read_at"]["behind_by"] == 1  # type: ignore[index]

        def follower() -> None:  # folds a little later, as `ledger serve`'s follower does
            time.sleep(0.5)
            for name in PROJECTIONS:
                fold(api.ledger, name)

        folding = threading.Thread(target=follower)
        folding.start()
        after, waited = _posture(api, at_least=position)
        folding.join()
    assert "Latakia" in _names(after)
    read_at = after["read_at"]
    assert isinstance(read_at, dict)
    assert read_at["position"] == position and read_at["at_least"] == position
    assert read_at["behind_by"] is None
    assert waited >= 0.4


def test_when_the_wait_runs_out_the_answer_says_how_far_behind(seeded_database: str) -> None:
    with serving(seeded_database, read_wait=0.3) as api:
        position = _post_a_report(api)
        body, waited = _posture(api, at_least=position)
        assert 0.25 <= waited < 5
        read_at = body["read_at"]
        assert isinstance(read_at, dict)
        assert read_at["at_least"] == position and read_at["position"] == position - 1
        assert read_at["behind_by"] == 1 and "Latakia" not in _names(body)
        already, quick = _posture(api, at_least=position - 1)  # folded: no wait at all
        assert quick < 0.25 and already["read_at"]["behind_by"] == 1  # type: ignore[index]


def test_a_position_past_the_head_is_refused_at_once(api: Api) -> None:
    response = api.client.get(
        "/claims", params={"at_least": 10_000}, headers=api.headers(Role.ANALYST)
    )
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == "query.at_least"
    assert "position 10000 is past the ledger head (138)" in body["detail"]


def test_every_projection_read_takes_at_least(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    for path in ("/posture", "/posture/timeline", "/claims", "/sources", "/documents", "/actors"):
        names = {p["name"] for p in spec["paths"][path]["get"]["parameters"]}
        assert "at_least" in names, path
