"""Attributions (``AttributionMade``) as ``related-to`` relationships, note to identity.

One relationship per hop of reported speech, from the claim's note to the source who
said it; the relayer, the document, mode and access go in our extension. Why not a
list in the note: the note would change with every hop, and a hop hidden from a reader
would change what the note holds for that reader (STIX 3.6 wants one content per
version). Why ``related-to``: STIX defines no relationship from a note (4.13), custom
types fail the validator's strict mode, and ``attributed-to`` means an actor's real
identity, never reported speech. Import: ours back; a third party's relationships never
become attributions (``ledger.stix.relationships`` says why).
"""

from collections.abc import Sequence
from typing import Any

from ledger.stix.claims import KIND as CLAIM
from ledger.stix.context import Context
from ledger.stix.facts import Fact
from ledger.stix.reading import OURS, Draft, NotMapped, Reading, ours_draft
from ledger.stix.sources import KIND as SOURCE
from ledger.stix.versions import ObjectKind, Rendered

MADE = "AttributionMade"
RANK = 5
_OPTIONAL = ("via_source_id", "document_id", "access_note")


def render(facts: Sequence[Fact], context: Context) -> Rendered:
    record = [f for f in facts if f.event_type == MADE][-1].record
    properties = {
        "relationship_type": "related-to",
        "source_ref": CLAIM.ref(context, record["claim_id"]),
        "target_ref": SOURCE.ref(context, record["source_id"]),
    }
    extension: dict[str, Any] = {
        "claim_id": record["claim_id"],
        "source_id": record["source_id"],
        "mode": record["mode"],
        "access": record["access"],
    }
    extension.update({name: record[name] for name in _OPTIONAL if record.get(name)})
    return properties, extension


KIND = ObjectKind(
    name="attribution",
    stix_type="relationship",
    key="attribution_id",
    creates=frozenset({MADE}),
    updates=frozenset(),
    render=render,
)


def from_stix(obj: dict[str, Any], reading: Reading) -> list[Draft] | NotMapped:
    mine = reading.ours(obj) or {}
    names = ("claim_id", "source_id", "mode", "access", *_OPTIONAL)
    fields = {"attribution_id": mine.get("ledger_id"), **{n: mine.get(n) for n in names}}
    properties = {name: f"{OURS}.{name}" for name in fields} | {
        "attribution_id": f"{OURS}.ledger_id"
    }
    return ours_draft(reading, obj, MADE, fields, properties, RANK, reading.marking(obj))
