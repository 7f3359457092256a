"""Markings: one marking-definition per distinct ledger marking (level and compartments,
in our extension), plus a TLP 2.0 marking on every object, and back again on import.

Rules:

1. An exported object lists two markings: ours, exact, and a TLP 2.0 marking for tools
   that read TLP only. TLP:CLEAR goes only on what every reader of the ledger may see
   (UNCLASSIFIED, no compartment); everything else is TLP:RED, so a TLP-only consumer
   never takes a classified or compartmented object for one it may share freely.
2. Marking definitions cannot be versioned (STIX 7.2): each is one immutable object
   whose id is derived from the log and the marking, with a fixed ``created``.
3. On import our marking decides when the object's TLP is the one rule 1 gives it;
   otherwise (a third party's object, or ours with another TLP) the highest of what
   the markings say wins: TLP:CLEAR and WHITE are UNCLASSIFIED, GREEN RESTRICTED, AMBER
   and AMBER+STRICT CONFIDENTIAL, RED SECRET. The TLP 1.0 and 2.0 definitions are known
   without being in the bundle; a statement marking (a copyright notice) restricts
   nothing; any other marking the bundle does not define, or defines in a way this
   code does not know, is UNKNOWN: it fails closed (only the operator sees it).
"""

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from ledger.domain.enums import Classification
from ledger.domain.marking import LOWEST, Marking, check_compartment, highest
from ledger.stix.context import Context
from ledger.stix.ids import EXTENSION, stix_id

STATIC_CREATED = "2026-12-01T00:00:00.000000Z"
"""``created`` of the objects that are not made by events (marking definitions, the
ledger's identity, the extension definition): fixed, so every export has the same."""

TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
"""OASIS's TLP 2.0 extension (cti-stix-common-objects)."""

TLP2 = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
TLP1 = {
    "white": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
    "green": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
    "amber": "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
    "red": "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
}
_TLP_LEVEL = {
    "clear": Classification.UNCLASSIFIED,
    "white": Classification.UNCLASSIFIED,
    "green": Classification.RESTRICTED,
    "amber": Classification.CONFIDENTIAL,
    "amber+strict": Classification.CONFIDENTIAL,
    "red": Classification.SECRET,
}
TLP_MARKINGS: dict[str, Marking] = {
    id: Marking(_TLP_LEVEL[colour]) for table in (TLP1, TLP2) for colour, id in table.items()
}
"""Every standard TLP marking id and the ledger marking it stands for on import."""

_LEVELS = {level.value: level for level in Classification}


def tlp_of(marking: Marking) -> str:
    """The TLP 2.0 marking an object with ``marking`` carries (rule 1)."""
    open_to_all = marking.level is Classification.UNCLASSIFIED and not marking.compartments
    return TLP2["clear"] if open_to_all else TLP2["red"]


def tlp_definition(id: str) -> dict[str, Any]:
    """A TLP 2.0 marking definition exactly as OASIS publishes it."""
    colour = next(c for c, known in TLP2.items() if known == id)
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": id,
        "created": "2022-10-01T00:00:00.000Z",
        "name": f"TLP:{colour.upper()}",
        "extensions": {TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": colour}},
    }


def marking_id(context: Context, marking: Marking) -> str:
    return stix_id("marking-definition", context.log, "marking", marking.text())


@lru_cache(maxsize=1024)
def _refs(context: Context, marking: Marking) -> tuple[str, str]:
    return marking_id(context, marking), tlp_of(marking)


def marking_refs(context: Context, marking: Marking) -> list[str]:
    """``object_marking_refs`` of an object with ``marking``: ours, then its TLP."""
    return list(_refs(context, marking))


def marking_definition(context: Context, marking: Marking) -> dict[str, Any]:
    """Our marking definition of ``marking`` (rule 2)."""
    body: dict[str, Any] = {
        "extension_type": "property-extension",
        "ledger_object": "marking",
        "level": str(marking.level),
    }
    if marking.compartments:
        body["compartments"] = sorted(marking.compartments)
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": marking_id(context, marking),
        "created": STATIC_CREATED,
        "created_by_ref": context.creator,
        "name": f"LEDGER {marking.text()}",
        "extensions": {EXTENSION: body},
    }


def definitions_of(context: Context, marking: Marking) -> list[dict[str, Any]]:
    """The definitions ``marking_refs`` names, in the same order."""
    return [marking_definition(context, marking), tlp_definition(tlp_of(marking))]


def refs_and_definitions(context: Context, marking: Marking) -> list[tuple[str, Any]]:
    """(id, a way to make the definition) of each marking ``marking_refs`` names: the
    export asks for a definition only the first time it meets an id."""
    ours_id, tlp = _refs(context, marking)
    return [
        (ours_id, lambda: marking_definition(context, marking)),
        (tlp, lambda: tlp_definition(tlp)),
    ]


class MarkingProblem(ValueError):
    """Our marking definition with a level or compartment that is not one."""


def ours(definition: Mapping[str, Any]) -> Marking | None:
    """The ledger marking a marking definition of ours states, or None if it is not one
    of ours; ``MarkingProblem`` names a bad level or compartment."""
    extensions = definition.get("extensions")
    body = extensions.get(EXTENSION) if isinstance(extensions, dict) else None
    if not isinstance(body, dict) or body.get("ledger_object") != "marking":
        return None
    level = _LEVELS.get(str(body.get("level")))
    if level is None:
        raise MarkingProblem(f"level {str(body.get('level'))[:40]!r} is not a marking level")
    compartments = body.get("compartments", [])
    if not isinstance(compartments, list) or not all(isinstance(c, str) for c in compartments):
        raise MarkingProblem("compartments must be a list of compartment names")
    try:
        return Marking(level, frozenset(check_compartment(c) for c in compartments))
    except ValueError as exc:
        raise MarkingProblem(str(exc)) from None


def is_statement(definition: Mapping[str, Any]) -> bool:
    """A statement marking (e.g. a copyright notice): it restricts no one."""
    return definition.get("definition_type") == "statement" and "extensions" not in definition


def classification(
    refs: Iterable[str], defined: Mapping[str, Mapping[str, Any]]
) -> tuple[Marking, list[str]]:
    """The ledger marking an object with these marking refs gets (rule 3), and the refs
    it could not read (each made it UNKNOWN). ``defined``: the bundle's definitions."""
    found: list[Marking] = []
    tlps: list[str] = []
    unknown: list[str] = []
    for ref in dict.fromkeys(refs):
        if ref in TLP_MARKINGS:
            tlps.append(ref)
            continue
        definition = defined.get(ref)
        if definition is None:
            unknown.append(ref)
            continue
        try:
            mine = ours(definition)
        except MarkingProblem:  # refused as the definition it is; here it fails closed
            unknown.append(ref)
            continue
        if mine is not None:
            found.append(mine)
        elif not is_statement(definition):
            unknown.append(ref)
    if unknown:
        return Marking(Classification.UNKNOWN), unknown
    if found:
        exact = highest(found)
        if all(ref == tlp_of(exact) for ref in tlps):
            return exact, []
        return highest([exact, *(TLP_MARKINGS[t] for t in tlps)]), []
    return (highest(TLP_MARKINGS[t] for t in tlps) if tlps else LOWEST), []
