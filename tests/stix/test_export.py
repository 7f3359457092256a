"""The STIX export of real ledgers: valid for independent checkers, stable ids, one
version per event, the same content for every clearance that receives a version."""

import json
from datetime import datetime

import pytest

from ledger.demo import load_seed
from ledger.domain.enums import Classification
from ledger.domain.marking import OPERATOR, Clearance
from ledger.stix.ids import object_id
from ledger.stix.markings import TLP2
from ledger.stix.times import stamp
from ledger.store.postgres import PostgresLedger
from tests.factories import make
from tests.scenarios import marked
from tests.stix.checkers import assert_valid, problems
from tests.stix.exporting import (
    LOG,
    appended,
    by_ledger_id,
    export_bytes,
    objects,
    of_ledger,
    ours,
)

SECRET = Clearance.of("SECRET")
PUBLIC = Clearance.of("UNCLASSIFIED")


@pytest.fixture
def seeded(ledger: PostgresLedger) -> PostgresLedger:
    load_seed(ledger)
    return ledger


def record_time(ledger: PostgresLedger, position: int) -> str:
    (row,) = ledger.read_rows(after=position - 1, until=position)
    moment: datetime = row["recorded_at"]
    return stamp(moment)


def test_the_seed_export_passes_the_validator_and_the_parser(seeded: PostgresLedger) -> None:
    data = export_bytes(seeded)
    bundle = assert_valid(data)
    kinds = {ours(o).get("ledger_object") for o in bundle["objects"]}
    assert kinds >= {"source", "actor", "place", "document", "claim", "attribution"}
    assert kinds >= {"assessment", "deployment", "marking", "ledger"}
    assert len(of_ledger(data, "claim")) == 30
    assert {o["type"] for o in bundle["objects"]} == {
        "identity",
        "extension-definition",
        "marking-definition",
        "location",
        "report",
        "note",
        "relationship",
    }


def test_the_same_export_twice_is_byte_identical(seeded: PostgresLedger) -> None:
    first, second = export_bytes(seeded), export_bytes(seeded)
    assert first == second
    assert export_bytes(seeded, all_versions=True) == export_bytes(seeded, all_versions=True)
    earlier = export_bytes(seeded, position=100)
    assert earlier == export_bytes(seeded, position=100) and earlier != first
    assert json.loads(earlier)["id"] != json.loads(first)["id"]  # the id names the content


def test_a_bad_extension_value_fails_validation(seeded: PostgresLedger) -> None:
    bundle = json.loads(export_bytes(seeded))
    source = next(o for o in bundle["objects"] if ours(o).get("ledger_object") == "source")
    ours(source)["reliability"] = "Z"
    found = problems(bundle)
    assert any("reliability" in p and "'Z' is not one of" in p for p in found), found
    del ours(source)["reliability"]
    ours(source)["rests_on"] = []
    assert problems(bundle), "an empty rests_on passed"
    ours(source)["rests_on"] = [{"position": 1, "event_type": "SourceRegistered", "level": "X"}]
    assert problems(bundle), "a made-up level passed"


def test_the_one_check_left_off_is_the_url_hash(ledger: PostgresLedger) -> None:
    appended(ledger, make("SourceRegistered"), make("DocumentIngested", published_at=None))
    bundle = json.loads(export_bytes(ledger))
    assert not problems(bundle)
    report = next(o for o in bundle["objects"] if o["type"] == "report")
    assert report["external_references"] == [
        {"source_name": "url", "url": "https://example.org/report"}
    ]
    assert report["published"] == report["created"] and ours(report)["published_unknown"]
    everything = problems(bundle, skipped=set())
    assert everything and all("has a URL but no hash" in p for p in everything), everything


def test_ids_are_derived_from_ledger_ids_and_never_change(seeded: PostgresLedger) -> None:
    expected = object_id("note", LOG, "claim", "claim:seed-05")
    for data in (export_bytes(seeded), export_bytes(seeded, position=90)):
        assert [o["id"] for o in by_ledger_id(data, "claim:seed-05")] == [expected]
    note = by_ledger_id(export_bytes(seeded), "claim:seed-05")[0]
    assert object_id("report", LOG, "document", ours(note)["document_id"]) in note["object_refs"]


def test_each_event_makes_one_version_stamped_with_its_record_time(
    ledger: PostgresLedger,
) -> None:
    at = appended(
        ledger,
        make("SourceRegistered"),
        make("SourceReliabilityAssessed", reliability="B"),
        make("SourceReliabilityAssessed", reliability="C"),
    )
    newest = by_ledger_id(export_bytes(ledger), "source:test-outlet")
    assert len(newest) == 1 and ours(newest[0])["reliability"] == "C"
    every = by_ledger_id(export_bytes(ledger, all_versions=True), "source:test-outlet")
    assert [v["modified"] for v in every] == [record_time(ledger, p) for p in at]
    assert {v["created"] for v in every} == {record_time(ledger, at[0])}
    assert [ours(v).get("reliability") for v in every] == [None, "B", "C"]
    assert [len(ours(v)["grades"]) for v in every[1:]] == [1, 2]
    assert_valid(export_bytes(ledger, all_versions=True))


def test_a_retraction_revokes_the_note_for_good(ledger: PostgresLedger) -> None:
    appended(
        ledger,
        make("ClaimAsserted"),
        make("ClaimRetracted"),
        make("ClaimRetracted", reason="a second rejection"),
    )
    every = by_ledger_id(export_bytes(ledger, all_versions=True), "claim:test-1")
    assert [v.get("revoked", False) for v in every] == [False, True]
    assert ours(every[1])["retraction"]["reason"] == "satellite imagery shows no such movement"


def test_a_version_holds_the_same_for_every_clearance_that_receives_it(
    ledger: PostgresLedger,
) -> None:
    appended(
        ledger,
        make("SourceRegistered"),
        marked(make("SourceReliabilityAssessed", reliability="A"), Classification.SECRET, []),
        make("SourceReliabilityAssessed", reliability="C"),
    )
    secret = by_ledger_id(export_bytes(ledger, SECRET, all_versions=True), "source:test-outlet")
    public = by_ledger_id(export_bytes(ledger, PUBLIC, all_versions=True), "source:test-outlet")
    assert [ours(v).get("reliability") for v in secret] == [None, "A", "C"]
    assert [ours(v).get("reliability") for v in public] == [None, "C"]
    assert secret[0] == public[0] and secret[2] == public[1]  # same (id, modified): same object
    assert [g["reliability"] for g in ours(secret[2])["grades"]] == ["C"]  # A is not covered
    assert secret[1]["object_marking_refs"][1] == TLP2["red"]
    assert public[1]["object_marking_refs"][1] == TLP2["clear"]


def test_a_reader_gets_no_version_that_would_change_when_the_object_was_created(
    ledger: PostgresLedger,
) -> None:
    hidden = marked(make("SourceRegistered", name="Codename"), Classification.SECRET, [])
    at = appended(
        ledger,
        hidden,
        make("SourceRegistered", name="Open name"),
        make("SourceReliabilityAssessed", reliability="D"),
    )
    secret = by_ledger_id(export_bytes(ledger, SECRET, all_versions=True), "source:test-outlet")
    public = by_ledger_id(export_bytes(ledger, PUBLIC, all_versions=True), "source:test-outlet")
    assert [v["name"] for v in secret] == ["Codename"]
    assert [v["name"] for v in public] == ["Open name", "Open name"]
    assert {v["created"] for v in public} == {record_time(ledger, at[1])}


def test_markings_are_defined_once_before_their_first_use(ledger: PostgresLedger) -> None:
    appended(
        ledger,
        make("SourceRegistered"),
        marked(make("ActorRegistered"), Classification.SECRET, ["ALPHA"]),
        marked(make("PlaceRegistered"), Classification.UNKNOWN, []),
    )
    found = objects(export_bytes(ledger))
    defined = [o for o in found if o["type"] == "marking-definition"]
    assert len({o["id"] for o in defined}) == len(defined) == 5  # 3 ours, CLEAR, RED
    seen: set[str] = set()
    for obj in found:
        if obj["type"] == "marking-definition":
            seen.add(obj["id"])
        assert set(obj.get("object_marking_refs", [])) <= seen
    actor = of_ledger(export_bytes(ledger), "actor")[0]
    ledger_marking = next(o for o in defined if o["id"] == actor["object_marking_refs"][0])
    assert ours(ledger_marking) == {
        "extension_type": "property-extension",
        "ledger_object": "marking",
        "level": "SECRET",
        "compartments": ["ALPHA"],
    }
    assert actor["object_marking_refs"][1] == TLP2["red"]
    assert of_ledger(export_bytes(ledger, Clearance.of("TOP_SECRET", ["ALPHA"])), "place") == []
    assert_valid(export_bytes(ledger))


def test_what_stix_cannot_hold_makes_no_object(ledger: PostgresLedger) -> None:
    appended(
        ledger,
        make("PlaceRegistered", latitude=None, longitude=None),
        make("DeploymentReported", place={"name": "a village", "precision": "SITE"}),
        make("ProducerKeyRegistered"),
    )
    data = export_bytes(ledger)
    assert of_ledger(data, "place") == [] and of_ledger(data, "deployment") == []
    assert len(objects(data)) == 3  # the static objects alone


def test_a_deployment_is_located_at_with_its_valid_time(ledger: PostgresLedger) -> None:
    span = {"start": "2015-10-01T00:00:00Z", "end": "2015-10-01T00:00:00Z", "precision": "DAY"}
    appended(
        ledger,
        make("DeploymentReported"),
        make("DeploymentReported", report_id="dep:test-2", valid_time=span),
    )
    first, second = of_ledger(export_bytes(ledger), "deployment")
    assert first["relationship_type"] == "located-at"
    assert first["start_time"] == "2015-10-01T00:00:00.000000Z" and "stop_time" not in first
    assert first["confidence"] == 50 and first["description"] == "over 4000"
    assert ours(first)["strength"] == {
        "low": 4000,
        "qualifier": "AT_LEAST",
        "unit": "fighters",
        "text": "over 4000",
    }
    assert "stop_time" not in second and ours(second)["valid_time"]["end"] == span["end"].replace(
        "Z", ".000000Z"
    )
    assert_valid(export_bytes(ledger))


def test_an_export_as_of_a_moment_holds_what_was_known_then(seeded: PostgresLedger) -> None:
    assert objects(export_bytes(seeded, position=0))[-1]["name"] == LOG
    assert len(of_ledger(export_bytes(seeded, position=45), "document")) == 1
    assert of_ledger(export_bytes(seeded, position=44), "document") == []
    # the seed holds no marked event: every clearance sees all of it
    assert export_bytes(seeded, OPERATOR) == export_bytes(seeded, PUBLIC)
