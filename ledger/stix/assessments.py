"""Assessments (``ClaimAssessed``) as relationships between two claims' notes.

DUPLICATES is ``duplicate-of`` and REFINES ``derived-from`` (STIX 3.7: common to all
SDOs, note to note is the same type as they require); CORROBORATES and CONTRADICTS
have no STIX type, and custom types fail strict validation, so they are ``related-to``.
Relation and independence are in our extension, the rationale is the description.
Import: ours back; a third party's ``duplicate-of`` or ``derived-from`` between two
notes becomes DUPLICATES or REFINES (independence UNKNOWN); an ``opinion`` that agrees
or disagrees with a note becomes a claim of its own (the opinion, from the note's
document) that corroborates or contradicts it.
"""

from collections.abc import Sequence
from typing import Any

from ledger.domain.enums import ClaimKind, ClaimRelation, Independence, TimePrecision
from ledger.domain.references import Kind
from ledger.stix.admiralty import credibility
from ledger.stix.claims import KIND as CLAIM
from ledger.stix.claims import RANK as CLAIM_RANK
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
from ledger.stix.versions import ObjectKind, Rendered

ASSESSED = "ClaimAssessed"
RANK = 6

TYPE_OF = {ClaimRelation.DUPLICATES: "duplicate-of", ClaimRelation.REFINES: "derived-from"}
RELATION_OF = {kind: relation for relation, kind in TYPE_OF.items()}
OPINION = {
    "strongly-agree": ClaimRelation.CORROBORATES,
    "agree": ClaimRelation.CORROBORATES,
    "disagree": ClaimRelation.CONTRADICTS,
    "strongly-disagree": ClaimRelation.CONTRADICTS,
}


def render(facts: Sequence[Fact], context: Context) -> Rendered:
    record = [f for f in facts if f.event_type == ASSESSED][-1].record
    properties = {
        "relationship_type": TYPE_OF.get(ClaimRelation(record["relation"]), "related-to"),
        "source_ref": CLAIM.ref(context, record["claim_id"]),
        "target_ref": CLAIM.ref(context, record["related_claim_id"]),
        "description": record["rationale"],
    }
    extension = {
        "claim_id": record["claim_id"],
        "related_claim_id": record["related_claim_id"],
        "relation": record["relation"],
        "independence": record["independence"],
    }
    return properties, extension


KIND = ObjectKind(
    name="assessment",
    stix_type="relationship",
    key="assessment_id",
    creates=frozenset({ASSESSED}),
    updates=frozenset(),
    render=render,
)

_NOTES = {"note": Kind.CLAIM, "opinion": Kind.CLAIM}


def from_stix(obj: dict[str, Any], reading: Reading) -> list[Draft] | NotMapped:
    """An assessment of ours, or a third party's duplicate-of or derived-from."""
    whole = reading.marking(obj)
    mine = reading.ours(obj)
    if mine is not None:
        names = ("claim_id", "related_claim_id", "relation", "independence")
        fields = {
            "assessment_id": mine.get("ledger_id"),
            **{n: mine.get(n) for n in names},
            "rationale": obj.get("description"),
        }
        properties = {name: f"{OURS}.{name}" for name in names} | {
            "assessment_id": f"{OURS}.ledger_id",
            "rationale": "description",
        }
        return ours_draft(reading, obj, ASSESSED, fields, properties, RANK, whole)
    claim = reading.ref(obj, "source_ref", obj.get("source_ref"), _NOTES)
    related = reading.ref(obj, "target_ref", obj.get("target_ref"), _NOTES)
    if claim is None or related is None or {claim[0], related[0]} != {Kind.CLAIM}:
        return NotMapped(
            f"a {obj.get('relationship_type')} between anything but notes relates no claims"
        )
    if reading.dropped(obj.get("source_ref"), claim) or reading.dropped(
        obj.get("target_ref"), related
    ):
        return NotMapped("it relates a note of the bundle that the ledger did not map")
    relation = RELATION_OF[str(obj.get("relationship_type"))]
    fields = {
        "assessment_id": foreign_id("assess", obj["id"]),
        "claim_id": claim[1],
        "related_claim_id": related[1],
        "relation": relation.value,
        "independence": Independence.UNKNOWN.value,
        "rationale": obj.get("description") or f"{obj.get('relationship_type')} in STIX",
    }
    properties = {"claim_id": "source_ref", "related_claim_id": "target_ref"}
    return foreign_draft(obj, ASSESSED, fields, properties, RANK, whole, reading)


def from_opinion(obj: dict[str, Any], reading: Reading) -> list[Draft] | NotMapped:
    """The claim an opinion makes and its assessment of the first note it judges."""
    relation = OPINION.get(str(obj.get("opinion")))
    if relation is None:
        return NotMapped("a neutral opinion (or none) neither corroborates nor contradicts")
    whole = reading.marking(obj)
    refs = obj.get("object_refs")
    for n, value in enumerate(refs if isinstance(refs, list) else []):
        judged = reading.ref(obj, f"object_refs.{n}", value, {"note": Kind.CLAIM})
        if judged is None or judged[0] is not Kind.CLAIM or judged[1] not in reading.documents:
            continue
        claim_id = foreign_id(Kind.CLAIM, obj["id"])
        given = obj.get("confidence")
        claim = {
            "claim_id": claim_id,
            "document_id": reading.documents[judged[1]],
            "kind": ClaimKind.OTHER.value,
            "statement": obj.get("explanation") or f"{obj.get('opinion')} (a STIX opinion)",
            "valid_time": {
                "start": reading.moment(obj, "created", obj.get("created")),
                "precision": TimePrecision.UNKNOWN.value,
            },
            "credibility": credibility(given if isinstance(given, int) else None).value,
        }
        assessment = {
            "assessment_id": foreign_id("assess", obj["id"]),
            "claim_id": claim_id,
            "related_claim_id": judged[1],
            "relation": relation.value,
            "independence": Independence.UNKNOWN.value,
            "rationale": obj.get("explanation") or str(obj.get("opinion")),
        }
        names = {"statement": "explanation", "credibility": "confidence"}
        return foreign_draft(
            obj, "ClaimAsserted", claim, names, CLAIM_RANK, whole, reading
        ) + foreign_draft(
            obj,
            ASSESSED,
            assessment,
            {"related_claim_id": f"object_refs.{n}"},
            RANK,
            whole,
            reading,
        )
    return NotMapped("an opinion about no note of the bundle judges no claim the ledger can relate")
