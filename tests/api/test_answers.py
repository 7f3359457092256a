"""The answer cache: bounded, and never serving an answer of another position."""

from datetime import UTC, datetime

from ledger.web.answers import LARGEST, AnswerCache
from ledger.web.services import Services
from tests.factories import json_line
from tests.helpers import Api


def test_least_recently_used_answers_leave_first() -> None:
    cache = AnswerCache(max_answers=2)
    cache.put("a", b"1")
    cache.put("b", b"2")
    assert cache.get("a") == b"1"
    cache.put("c", b"3")
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c")) == (b"1", b"3")
    assert (cache.hits, cache.misses) == (3, 1)


def test_bytes_are_bounded_and_huge_answers_not_kept() -> None:
    cache = AnswerCache(max_bytes=10)
    cache.put("big", b"x" * (LARGEST + 1))
    assert cache.get("big") is None
    for name in "abcd":
        cache.put(name, b"1234")
    assert len(cache) == 2 and cache.get("d") == b"1234"


def test_answers_are_reused_at_a_position_and_renewed_after_it(fresh_api: Api) -> None:
    answers = fresh_api.client.app.state.services.answers  # type: ignore[attr-defined]
    assert isinstance(fresh_api.client.app.state.services, Services)  # type: ignore[attr-defined]
    first = fresh_api.get("/posture", actor="actor:hezbollah")
    hits = answers.hits
    again = fresh_api.get("/posture", actor="actor:hezbollah")
    assert again == first and answers.hits == hits + 1
    moment = datetime.now(UTC).isoformat()
    report = json_line(
        "DeploymentReported",
        actor_id="actor:hezbollah",
        claim_id="claim:seed-05",
        place={"name": "Hama", "place_id": "place:hama", "precision": "CITY"},  # a new row
    )
    assert fresh_api.post("/events", report).status_code == 201
    fresh_api.project()
    now = fresh_api.get("/posture", actor="actor:hezbollah")
    assert now["read_at"]["position"] == 139
    assert len(now["items"]) == len(first["items"]) + 1
    then = fresh_api.get("/posture", actor="actor:hezbollah", as_of=moment)
    assert then["items"] == first["items"]
    assert then["read_at"]["position"] == 138
    assert then["read_at"]["projection_cursor"] == 139  # read_at is fresh, not remembered
    assert then["read_at"]["as_of"] is not None
