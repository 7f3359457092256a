"""Sources (``SourceRegistered``, ``SourceReliabilityAssessed``) as STIX ``identity``.

Export: the newest registration gives name, description and ``identity_class``; kind,
aliases (``identity`` has no aliases property), the affiliated source and the Admiralty
reliability with its history (STIX has no scale for it) go in our extension. A re-grade
is a new version. Import: our identities back into the same events; a third party's
``identity`` becomes a source (``source:identity--…``) of a kind read from
``identity_class``; it has no grade.
"""

from collections.abc import Sequence
from typing import Any

from ledger.domain.enums import SourceKind
from ledger.stix.context import Context
from ledger.stix.facts import Fact
from ledger.stix.reading import (
    OURS,
    Draft,
    NotMapped,
    Reading,
    foreign_draft,
    foreign_id,
    ours_draft,
)
from ledger.stix.times import stamp
from ledger.stix.versions import ObjectKind, Rendered

REGISTERED = "SourceRegistered"
GRADED = "SourceReliabilityAssessed"
RANK = 0

IDENTITY_CLASS = {
    SourceKind.PERSON: "individual",
    SourceKind.OUTLET: "organization",
    SourceKind.OFFICIAL_BODY: "organization",
    SourceKind.ORGANIZATION: "organization",
    SourceKind.ANONYMOUS: "unknown",
    SourceKind.UNKNOWN: "unknown",
}
_KIND_OF_CLASS = {"individual": SourceKind.PERSON, "organization": SourceKind.ORGANIZATION}


def render(facts: Sequence[Fact], context: Context) -> Rendered:
    registration = [f for f in facts if f.event_type == REGISTERED][-1].record
    grades = [f for f in facts if f.event_type == GRADED]
    properties: dict[str, Any] = {
        "name": registration["name"],
        "identity_class": IDENTITY_CLASS[SourceKind(registration["kind"])],
    }
    if registration.get("description"):
        properties["description"] = registration["description"]
    extension: dict[str, Any] = {"source_kind": registration["kind"]}
    if registration.get("aliases"):
        extension["aliases"] = list(registration["aliases"])
    if registration.get("affiliated_source_id"):
        extension["affiliated_source_id"] = registration["affiliated_source_id"]
    if grades:
        extension["reliability"] = grades[-1].record["reliability"]
        extension["grades"] = [
            {
                "position": g.position,
                "reliability": g.record["reliability"],
                "effective_at": stamp(g.record["effective_at"]),
                "rationale": g.record["rationale"],
            }
            for g in grades
        ]
    return properties, extension


KIND = ObjectKind(
    name="source",
    stix_type="identity",
    key="source_id",
    creates=frozenset({REGISTERED}),
    updates=frozenset({GRADED}),
    render=render,
)

_PROPERTIES = {
    "source_id": f"{OURS}.ledger_id",
    "kind": f"{OURS}.source_kind",
    "name": "name",
    "aliases": f"{OURS}.aliases",
    "description": "description",
    "affiliated_source_id": f"{OURS}.affiliated_source_id",
}


def from_stix(obj: dict[str, Any], reading: Reading) -> list[Draft] | NotMapped:
    """The registration (and, for ours, every grade) an identity stands for."""
    whole = reading.marking(obj)
    mine = reading.ours(obj)
    if mine is None:
        fields: dict[str, Any] = {
            "source_id": foreign_id("source", obj["id"]),
            "kind": _KIND_OF_CLASS.get(str(obj.get("identity_class")), SourceKind.UNKNOWN).value,
            "name": obj.get("name"),
            "description": obj.get("description"),
        }
        return foreign_draft(obj, REGISTERED, fields, {"source_id": "id"}, RANK, whole, reading)
    fields = {
        "source_id": mine.get("ledger_id"),
        "kind": mine.get("source_kind"),
        "name": obj.get("name"),
        "aliases": mine.get("aliases", []),
        "description": obj.get("description"),
        "affiliated_source_id": mine.get("affiliated_source_id"),
    }
    drafts = ours_draft(reading, obj, REGISTERED, fields, _PROPERTIES, RANK, whole)
    grades = mine.get("grades", [])
    for n, grade in enumerate(grades if isinstance(grades, list) else [grades]):
        where = f"{OURS}.grades.{n}"
        if not isinstance(grade, dict):
            reading.refuse(obj, where, "a grade is an object")
            continue
        fields = {
            "source_id": mine.get("ledger_id"),
            "reliability": grade.get("reliability"),
            "rationale": grade.get("rationale"),
            "effective_at": grade.get("effective_at"),
        }
        names = {f: f"{where}.{f}" for f in ("reliability", "rationale", "effective_at")}
        drafts += ours_draft(
            reading,
            obj,
            GRADED,
            fields,
            {**names, "source_id": f"{OURS}.ledger_id"},
            RANK,
            whole,
            grade.get("position"),
        )
    return drafts
