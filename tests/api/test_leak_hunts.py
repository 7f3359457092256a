"""Leak hunts by hand: SECRET events that would change open answers (a report at a new
place, a contradiction and a corroboration of an open claim, a re-grade of an open
source, a retraction) change nothing an UNCLASSIFIED key sees, on any route, count or
page, and answer marked SECRET to a SECRET key, who sees them. Producers cannot write
above their clearance."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from ledger.config import Settings
from ledger.domain.enums import Classification
from ledger.domain.events import Event
from ledger.domain.marking import Clearance
from ledger.runtime import open_ledger
from ledger.web.keys import Role
from tests.factories import json_line, make
from tests.helpers import Api, ledger_cli, normalised, positions, seed, serving
from tests.scenarios import marked

SECRET = Classification.SECRET
OPEN_CLAIM = "claim:seed-05"
OPEN_SOURCE = "source:elijah-magnier"


def _secret_events() -> list[Event]:
    return [
        marked(
            make(
                "DeploymentReported",
                claim_id=OPEN_CLAIM,
                actor_id="actor:hezbollah",
                place={"name": "Qusayr", "place_id": "place:qusayr", "precision": "CITY"},
                activity="ARRIVED",
            ),
            SECRET,
            [],
        ),
        marked(make("ClaimAsserted", claim_id="claim:secret-1"), SECRET, []),
        marked(
            make(
                "ClaimAssessed",
                claim_id="claim:secret-1",
                related_claim_id=OPEN_CLAIM,
                relation="CONTRADICTS",
                independence="INDEPENDENT",
            ),
            SECRET,
            [],
        ),
        marked(
            make(
                "ClaimAssessed",
                claim_id="claim:secret-1",
                related_claim_id="claim:seed-08",
                relation="CORROBORATES",
                independence="INDEPENDENT",
            ),
            SECRET,
            [],
        ),
        marked(
            make("SourceReliabilityAssessed", source_id=OPEN_SOURCE, reliability="E"),
            SECRET,
            [],
        ),
        marked(make("ClaimRetracted", claim_id="claim:seed-11"), SECRET, []),
    ]


ROUTES: list[tuple[str, dict[str, Any]]] = [
    ("/posture", {}),
    ("/posture", {"include_retracted": "true", "limit": 3}),
    ("/posture", {"place": "place:qusayr"}),
    ("/posture", {"actor": "Hizballah", "include_subordinates": "true"}),
    ("/posture/timeline", {"actor": "actor:hezbollah"}),
    ("/claims", {}),
    ("/claims", {"limit": 2}),
    (f"/claims/{OPEN_CLAIM}", {}),
    ("/claims/claim:seed-08", {}),
    ("/claims/claim:seed-11", {}),
    ("/claims/claim:secret-1", {}),
    ("/sources", {}),
    (f"/sources/{OPEN_SOURCE}", {}),
    ("/documents", {}),
    ("/actors", {}),
    ("/actors/actor:hezbollah", {}),
    ("/places", {}),
    ("/places/place:qusayr", {}),
    ("/events", {"limit": 1000}),
    ("/events", {"limit": 7, "after": 50}),
]


def _answers(api: Api) -> dict[str, tuple[int, Any]]:
    found = {}
    for path, params in ROUTES:
        response = api.client.get(path, params=params, headers=api.headers())
        found[f"{path} {params}"] = (response.status_code, normalised(response.json()))
    return found


@pytest.fixture
def seeded(database_url: str) -> Iterator[str]:
    with open_ledger(Settings(database_url=database_url)) as ledger:
        seed(ledger)
    yield database_url


def test_secret_events_leave_every_open_answer_unchanged(seeded: str) -> None:
    with serving(seeded) as open_key:
        before = _answers(open_key)
        open_key.ledger.append(_secret_events())
        open_key.project()
        after = _answers(open_key)
        secret_ids = [str(e.envelope.event_id) for e in _secret_events()]
        for event_id in secret_ids:  # a hidden id answers as an unknown one
            response = open_key.client.get(f"/events/{event_id}", headers=open_key.headers())
            assert response.status_code == 404
    for route, answer in before.items():
        assert after[route] == answer, route
    assert all(
        body.get("marking", {"level": "UNCLASSIFIED"})["level"] == "UNCLASSIFIED"
        for status, body in after.values()
        if status == 200
    )


def test_a_secret_key_sees_them_and_its_answers_are_marked_secret(seeded: str) -> None:
    with serving(seeded, clearance=Clearance.of("SECRET")) as secret_key:
        secret_key.ledger.append(_secret_events())
        secret_key.project()
        place = secret_key.get("/posture", place="place:qusayr")
        assert [row["actor_id"] for row in place["items"]] == ["actor:hezbollah"]
        assert place["marking"] == {"level": "SECRET", "compartments": []}
        claim = secret_key.get(f"/claims/{OPEN_CLAIM}")
        assert claim["status"] == "DISPUTED"
        assert secret_key.get("/claims/claim:seed-11")["status"] == "RETRACTED"
        graded = secret_key.get(f"/sources/{OPEN_SOURCE}")
        assert graded["source"]["reliability"] == "E"
        assert graded["marking"]["level"] == "SECRET"
        corroborated = secret_key.get("/claims/claim:seed-08")
        assert corroborated["independent_corroborations"] >= 1
        unmarked = secret_key.get("/claims/claim:seed-01")
        assert unmarked["marking"]["level"] == "UNCLASSIFIED"


def test_the_cli_answers_as_a_clearance_would(seeded: str) -> None:
    with open_ledger(Settings(database_url=seeded)) as ledger:
        ledger.append(_secret_events())
    as_open = ledger_cli(
        "--clearance", "UNCLASSIFIED", "posture", "--place", "place:qusayr", database_url=seeded
    )
    assert as_open.returncode == 1, as_open.stdout
    assert "place:qusayr" in as_open.stderr
    as_secret = ledger_cli(
        "--clearance", "SECRET", "posture", "--place", "place:qusayr", database_url=seeded
    )
    assert as_secret.returncode == 0, as_secret.stderr
    assert "Hezbollah" in as_secret.stdout and "marking: SECRET" in as_secret.stdout
    events = ledger_cli(
        "events",
        "--json",
        "--limit",
        "0",
        database_url=seeded,
        env_extra={"LEDGER_CLEARANCE": "UNCLASSIFIED"},
    )
    assert events.returncode == 0, events.stderr
    assert len(events.stdout.splitlines()) == len(positions(seeded)) - len(_secret_events())


def _envelope(level: str) -> dict[str, str]:
    return {"event_id": str(uuid.uuid4()), "recorded_by": "test", "classification": level}


def test_producers_cannot_write_above_their_clearance(seeded: str) -> None:
    with serving(seeded, clearance=Clearance.of("CONFIDENTIAL")) as api:
        before = api.ledger.head().position
        body = {
            "events": [
                json_line("SourceRegistered", source_id="source:open-one"),
                json_line(
                    "SourceRegistered",
                    source_id="source:secret-one",
                    envelope=_envelope("SECRET"),
                ),
            ]
        }
        response = api.post("/events/batch", body, Role.PRODUCER)
        assert response.status_code == 403, response.text
        problem = response.json()
        assert "SECRET" in problem["detail"] and "CONFIDENTIAL" in problem["detail"]
        assert problem["errors"][0]["field"] == "body.events[1].envelope"
        assert api.ledger.head().position == before  # nothing of the batch appended
        allowed = api.post(
            "/events",
            json_line("SourceRegistered", envelope=_envelope("CONFIDENTIAL")),
            Role.PRODUCER,
        )
        assert allowed.status_code == 201, allowed.text


def test_a_producer_is_told_nothing_of_names_it_may_not_read(seeded: str) -> None:
    with open_ledger(Settings(database_url=seeded)) as ledger:
        ledger.append(
            [
                marked(
                    make("SourceRegistered", source_id="source:cobra", name="Cobra Asset"),
                    SECRET,
                    [],
                )
            ]
        )
    naming = json_line(
        "SourceReliabilityAssessed", source_id="source:cobra", envelope=_envelope("UNCLASSIFIED")
    )
    near = json_line(
        "SourceReliabilityAssessed", source_id="source:cobr", envelope=_envelope("UNCLASSIFIED")
    )
    with serving(seeded) as open_key:
        refused = open_key.post("/events", naming, Role.PRODUCER)
        assert refused.status_code == 422, refused.text
        assert "'source:cobra' is not in the ledger" in refused.json()["detail"]
        guessed = open_key.post("/events", near, Role.PRODUCER)
        assert guessed.status_code == 422
        assert "Cobra" not in guessed.json()["detail"]
        assert "'source:cobra'" not in guessed.json()["detail"]
    with serving(seeded, clearance=Clearance.of("SECRET")) as secret_key:
        naming["envelope"] = _envelope("UNCLASSIFIED")
        assert secret_key.post("/events", naming, Role.PRODUCER).status_code == 201
