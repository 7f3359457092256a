"""Places (``PlaceRegistered``) as STIX ``location``.

A location must have a region, a country or coordinates (STIX 4.10); a registration
holds no region or country, so a place without coordinates makes no location (and a
note or deployment naming it names an id that the bundle does not hold). ``precision``
(metres around the point) follows the place's kind by a stated convention (``METRES``);
kind, aliases and parent go in our extension. Import: ours back; a third party's
location becomes a place (``place:location--…``) named by its name, else its city,
area, country or region.
"""

from collections.abc import Sequence
from typing import Any

from ledger.domain.enums import PlaceKind
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

REGISTERED = "PlaceRegistered"
RANK = 2

METRES = {
    PlaceKind.SITE: 1_000.0,
    PlaceKind.TOWN: 5_000.0,
    PlaceKind.CITY: 10_000.0,
    PlaceKind.AREA: 25_000.0,
    PlaceKind.REGION: 200_000.0,
    PlaceKind.COUNTRY: 500_000.0,
}
"""How far from its coordinates a place of each kind may reach (``precision``)."""


def render(facts: Sequence[Fact], context: Context) -> Rendered | None:
    registration = [f for f in facts if f.event_type == REGISTERED][-1].record
    if registration.get("latitude") is None or registration.get("longitude") is None:
        return None
    properties: dict[str, Any] = {
        "name": registration["name"],
        "latitude": float(registration["latitude"]),
        "longitude": float(registration["longitude"]),
    }
    metres = METRES.get(PlaceKind(registration["kind"]))
    if metres is not None:
        properties["precision"] = metres
    extension: dict[str, Any] = {"place_kind": registration["kind"]}
    if registration.get("aliases"):
        extension["aliases"] = list(registration["aliases"])
    if registration.get("parent_place_id"):
        extension["parent_place_id"] = registration["parent_place_id"]
    return properties, extension


KIND = ObjectKind(
    name="place",
    stix_type="location",
    key="place_id",
    creates=frozenset({REGISTERED}),
    updates=frozenset(),
    render=render,
)

_PROPERTIES = {
    "place_id": f"{OURS}.ledger_id",
    "name": "name",
    "kind": f"{OURS}.place_kind",
    "aliases": f"{OURS}.aliases",
    "parent_place_id": f"{OURS}.parent_place_id",
    "latitude": "latitude",
    "longitude": "longitude",
}


def named(obj: dict[str, Any]) -> Any:
    """What a location is called: its name, else the most precise part of its address."""
    for prop in ("name", "city", "administrative_area", "country", "region"):
        if obj.get(prop):
            return obj[prop]
    return None


def from_stix(obj: dict[str, Any], reading: Reading) -> list[Draft] | NotMapped:
    whole = reading.marking(obj)
    mine = reading.ours(obj)
    if mine is not None:
        fields = {
            "place_id": mine.get("ledger_id"),
            "name": obj.get("name"),
            "kind": mine.get("place_kind"),
            "aliases": mine.get("aliases", []),
            "parent_place_id": mine.get("parent_place_id"),
            "latitude": obj.get("latitude"),
            "longitude": obj.get("longitude"),
        }
        return ours_draft(reading, obj, REGISTERED, fields, _PROPERTIES, RANK, whole)
    if named(obj) is None:
        return NotMapped("a location with neither a name nor an address has nothing to call it")
    foreign = {
        "place_id": foreign_id("place", obj["id"]),
        "name": named(obj),
        "kind": PlaceKind.UNKNOWN.value,
        "latitude": obj.get("latitude"),
        "longitude": obj.get("longitude"),
    }
    names = {"place_id": "id", "name": "name", "latitude": "latitude", "longitude": "longitude"}
    return foreign_draft(obj, REGISTERED, foreign, names, RANK, whole, reading)
