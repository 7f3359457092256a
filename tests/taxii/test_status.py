"""The status of an envelope: every object one success or one failure, counts that add
up, an exact duplicate a success, a refusal naming the objects it is about."""

from typing import Any

from ledger.stix.report import ObjectOutcome
from ledger.taxii.status import ACCEPTED, HELD, Posted, imported, posted, refused

A = "identity--11111111-1111-4111-8111-111111111111"
B = "malware--22222222-2222-4222-8222-222222222222"
C = "x-identity--11111111-1111-4111-8111-111111111111"  # holds A's id as a part
OBJECTS = [
    {"type": "identity", "id": A, "modified": "2024-01-01T00:00:00.000Z"},
    {"type": "malware", "id": B, "modified": "2024-01-02T00:00:00.000Z"},
    {"type": "x-identity", "id": C},
]


def _adds_up(found: dict[str, Any]) -> None:
    assert found["status"] == "complete" and found["pending_count"] == 0
    assert found["total_count"] == found["success_count"] + found["failure_count"]
    assert found["success_count"] == len(found.get("successes", []))
    assert found["failure_count"] == len(found.get("failures", []))
    for entries in (found.get("successes"), found.get("failures"), found.get("pendings")):
        assert entries is None or entries, "TAXII forbids an empty list"


def test_objects_are_named_by_id_and_version() -> None:
    assert posted(OBJECTS) == [
        Posted(A, "2024-01-01T00:00:00.000Z"),
        Posted(B, "2024-01-02T00:00:00.000Z"),
        Posted(C, None),
    ]


def test_mapped_and_held_succeed_what_does_not_map_fails_with_the_reason() -> None:
    outcomes = {
        A: ObjectOutcome("identity", mapped=True),
        B: ObjectOutcome("malware", reason="the ledger has no event for a malware"),
        C: ObjectOutcome("x-identity", known=True),
    }
    found = imported("s-1", "2024-01-03T00:00:00.000000Z", posted(OBJECTS), outcomes)
    _adds_up(found)
    assert found["id"] == "s-1" and found["request_timestamp"] == "2024-01-03T00:00:00.000000Z"
    assert found["successes"] == [
        {"id": A, "version": "2024-01-01T00:00:00.000Z", "message": "added"},
        {"id": C, "message": HELD},
    ]
    assert found["failures"] == [
        {
            "id": B,
            "version": "2024-01-02T00:00:00.000Z",
            "message": "not mapped: the ledger has no event for a malware",
        }
    ]


def test_kafka_says_accepted_and_an_unaccounted_object_is_a_failure() -> None:
    found = imported(
        "s", "t", posted(OBJECTS[:2]), {A: ObjectOutcome("identity", mapped=True)}, ACCEPTED
    )
    _adds_up(found)
    assert found["successes"][0]["message"] == ACCEPTED
    assert found["failures"][0]["id"] == B and "no account" in found["failures"][0]["message"]


def test_a_refusal_fails_every_object_and_names_the_ones_it_is_about() -> None:
    sentence = f"envelope, object {A}: its marking SECRET is above this key's clearance"
    found = refused("s", "t", posted(OBJECTS), [sentence, "a second refusal"])
    _adds_up(found)
    assert "successes" not in found and found["failure_count"] == 3
    by_id = {f["id"]: f["message"] for f in found["failures"]}
    assert by_id[A] == sentence
    whole = f"not added: the envelope was refused whole ({sentence})"
    assert by_id[B] == whole
    assert by_id[C] == whole, "an id that only contains another's is not named by it"


def test_several_refusals_of_one_object_are_all_given() -> None:
    first = f"object {B}, property name: missing"
    second = f"object {B}, property created: missing (every STIX 2.1 object has one)"
    found = refused("s", "t", posted(OBJECTS[1:2]), [first, second])
    assert found["failures"] == [
        {"id": B, "version": "2024-01-02T00:00:00.000Z", "message": f"{first}; {second}"}
    ]


def test_when_nothing_was_new_every_mapped_object_is_held() -> None:
    marking = "marking-definition--33333333-3333-4333-8333-333333333333"
    outcomes = {
        marking: ObjectOutcome("marking-definition", mapped=True),  # maps to no event
        A: ObjectOutcome("identity", known=True),
    }
    items = [Posted(marking, None), Posted(A, None)]
    found = imported("s", "t", items, outcomes, appended=False)
    assert [s["message"] for s in found["successes"]] == [HELD, HELD]
    first = imported("s", "t", items, outcomes, appended=True)
    assert [s["message"] for s in first["successes"]] == ["added", HELD]
