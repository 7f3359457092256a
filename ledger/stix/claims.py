"""Claims (``ClaimAsserted``) as STIX ``note``.

The statement is the note's ``content``; ``object_refs`` names the report the claim is
taken from, then its actors and places (never empty: a claim always has its document);
credibility is ``confidence`` by Appendix A (``ledger.stix.admiralty``), the producer
the note's ``authors``. Kind, valid time, the exact credibility and the ledger ids it
names go in our extension. A retraction revokes it (``ledger.stix.retractions``).
Attributions are relationships of their own (``ledger.stix.attributions``), so a claim's
note never grows with its chain of reported speech.

Import: ours back; a third party's note becomes a claim (``claim:note--…``, kind OTHER,
valid from its ``created`` with precision UNKNOWN) when a report in the bundle or the
ledger is its document: one in its ``object_refs``, else one whose ``object_refs`` name
it. Its actors are the threat actors and intrusion sets it names, its places the
locations.
"""

from collections.abc import Sequence
from typing import Any

from ledger.domain.enums import ClaimKind, TimePrecision
from ledger.domain.references import Kind
from ledger.stix import retractions
from ledger.stix.actors import KIND as ACTOR
from ledger.stix.admiralty import confidence, credibility
from ledger.stix.context import Context
from ledger.stix.documents import KIND as DOCUMENT
from ledger.stix.facts import Fact
from ledger.stix.places import KIND as PLACE
from ledger.stix.reading import (
    OURS,
    Draft,
    NotMapped,
    Reading,
    foreign_draft,
    foreign_id,
    ours_draft,
)
from ledger.stix.spans import span
from ledger.stix.versions import ObjectKind, Rendered

ASSERTED = "ClaimAsserted"
RANK = 4

NAMED = {
    "threat-actor": Kind.ACTOR,
    "intrusion-set": Kind.ACTOR,
    "location": Kind.PLACE,
    "report": Kind.DOCUMENT,
}
"""What a third party's note may name that a claim names too."""


def render(facts: Sequence[Fact], context: Context) -> Rendered:
    fact = [f for f in facts if f.event_type == ASSERTED][-1]
    record = fact.record
    refs = [
        DOCUMENT.ref(context, record["document_id"]),
        *(ACTOR.ref(context, a) for a in record.get("actor_ids") or []),
        *(PLACE.ref(context, p) for p in record.get("place_ids") or []),
    ]
    properties: dict[str, Any] = {
        "content": record["statement"],
        "object_refs": list(dict.fromkeys(refs)),
        "authors": [record["envelope"]["recorded_by"]],
    }
    stated = confidence(record["credibility"])
    if stated is not None:
        properties["confidence"] = stated
    extension: dict[str, Any] = {
        "claim_kind": record["kind"],
        "valid_time": span(record["valid_time"]),
        "credibility": record["credibility"],
        "document_id": record["document_id"],
    }
    for name in ("actor_ids", "place_ids"):
        if record.get(name):
            extension[name] = list(record[name])
    revoked = retractions.revocation(facts)
    if revoked is not None:
        properties.update(revoked[0])
        extension.update(revoked[1])
    return properties, extension


KIND = ObjectKind(
    name="claim",
    stix_type="note",
    key="claim_id",
    creates=frozenset({ASSERTED}),
    updates=frozenset({retractions.RETRACTED}),
    render=render,
)

_PROPERTIES = {
    "claim_id": f"{OURS}.ledger_id",
    "document_id": f"{OURS}.document_id",
    "kind": f"{OURS}.claim_kind",
    "statement": "content",
    "actor_ids": f"{OURS}.actor_ids",
    "place_ids": f"{OURS}.place_ids",
    "valid_time": f"{OURS}.valid_time",
    "credibility": f"{OURS}.credibility",
}


def from_stix(obj: dict[str, Any], reading: Reading) -> list[Draft] | NotMapped:
    whole = reading.marking(obj)
    mine = reading.ours(obj)
    if mine is not None:
        fields = {
            "claim_id": mine.get("ledger_id"),
            "document_id": mine.get("document_id"),
            "kind": mine.get("claim_kind"),
            "statement": obj.get("content"),
            "actor_ids": mine.get("actor_ids", []),
            "place_ids": mine.get("place_ids", []),
            "valid_time": mine.get("valid_time"),
            "credibility": mine.get("credibility"),
        }
        reading.documents[str(mine.get("ledger_id"))] = str(mine.get("document_id"))
        drafts = ours_draft(reading, obj, ASSERTED, fields, _PROPERTIES, RANK, whole)
        return drafts + retractions.from_stix(obj, reading, mine.get("ledger_id"), whole)
    named: dict[Kind, list[str]] = {Kind.ACTOR: [], Kind.PLACE: [], Kind.DOCUMENT: []}
    refs = obj.get("object_refs")
    for n, value in enumerate(refs if isinstance(refs, list) else []):
        found = reading.ref(obj, f"object_refs.{n}", value, NAMED)
        if found is not None and found[0] in named and found[1] not in named[found[0]]:
            named[found[0]].append(found[1])
    documents = [d for d in named[Kind.DOCUMENT] if reading.holds((Kind.DOCUMENT, d))]
    documents += [
        d for d in reading.reports_of.get(obj["id"], []) if reading.holds((Kind.DOCUMENT, d))
    ]
    if not documents:
        return NotMapped(
            "a claim needs the document it is taken from, and no report in the bundle or "
            "the ledger names this note or is named by it"
        )
    created = reading.moment(obj, "created", obj.get("created"))
    claim_id = foreign_id(Kind.CLAIM, obj["id"])
    confidence_given = obj.get("confidence")
    fields = {
        "claim_id": claim_id,
        "document_id": documents[0],
        "kind": ClaimKind.OTHER.value,
        "statement": obj.get("content"),
        "actor_ids": named[Kind.ACTOR],
        "place_ids": named[Kind.PLACE],
        "valid_time": {"start": created, "precision": TimePrecision.UNKNOWN.value},
        "credibility": credibility(
            confidence_given if isinstance(confidence_given, int) else None
        ).value,
    }
    reading.documents[claim_id] = documents[0]
    names = {
        "statement": "content",
        "actor_ids": "object_refs",
        "place_ids": "object_refs",
        "document_id": "object_refs",
        "valid_time": "created",
        "credibility": "confidence",
    }
    drafts = foreign_draft(obj, ASSERTED, fields, names, RANK, whole, reading)
    return drafts + retractions.from_stix(obj, reading, claim_id, whole)
