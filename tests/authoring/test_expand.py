"""A report expanded into events: names resolved, ids derived from the content, declared
entries registered once, unknown names refused with suggestions."""

from typing import Any

import pytest

from ledger.authoring.expand import expand
from ledger.authoring.report import Report
from ledger.domain.events import AttributionMade, DeploymentReported
from ledger.domain.names import Entry
from ledger.errors import ValidationFailed

KNOWN = [
    Entry("actor", "actor:hezbollah", "Hezbollah", ("Hizballah",)),
    Entry("place", "place:idlib", "Idlib", ()),
    Entry("source", "source:outlet", "The Outlet", ()),
]


def _report(**changes: Any) -> Report:
    data: dict[str, Any] = {
        "recorded_by": "analyst:t",
        "document": {"id": "doc:t", "title": "T", "outlet": "the outlet"},
        "sources": [{"id": "source:anon", "kind": "ANONYMOUS", "name": "an official"}],
        "claims": [
            {
                "kind": "DEPLOYMENT",
                "statement": "Hezbollah sent more men to Idlib.",
                "actors": ["HIZBALLAH"],
                "places": ["idlib"],
                "valid": {"start": "2015-10-01T00:00:00Z"},
                "credibility": "POSSIBLY_TRUE",
                "chain": [{"said_by": "an official", "via": "The Outlet", "mode": "DIRECT_QUOTE"}],
                "deployments": [
                    {"actor": "Hezbollah", "place": "Idlib", "strength": "about 2,000"},
                    {"actor": "Hezbollah", "place": "Idlib", "strength": "a brigade"},
                ],
            }
        ],
        **changes,
    }
    return Report.model_validate(data)


def test_names_resolve_and_strength_is_read() -> None:
    events = expand(_report(), KNOWN)
    types = [e.event_type() for e in events]
    assert types == [
        "SourceRegistered",
        "DocumentIngested",
        "ClaimAsserted",
        "AttributionMade",
        "DeploymentReported",
        "DeploymentReported",
    ]
    hop = events[3]
    assert isinstance(hop, AttributionMade)
    assert (hop.source_id, hop.via_source_id, hop.claim_id) == (
        "source:anon",
        "source:outlet",
        "claim:t-01",
    )
    first, second = events[4], events[5]
    assert isinstance(first, DeploymentReported) and isinstance(second, DeploymentReported)
    assert first.actor_id == "actor:hezbollah" and first.place.place_id == "place:idlib"
    assert first.strength is not None and (first.strength.best, first.strength.text) == (
        2000,
        "about 2,000",
    )
    assert second.strength is not None and second.strength.qualifier == "UNKNOWN"
    assert second.strength.text == "a brigade" and second.strength.bounds == (None, None)


def test_ids_come_from_the_content() -> None:
    once = [e.envelope.event_id for e in expand(_report(), KNOWN)]
    again = [e.envelope.event_id for e in expand(_report(), KNOWN)]
    assert once == again and len(set(once)) == len(once)
    changed = _report(recorded_by="analyst:other")
    assert next(e.envelope.event_id for e in expand(changed, KNOWN)) != once[0]


def test_a_declared_entry_the_ledger_holds_is_not_registered_again() -> None:
    known = [*KNOWN, Entry("source", "source:anon", "an official", ())]
    assert "SourceRegistered" not in [e.event_type() for e in expand(_report(), known)]


def test_unknown_names_are_refused_with_suggestions() -> None:
    report = _report(
        claims=[
            {
                "kind": "DEPLOYMENT",
                "statement": "s",
                "actors": ["Hezbolah"],
                "valid": {"start": "2015-10-01T00:00:00Z"},
                "credibility": "POSSIBLY_TRUE",
                "chain": [{"said_by": "nobody at all"}],
            }
        ]
    )
    with pytest.raises(ValidationFailed) as caught:
        expand(report, KNOWN, "r.yaml")
    assert caught.value.problems == [
        "r.yaml, claims[0].actors[0]: no actor is called 'Hezbolah' in the ledger or this "
        "report; did you mean actor:hezbollah? (declare it under actors: to "
        "register it)",
        "r.yaml, claims[0].chain[0].said_by: no source is called 'nobody at all' in the "
        "ledger or this report (declare it under sources: to register it)",
    ]


def test_an_ambiguous_name_asks_for_the_id() -> None:
    known = [*KNOWN, Entry("place", "place:idlib-city", "Idlib", ())]
    with pytest.raises(ValidationFailed) as caught:
        expand(_report(), known)
    assert "'idlib' names 2 places (place:idlib, place:idlib-city); write the id" in str(
        caught.value
    )
