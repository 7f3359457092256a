"""Which ids events register and name, and which a batch leaves unregistered."""

from ledger.domain.references import (
    Kind,
    Reference,
    ReferenceScan,
    Unregistered,
    dangling,
    references,
    registered_id,
)
from tests.factories import make


def test_each_event_type_names_what_it_refers_to() -> None:
    assert set(references(make("DeploymentReported"))) == {
        Reference(Kind.CLAIM, "claim:test-1", "claim_id"),
        Reference(Kind.ACTOR, "actor:militia", "actor_id"),
        Reference(Kind.PLACE, "place:town", "place.place_id"),
    }
    assert set(references(make("AttributionMade"))) == {
        Reference(Kind.CLAIM, "claim:test-1", "claim_id"),
        Reference(Kind.SOURCE, "source:anonymous", "source_id"),
        Reference(Kind.SOURCE, "source:test-author", "via_source_id"),
        Reference(Kind.DOCUMENT, "doc:test", "document_id"),
    }
    assert set(references(make("ClaimAsserted"))) == {
        Reference(Kind.DOCUMENT, "doc:test", "document_id"),
        Reference(Kind.ACTOR, "actor:militia", "actor_ids.0"),
        Reference(Kind.PLACE, "place:town", "place_ids.0"),
    }
    assert {r.field for r in references(make("DocumentIngested"))} == {
        "outlet_source_id",
        "author_source_ids.0",
    }
    assert {r.id for r in references(make("ClaimAssessed"))} == {"claim:test-1", "claim:test-2"}
    assert [r.field for r in references(make("ActorRegistered"))] == ["member_of.0"]
    assert [r.field for r in references(make("PlaceRegistered"))] == ["parent_place_id"]
    assert [r.kind for r in references(make("SourceReliabilityAssessed"))] == [Kind.SOURCE]
    assert list(references(make("SourceRegistered"))) == []


def test_registrations() -> None:
    assert registered_id(make("ActorRegistered")) == (Kind.ACTOR, "actor:militia")
    assert registered_id(make("DocumentIngested")) == (Kind.DOCUMENT, "doc:test")
    assert registered_id(make("ClaimAsserted")) == (Kind.CLAIM, "claim:test-1")
    assert registered_id(make("AttributionMade")) is None


def test_a_name_registered_earlier_in_the_batch_is_resolved() -> None:
    scan = ReferenceScan()
    scan.add(1, make("PlaceRegistered", parent_place_id=None))
    scan.add(2, make("ActorRegistered", member_of=[]))
    scan.add(3, make("DeploymentReported", claim_id=None))
    assert scan.unregistered == []


def test_a_name_used_before_its_registration_is_unregistered_once_with_a_count() -> None:
    scan = ReferenceScan()
    scan.add(1, make("DeploymentReported", claim_id=None, report_id="dep:1"))
    scan.add(2, make("DeploymentReported", claim_id=None, report_id="dep:2"))
    scan.add(3, make("ActorRegistered", member_of=[]))
    scan.add(4, make("DeploymentReported", claim_id=None, report_id="dep:3"))
    assert scan.unregistered == [
        Unregistered(Kind.ACTOR, "actor:militia", 1, "actor_id", more=1),
        Unregistered(Kind.PLACE, "place:town", 1, "place.place_id", more=2),
    ]


def test_dangling_leaves_out_what_the_ledger_holds() -> None:
    found = [
        Unregistered(Kind.ACTOR, "actor:a", 1, "actor_id"),
        Unregistered(Kind.PLACE, "place:b", 1, "place.place_id"),
    ]
    assert dangling(found, {(Kind.ACTOR, "actor:a")}) == [found[1]]
