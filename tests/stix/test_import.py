"""The import mapping on bundles others wrote (OASIS's examples, a hand-written field
report): the report per type, and the events, marked as the bundle's markings say."""

import json
from pathlib import Path
from typing import Any

import pytest

from ledger.domain.enums import Classification
from ledger.domain.events import Event
from ledger.domain.references import Kind
from ledger.errors import ValidationFailed
from ledger.stix.importer import Imported, Known, map_bundle

BUNDLES = Path(__file__).parent / "bundles"
OASIS = BUNDLES / "oasis"
FIELD_REPORT = BUNDLES / "handmade" / "field-report.json"


def imported(path: Path, known: Known | None = None) -> Imported:
    return map_bundle(path.read_bytes(), recorded_by="importer:test", known=known)


def summary(result: Imported) -> dict[str, Any]:
    return result.report.to_json()["types"]  # type: ignore[no-any-return]


def fields(event: Event) -> dict[str, Any]:
    return event.model_dump(mode="json", exclude={"envelope"})


def test_an_actor_profile_maps_the_actor_and_the_identity_not_the_attribution() -> None:
    result = imported(OASIS / "identifying-a-threat-actor-profile.json")
    assert summary(result) == {
        "identity": {"mapped": 1, "known": 0, "not_mapped": {}},
        "relationship": {
            "mapped": 0,
            "known": 0,
            "not_mapped": {
                "attributed-to names an actor's real identity or who is behind a campaign, "
                "never who said a claim": 1
            },
        },
        "threat-actor": {"mapped": 1, "known": 0, "not_mapped": {}},
    }
    source, actor = result.events
    assert fields(actor)["actor_id"] == "actor:threat-actor--dfaa8d77-07e2-4e28-b2c8-92e9f7b04428"
    assert fields(actor)["name"] == "Disco Team Threat Actor Group"
    assert fields(actor)["kind"] == "UNKNOWN"
    assert fields(source) == {
        "source_id": "source:identity--733c5838-34d9-4fbf-949c-62aba761184c",
        "kind": "ORGANIZATION",
        "name": "Disco Team",
        "aliases": [],
        "description": fields(source)["description"],
        "affiliated_source_id": None,
    }
    assert result.origins == [
        "identity--733c5838-34d9-4fbf-949c-62aba761184c",
        "threat-actor--dfaa8d77-07e2-4e28-b2c8-92e9f7b04428",
    ]


def test_malware_attack_patterns_and_what_uses_them_are_named_not_dropped() -> None:
    result = imported(OASIS / "threat-actor-leveraging-attack-patterns-and-malware.json")
    found = summary(result)
    assert found["malware"]["mapped"] == 0 and sum(found["malware"]["not_mapped"].values()) == 1
    assert sum(found["attack-pattern"]["not_mapped"].values()) == 1
    assert found["relationship"]["not_mapped"] == {
        "attributed-to names an actor's real identity or who is behind a campaign, never "
        "who said a claim": 1,
        "the ledger has no event for what an actor uses": 2,
    }
    assert [e.event_type() for e in result.events] == ["SourceRegistered", "ActorRegistered"]


def test_tlp_markings_known_without_being_in_the_bundle() -> None:
    result = imported(OASIS / "using-granular-markings.json")
    (actor,) = [e for e in result.events if e.event_type() == "ActorRegistered"]
    assert actor.envelope.classification is Classification.SECRET  # TLP:RED (1.0), not defined
    (source,) = [e for e in result.events if e.event_type() == "SourceRegistered"]
    assert source.envelope.classification is Classification.UNCLASSIFIED


def test_marking_definitions_and_a_sighting() -> None:
    found = summary(imported(OASIS / "using-marking-definitions.json"))
    assert found["marking-definition"] == {"mapped": 2, "known": 0, "not_mapped": {}}
    sighting = summary(imported(OASIS / "sighting-of-an-indicator.json"))["sighting"]
    assert list(sighting["not_mapped"]) == [
        "a sighting is its creator's own observation, not a source's report; the ledger "
        "records what sources say"
    ]


def test_campaigns_and_intrusion_sets() -> None:
    result = imported(OASIS / "defining-campaigns-threat-actors-intrusion-sets.json")
    found = summary(result)
    assert found["intrusion-set"]["mapped"] == 1 and found["threat-actor"]["mapped"] == 1
    assert found["campaign"]["mapped"] == 0 and sum(found["campaign"]["not_mapped"].values()) == 2
    actors = [fields(e) for e in result.events if e.event_type() == "ActorRegistered"]
    assert {a["name"] for a in actors} == {"Fake BPP (Branistan Peoples Party)", "APT BPP"}


def test_a_report_becomes_a_document_of_its_creator() -> None:
    result = imported(OASIS / "poisonivy.json")
    (document,) = [fields(e) for e in result.events if e.event_type() == "DocumentIngested"]
    assert document["title"] == "Poison Ivy: Assessing Damage and Extracting Intelligence"
    assert document["outlet_source_id"] == "source:identity--81cade27-7df8-4730-836b-62d880e6d9d3"
    assert summary(result)["report"] == {"mapped": 1, "known": 0, "not_mapped": {}}
    assert sum(summary(result)["indicator"]["not_mapped"].values()) == 25


def test_a_field_report_with_locations_notes_and_an_opinion() -> None:
    result = imported(FIELD_REPORT)
    types = [e.event_type() for e in result.events]
    assert types == [
        "SourceRegistered",
        "ActorRegistered",
        "PlaceRegistered",
        "DocumentIngested",
        "ClaimAsserted",
        "ClaimAsserted",
        "ClaimAsserted",
        "ClaimAssessed",
        "ClaimAssessed",
        "DeploymentReported",
    ]
    by_type: dict[str, list[Event]] = {}
    for event in result.events:
        by_type.setdefault(event.event_type(), []).append(event)
    seen, repeated, opinion = by_type["ClaimAsserted"]
    assert seen.envelope.classification is Classification.CONFIDENTIAL  # TLP:AMBER (2.0)
    assert repeated.envelope.classification is Classification.UNKNOWN  # a marking not defined
    assert any("marked UNKNOWN" in note for note in result.report.notes)
    assert fields(seen)["credibility"] == "PROBABLY_TRUE"  # confidence 75
    assert fields(seen)["actor_ids"] == ["actor:threat-actor--51e99c6b-dc59-4547-b63a-e880590a14a0"]
    assert fields(repeated)["document_id"] == "doc:report--28dbf5ea-ca59-44a3-b01e-a7dc6cac2a92"
    duplicate, agrees = (fields(e) for e in by_type["ClaimAssessed"])
    assert duplicate["relation"] == "DUPLICATES" and agrees["relation"] == "CORROBORATES"
    assert agrees["claim_id"] == fields(opinion)["claim_id"]
    (deployment,) = (fields(e) for e in by_type["DeploymentReported"])
    assert deployment["valid_time"]["end"] == "2015-10-05T00:00:00Z"
    assert deployment["credibility"] == "POSSIBLY_TRUE" and deployment["activity"] == "PRESENT"
    assert summary(result)["sighting"]["mapped"] == 0


def test_importing_again_appends_nothing() -> None:
    first = imported(FIELD_REPORT)
    again = imported(FIELD_REPORT)
    assert [e.envelope.event_id for e in first.events] == [
        e.envelope.event_id for e in again.events
    ]
    held = Known.of(events={e.envelope.event_id for e in first.events})
    known = imported(FIELD_REPORT, held)
    assert known.events == [] and known.report.events == 0
    assert summary(known)["note"] == {"mapped": 0, "known": 2, "not_mapped": {}}
    other = map_bundle(FIELD_REPORT.read_bytes(), recorded_by="importer:other")
    assert {e.envelope.event_id for e in other.events}.isdisjoint(held.events(set()) or set())


def test_a_reference_neither_in_the_bundle_nor_in_the_ledger_is_refused() -> None:
    bundle = json.loads(FIELD_REPORT.read_text())
    bundle["objects"] = [o for o in bundle["objects"] if o["type"] != "location"]
    raw = json.dumps(bundle).encode()
    with pytest.raises(ValidationFailed) as refused:
        map_bundle(raw, recorded_by="importer:test")
    assert any(
        p.startswith(
            "object relationship--ae7f0000-822d-4b63-9215-840dd1f6ab13, property target_ref"
        )
        and "neither in this bundle" in p
        for p in refused.value.problems
    ), refused.value.problems
    place = (Kind.PLACE, "place:location--e9869674-72a4-4680-9fd3-e6747bc1b522")
    result = map_bundle(raw, recorded_by="importer:test", known=Known.of(objects={place}))
    assert "DeploymentReported" in [e.event_type() for e in result.events]


def test_a_reference_it_does_not_need_is_reported_not_refused() -> None:
    bundle = json.loads(FIELD_REPORT.read_text())
    bundle["objects"] = [o for o in bundle["objects"] if o["type"] != "identity"]
    result = map_bundle(json.dumps(bundle).encode(), recorded_by="importer:test")
    assert summary(result)["threat-actor"]["mapped"] == 1  # its creator is not held: no matter
    assert list(summary(result)["report"]["not_mapped"]) == [
        "a document needs its outlet, and the report's creator (created_by_ref) is neither "
        "an identity in the bundle nor a source in the ledger"
    ]
    assert list(summary(result)["note"]["not_mapped"]) == [
        "a claim needs the document it is taken from, and no report in the bundle or the "
        "ledger names this note or is named by it"
    ]


@pytest.mark.parametrize(
    "path", [FIELD_REPORT, *sorted(OASIS.glob("*.json"))], ids=lambda p: p.name
)
def test_every_object_has_an_outcome_that_adds_up_to_the_report(path: Path) -> None:
    for known in (None, Known.of(events={e.envelope.event_id for e in imported(path).events})):
        result = imported(path, known)
        ids = {o["id"] for o in json.loads(path.read_bytes())["objects"]}
        assert set(result.report.objects) == ids
        for name, entry in result.report.types.items():
            mine = [o for o in result.report.objects.values() if o.stix_type == name]
            assert sum(o.mapped for o in mine) == entry.mapped
            assert sum(o.known for o in mine) == entry.known
            assert sum(o.reason is not None for o in mine) == sum(entry.not_mapped.values())
            assert all(o.mapped + o.known + (o.reason is not None) == 1 for o in mine)
