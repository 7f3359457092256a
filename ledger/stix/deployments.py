"""Deployment reports (``DeploymentReported``) as ``located-at`` relationships, actor
(identity) to place (location).

``start_time`` and ``stop_time`` are the valid time (``stop_time`` only when the span
ends strictly after it starts, as STIX requires); credibility is ``confidence``;
activity, the strength estimate as written, the place as the report wrote it and the
claim go in our extension, and the strength's text is the ``description``. Why not a
``sighting``: a sighting is the creator's own observation and counts times seen; these
are reports of what sources say, with an estimate and a validity span. A report that
names no gazetteer place has no location to point at: it makes no relationship.
Import: ours back; a third party's ``located-at`` from a threat actor or intrusion set
becomes a report of the actor PRESENT there (no strength), both ends being in the
bundle or the ledger.
"""

from collections.abc import Sequence
from typing import Any

from ledger.domain.enums import DeploymentActivity, TimePrecision
from ledger.domain.references import Kind
from ledger.stix.actors import KIND as ACTOR
from ledger.stix.admiralty import confidence, credibility
from ledger.stix.context import Context
from ledger.stix.facts import Fact
from ledger.stix.places import KIND as PLACE
from ledger.stix.places import named
from ledger.stix.reading import (
    OURS,
    Draft,
    NotMapped,
    Reading,
    foreign_draft,
    foreign_id,
    ours_draft,
)
from ledger.stix.spans import relationship_times, span
from ledger.stix.versions import ObjectKind, Rendered

REPORTED = "DeploymentReported"
RANK = 7


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def render(facts: Sequence[Fact], context: Context) -> Rendered | None:
    record = [f for f in facts if f.event_type == REPORTED][-1].record
    place = record["place"]
    if place.get("place_id") is None:
        return None
    properties: dict[str, Any] = {
        "relationship_type": "located-at",
        "source_ref": ACTOR.ref(context, record["actor_id"]),
        "target_ref": PLACE.ref(context, place["place_id"]),
        **relationship_times(record["valid_time"]),
    }
    stated = confidence(record["credibility"])
    if stated is not None:
        properties["confidence"] = stated
    extension: dict[str, Any] = {
        "actor_id": record["actor_id"],
        "place": _present(place),
        "activity": record["activity"],
        "valid_time": span(record["valid_time"]),
        "credibility": record["credibility"],
    }
    if record.get("claim_id"):
        extension["claim_id"] = record["claim_id"]
    if record.get("strength"):
        extension["strength"] = _present(record["strength"])
        properties["description"] = record["strength"]["text"]
    return properties, extension


KIND = ObjectKind(
    name="deployment",
    stix_type="relationship",
    key="report_id",
    creates=frozenset({REPORTED}),
    updates=frozenset(),
    render=render,
)

_NAMES = ("claim_id", "actor_id", "place", "strength", "activity", "valid_time", "credibility")
_ACTORS = {"threat-actor": Kind.ACTOR, "intrusion-set": Kind.ACTOR}


def from_stix(obj: dict[str, Any], reading: Reading) -> list[Draft] | NotMapped:
    whole = reading.marking(obj)
    mine = reading.ours(obj)
    if mine is not None:
        fields = {"report_id": mine.get("ledger_id"), **{n: mine.get(n) for n in _NAMES}}
        properties = {name: f"{OURS}.{name}" for name in fields} | {
            "report_id": f"{OURS}.ledger_id"
        }
        return ours_draft(reading, obj, REPORTED, fields, properties, RANK, whole)
    actor = reading.ref(obj, "source_ref", obj.get("source_ref"), _ACTORS)
    place = reading.ref(obj, "target_ref", obj.get("target_ref"), {"location": Kind.PLACE})
    if actor is None or actor[0] is not Kind.ACTOR:
        return NotMapped(
            "a located-at from anything but a threat actor or intrusion set says where it "
            "is based, not that a force is deployed there"
        )
    if place is None or place[0] is not Kind.PLACE:
        return NotMapped("a located-at to anything but a location names no place")
    if reading.dropped(obj.get("source_ref"), actor) or reading.dropped(
        obj.get("target_ref"), place
    ):
        return NotMapped("it names an actor or location of the bundle the ledger did not map")
    location = reading.objects.get(str(obj.get("target_ref"))) or {}
    start = obj.get("start_time") if obj.get("start_time") is not None else obj.get("created")
    given = obj.get("confidence")
    fields = {
        "report_id": foreign_id("dep", obj["id"]),
        "actor_id": actor[1],
        "place": {
            "name": named(location) or place[1],
            "place_id": place[1],
            "latitude": location.get("latitude"),
            "longitude": location.get("longitude"),
            "precision": "UNKNOWN",
        },
        "activity": DeploymentActivity.PRESENT.value,
        "valid_time": {
            "start": reading.moment(obj, "start_time", start),
            "end": reading.moment(obj, "stop_time", obj["stop_time"])
            if obj.get("stop_time") is not None
            else None,
            "precision": TimePrecision.UNKNOWN.value,
        },
        "credibility": credibility(given if isinstance(given, int) else None).value,
    }
    properties = {
        "actor_id": "source_ref",
        "place": "target_ref",
        "valid_time": "start_time",
        "credibility": "confidence",
    }
    return foreign_draft(obj, REPORTED, fields, properties, RANK, whole, reading)
