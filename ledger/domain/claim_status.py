"""Claim status rules: how a claim moves between ASSERTED, CORROBORATED, DISPUTED and
RETRACTED as analysts relate it to other claims.

1. **RETRACTED** once a retraction is recorded (by the source or an analyst).
2. **DISPUTED** while any assessment says it and another claim contradict each other
   (in either direction).
3. **CORROBORATED** when at least one *independent* corroboration counts: another claim
   assessed as corroborating it (in either direction), not marked SAME_ORIGIN, whose
   original speaker differs from this claim's. Corroborations that trace back to one
   origin count once, however often that origin repeats itself.
4. **ASSERTED** otherwise.

Precedence is that order: a retracted claim stays retracted whatever else is said.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from ledger.domain.enums import ClaimRelation, Independence, Symbol


class ClaimStatus(Symbol):
    ASSERTED = "ASSERTED"
    CORROBORATED = "CORROBORATED"
    DISPUTED = "DISPUTED"
    RETRACTED = "RETRACTED"


@dataclass(frozen=True)
class Relation:
    """One assessment seen from a claim: the other claim and how they relate."""

    position: int
    other_claim_id: str
    relation: ClaimRelation
    independence: Independence
    other_origin: str | None
    rationale: str = ""


@dataclass(frozen=True)
class Verdict:
    """Whether one corroboration counts towards CORROBORATED (rule 3), and why not."""

    relation: Relation
    counts: bool
    reason: str


def corroborations(own_origin: str | None, relations: Iterable[Relation]) -> list[Verdict]:
    """Each corroboration in order, with whether it counts (rule 3) and why not."""
    seen: dict[str, int] = {}
    verdicts = []
    for r in relations:
        if r.relation is not ClaimRelation.CORROBORATES:
            continue
        origin = r.other_origin or f"unattributed:{r.other_claim_id}"
        if r.independence is Independence.SAME_ORIGIN:
            verdicts.append(Verdict(r, False, "assessed SAME_ORIGIN"))
        elif own_origin is not None and origin == own_origin:
            verdicts.append(Verdict(r, False, f"same original speaker ({origin}) as this claim"))
        elif origin in seen:
            verdicts.append(
                Verdict(r, False, f"origin {origin} already counted (position {seen[origin]})")
            )
        else:
            seen[origin] = r.position
            verdicts.append(Verdict(r, True, f"independent origin {origin}"))
    return verdicts


def independent_origins(own_origin: str | None, relations: Iterable[Relation]) -> set[str]:
    """The distinct origins of independent corroborations (rule 3)."""
    origins: set[str] = set()
    for r in relations:
        if r.relation is not ClaimRelation.CORROBORATES:
            continue
        if r.independence is Independence.SAME_ORIGIN:
            continue
        origin = r.other_origin or f"unattributed:{r.other_claim_id}"
        if own_origin is not None and origin == own_origin:
            continue
        origins.add(origin)
    return origins


def claim_status(retracted: bool, own_origin: str | None, relations: list[Relation]) -> ClaimStatus:
    if retracted:
        return ClaimStatus.RETRACTED
    if any(r.relation is ClaimRelation.CONTRADICTS for r in relations):
        return ClaimStatus.DISPUTED
    if independent_origins(own_origin, relations):
        return ClaimStatus.CORROBORATED
    return ClaimStatus.ASSERTED


def origin_of(hops: Iterable[tuple[str, str | None]]) -> str | None:
    """The original speaker of a chain of (source, via) hops: the source nobody relays
    from; with several candidates the first recorded; None without hops."""
    listed = list(hops)
    relays = {via for _, via in listed if via is not None}
    for source, _ in listed:
        if source not in relays:
            return source
    return listed[0][0] if listed else None
