"""Actors (``ActorRegistered``) as STIX ``identity``, whatever their kind.

Why not ``threat-actor`` for some kinds: every note (claim) and ``located-at``
(deployment) names its actors by STIX id, and an id's type is part of it. A type chosen
by kind would make each of those objects depend on the actor's registration, another
object's event that its reader may not see, so its content would differ between
clearances and its references break when the actor is re-registered with another kind.
``identity`` also makes no judgement of "malicious intent" (STIX 4.17) about states and
armies. ``identity_class`` follows the kind; kind, aliases, parent, coalitions and
country go in our extension. Import: ours back; a third party's ``threat-actor`` or
``intrusion-set`` becomes an actor (``actor:threat-actor--…``) with its aliases.
"""

from collections.abc import Sequence
from typing import Any

from ledger.domain.enums import ActorKind
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

REGISTERED = "ActorRegistered"
RANK = 1

IDENTITY_CLASS = {
    ActorKind.PERSON: "individual",
    ActorKind.STATE: "organization",
    ActorKind.ARMED_FORCE: "organization",
    ActorKind.COMMAND: "organization",
    ActorKind.PARAMILITARY: "group",
    ActorKind.MILITIA: "group",
    ActorKind.NON_STATE_GROUP: "group",
    ActorKind.COALITION: "group",
    ActorKind.UNKNOWN: "unknown",
}


def render(facts: Sequence[Fact], context: Context) -> Rendered:
    registration = [f for f in facts if f.event_type == REGISTERED][-1].record
    properties = {
        "name": registration["name"],
        "identity_class": IDENTITY_CLASS[ActorKind(registration["kind"])],
    }
    extension: dict[str, Any] = {"actor_kind": registration["kind"]}
    for name in ("aliases", "member_of"):
        if registration.get(name):
            extension[name] = list(registration[name])
    for name in ("parent_actor_id", "country"):
        if registration.get(name):
            extension[name] = registration[name]
    return properties, extension


KIND = ObjectKind(
    name="actor",
    stix_type="identity",
    key="actor_id",
    creates=frozenset({REGISTERED}),
    updates=frozenset(),
    render=render,
)

_PROPERTIES = {
    "actor_id": f"{OURS}.ledger_id",
    "name": "name",
    "kind": f"{OURS}.actor_kind",
    "aliases": f"{OURS}.aliases",
    "parent_actor_id": f"{OURS}.parent_actor_id",
    "member_of": f"{OURS}.member_of",
    "country": f"{OURS}.country",
}

_KIND_OF_TYPE = {"nation-state": ActorKind.STATE}


def from_stix(obj: dict[str, Any], reading: Reading) -> list[Draft] | NotMapped:
    """The registration an identity of ours, a threat actor or an intrusion set stands for."""
    whole = reading.marking(obj)
    mine = reading.ours(obj)
    if mine is not None:
        fields = {
            "actor_id": mine.get("ledger_id"),
            "name": obj.get("name"),
            "kind": mine.get("actor_kind"),
            "aliases": mine.get("aliases", []),
            "parent_actor_id": mine.get("parent_actor_id"),
            "member_of": mine.get("member_of", []),
            "country": mine.get("country"),
        }
        return ours_draft(reading, obj, REGISTERED, fields, _PROPERTIES, RANK, whole)
    types = obj.get("threat_actor_types")
    kinds = sorted(
        {_KIND_OF_TYPE[t] for t in types if isinstance(t, str) and t in _KIND_OF_TYPE}
        if isinstance(types, list)
        else ()
    )
    foreign = {
        "actor_id": foreign_id("actor", obj["id"]),
        "name": obj.get("name"),
        "kind": (kinds[0] if len(kinds) == 1 else ActorKind.UNKNOWN).value,
        "aliases": obj.get("aliases", []),
    }
    names = {"actor_id": "id", "name": "name", "aliases": "aliases"}
    return foreign_draft(obj, REGISTERED, foreign, names, RANK, whole, reading)
