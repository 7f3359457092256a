"""Retractions (``ClaimRetracted``) as the revoked version of the claim's note.

STIX revocation is final (3.6): the first retraction a version rests on revokes the
note, how and why go in our extension (with the superseding claim), and no later event
makes another version of it for that reader. Import: ours back into the retraction; a
third party's revoked note becomes a retraction by its source (its creator withdrew it).
"""

from collections.abc import Sequence
from typing import Any

from ledger.domain.enums import RetractionKind
from ledger.domain.marking import Marking
from ledger.stix.facts import Fact
from ledger.stix.reading import OURS, Draft, Reading, foreign_draft, ours_draft

RETRACTED = "ClaimRetracted"
RANK = 8


def revocation(facts: Sequence[Fact]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """``revoked`` and our extension's ``retraction``, if the facts hold a retraction."""
    found = next((f for f in facts if f.event_type == RETRACTED), None)
    if found is None:
        return None
    retraction: dict[str, Any] = {
        "position": found.position,
        "retracted_by": found.record["retracted_by"],
        "reason": found.record["reason"],
    }
    if found.record.get("superseded_by_claim_id"):
        retraction["superseded_by_claim_id"] = found.record["superseded_by_claim_id"]
    return {"revoked": True}, {"retraction": retraction}


def from_stix(obj: dict[str, Any], reading: Reading, claim_id: Any, whole: Marking) -> list[Draft]:
    """The retraction a revoked note stands for (none if it is not revoked)."""
    if obj.get("revoked") is not True:
        return []
    mine = reading.ours(obj)
    if mine is None:
        fields = {
            "claim_id": claim_id,
            "retracted_by": RetractionKind.SOURCE_WITHDREW.value,
            "reason": "revoked by its creator (STIX revoked)",
        }
        return foreign_draft(obj, RETRACTED, fields, {"claim_id": "id"}, RANK, whole, reading)
    retraction = mine.get("retraction")
    where = f"{OURS}.retraction"
    if not isinstance(retraction, dict):
        reading.refuse(obj, where, "a revoked note of ours says how it was retracted")
        return []
    fields = {
        "claim_id": claim_id,
        "retracted_by": retraction.get("retracted_by"),
        "reason": retraction.get("reason"),
        "superseded_by_claim_id": retraction.get("superseded_by_claim_id"),
    }
    names = {name: f"{where}.{name}" for name in fields} | {"claim_id": f"{OURS}.ledger_id"}
    return ours_draft(
        reading, obj, RETRACTED, fields, names, RANK, whole, retraction.get("position")
    )
