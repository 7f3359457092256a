"""Round trip: the seed exported, mapped back to events and loaded into an empty ledger
gives the same ledger ids and content, the same answers, and exports the same objects;
and a bundle imported twice appends nothing the second time."""

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from ledger.config import Settings
from ledger.demo import load_seed
from ledger.domain.events import EVENT_TYPES, Event
from ledger.runtime import open_ledger
from ledger.stix.importer import Known, map_bundle
from ledger.store.postgres import PostgresLedger
from tests.helpers import ledger_cli
from tests.stix.exporting import export_bytes, objects, ours

SEED = Path(__file__).resolve().parents[2] / "examples" / "seed-article.jsonl"


def content(event: Event) -> tuple[str, str]:
    body = event.model_dump(mode="json", exclude={"envelope"})
    return event.event_type(), json.dumps(body, sort_keys=True)


def seed_events() -> list[Event]:
    found = []
    for line in SEED.read_text().splitlines():
        record = json.loads(line)
        found.append(EVENT_TYPES[record.pop("type")].model_validate(record))
    return found


def without_ledger_times(data: bytes) -> list[dict[str, Any]]:
    """The objects minus what a second ledger cannot share: record times, positions and
    the producer (a note's author is who recorded it: here the importer)."""
    found = []
    for obj in objects(data):
        obj = {k: v for k, v in obj.items() if k not in ("created", "modified", "authors")}
        mine = ours(obj)
        if "rests_on" in mine:
            mine["rests_on"] = [{**e, "position": 0} for e in mine["rests_on"]]
            for entry in mine.get("grades", []):
                entry["position"] = 0
            if "retraction" in mine:
                mine["retraction"]["position"] = 0
        if obj["type"] == "report" and ours(obj).get("published_unknown"):
            obj.pop("published")
        found.append(obj)
    return sorted(found, key=lambda o: json.dumps(o, sort_keys=True))


@pytest.fixture
def seeded(ledger: PostgresLedger) -> PostgresLedger:
    load_seed(ledger)
    return ledger


@pytest.mark.parametrize("every", [False, True])
def test_the_seed_comes_back_with_its_ids_and_content(seeded: PostgresLedger, every: bool) -> None:
    data = export_bytes(seeded, all_versions=every)
    mapped = map_bundle(data, recorded_by="importer:test").events
    assert sorted(map(content, mapped)) == sorted(map(content, seed_events()))
    assert {e.envelope.stream_id for e in mapped} >= {"claim:seed-05", "source:magnier-blog"}


def test_an_imported_seed_answers_and_exports_as_the_seed(
    seeded: PostgresLedger, database_url: str, empty_target: str
) -> None:
    data = export_bytes(seeded)
    mapped = map_bundle(data, recorded_by="importer:test")
    with open_ledger(Settings(database_url=empty_target)) as target:
        target.append(mapped.events)
        again = export_bytes(target)
        held = {e.envelope.event_id for e in mapped.events if _held(target, e.envelope.event_id)}
    assert without_ledger_times(again) == without_ledger_times(data)
    for command in (
        ["posture", "--format", "json", "--valid-at", "2015-10-15T00:00:00Z"],
        ["history", "claim:seed-05", "--json"],
        ["sources", "--format", "json"],
    ):
        ours_ = ledger_cli(*command, database_url=database_url)
        theirs = ledger_cli(*command, database_url=empty_target)
        assert (ours_.returncode, theirs.returncode) == (0, 0), ours_.stderr + theirs.stderr
        assert _answer(ours_.stdout) == _answer(theirs.stdout), command
    second = map_bundle(data, recorded_by="importer:test", known=Known(events=lambda w: w & held))
    assert second.events == [] and second.report.events == 0
    assert sum(t.known for t in second.report.types.values()) == 135


def _held(ledger: PostgresLedger, event_id: UUID) -> bool:
    return ledger.find_row(event_id) is not None


def _answer(text: str) -> Any:
    """An answer without where it was read (positions differ between the two ledgers)."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: strip(v)
                for k, v in value.items()
                if k not in ("position", "read_at", "recorded_at", "positions")
                and not k.endswith("_position")
            }
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(json.loads(text))


@pytest.fixture
def empty_target(server_url: str, template_db: str) -> Any:
    from tests.helpers import create_database, database_url_for, drop_database

    name = create_database(server_url, template_db)
    yield database_url_for(server_url, name)
    drop_database(server_url, name)
