"""The import mapping: a STIX 2.1 bundle (bytes) into ledger events and a report, pure
(no database: what the ledger holds is asked through the caller's ``Known``).

A bundle is taken whole or refused whole: every refusal is one sentence naming the
object id and the property (not JSON, not a bundle, STIX 2.0, an id repeated with other
content, a bad timestamp, a reference the events need to an object neither in the
bundle nor in the ledger, anything beyond the input limits). Objects the ledger has no
event for are reported per type with the reason, never dropped silently.

Ids: our own objects come back under the ledger ids their extension carries; a third
party's get their STIX id under the kind's prefix (``actor:threat-actor--…``), so the
STIX id stays on every event that names them and no schema change is needed. Event ids
are derived as ``ledger record`` derives them (``ledger.authoring.expand.event_id``:
type, producer and content, here with the STIX id, and for ours the position of the
event the object stood on), so importing a bundle again appends nothing.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from ledger.authoring.expand import event_id
from ledger.domain.events import EVENT_TYPES, Event
from ledger.domain.references import REGISTERED_BY, Kind, references, registered_id
from ledger.errors import ValidationFailed
from ledger.intake.decoding import NotJson, decode_json
from ledger.intake.limits import DEFAULT_LIMITS, InputLimits, shown
from ledger.stix import (
    actors,
    assessments,
    attributions,
    claims,
    deployments,
    documents,
    places,
    sources,
)
from ledger.stix.ids import EXTENSION, SOFTWARE_IDENTITY, is_stix_id
from ledger.stix.markings import MarkingProblem, ours
from ledger.stix.reading import Draft, NotMapped, Reading, foreign_id
from ledger.stix.report import ImportReport, ObjectOutcome
from ledger.stix.times import parse_stamp

Lookup = Callable[[set[Any]], set[Any]]


def _nothing(_: set[Any]) -> set[Any]:
    return set()


@dataclass(frozen=True)
class Known:
    """What the ledger holds, as the importing producer may see it: ``objects`` answers
    which (kind, ledger id) are registered, ``events`` which event ids are recorded."""

    objects: Lookup = _nothing
    events: Lookup = _nothing

    @classmethod
    def of(
        cls, objects: Collection[tuple[Kind, str]] = (), events: Collection[UUID] = ()
    ) -> "Known":
        held, recorded = frozenset(objects), frozenset(events)
        return cls(lambda wanted: wanted & held, lambda wanted: wanted & recorded)


@dataclass
class Imported:
    """The events a bundle stands for (those the ledger lacks), in an order where every
    object is registered before it is named, and the report."""

    events: list[Event]
    report: ImportReport
    origins: list[str] = field(default_factory=list)
    """The STIX id each event comes from, in the same order."""


SDO = frozenset(
    {
        *("attack-pattern", "campaign", "course-of-action", "grouping", "identity"),
        *("incident", "indicator", "infrastructure", "intrusion-set", "location"),
        *("malware", "malware-analysis", "note", "observed-data", "opinion", "report"),
        *("threat-actor", "tool", "vulnerability", "relationship", "sighting"),
        *("marking-definition", "language-content", "extension-definition"),
    }
)
"""The types that must carry ``spec_version`` (objects of STIX 2.1, not observables)."""

LISTS_OF_OBJECTS = frozenset({"external_references", "granular_markings", "kill_chain_phases"})
LISTS = LISTS_OF_OBJECTS | {
    *("object_marking_refs", "object_refs", "aliases", "authors", "labels", "roles"),
    *("sectors", "threat_actor_types", "report_types", "goals", "extension_types"),
    *("where_sighted_refs", "observed_data_refs", "secondary_motivations"),
}
"""Common STIX properties that are lists (of objects): any other value is refused."""
OBJECTS = frozenset({"extensions", "definition", "hashes"})

_GROUP = {
    "identity": 0,
    "threat-actor": 0,
    "intrusion-set": 0,
    "location": 0,
    "report": 1,
    "note": 2,
    "opinion": 3,
    "relationship": 4,
}
"""The order objects are mapped in: what others name before what names them."""

_NAMED_KIND = {
    "identity": Kind.SOURCE,
    "threat-actor": Kind.ACTOR,
    "intrusion-set": Kind.ACTOR,
    "location": Kind.PLACE,
    "report": Kind.DOCUMENT,
    "note": Kind.CLAIM,
    "opinion": Kind.CLAIM,
}

_RELATIONSHIP = {
    "attributed-to": "attributed-to names an actor's real identity or who is behind a "
    "campaign, never who said a claim",
    "related-to": "a related-to without the ledger's extension says only that two objects "
    "are related",
    "uses": "the ledger has no event for what an actor uses",
    "targets": "the ledger has no event for what an actor targets",
    "indicates": "the ledger has no event for indicators",
}
_SIGHTING = (
    "a sighting is its creator's own observation, not a source's report; the ledger "
    "records what sources say"
)


def _unmapped(stix_type: str) -> str:
    article = "an" if stix_type[:1] in "aeiou" else "a"
    return (
        "the ledger records what sources say about actors, places and deployments, and has "
        f"no event for {article} {stix_type}"
    )


def map_bundle(
    raw: bytes,
    *,
    recorded_by: str,
    known: Known | None = None,
    limits: InputLimits = DEFAULT_LIMITS,
) -> Imported:
    """The events ``raw`` (a STIX 2.1 bundle) stands for, recorded by ``recorded_by``;
    ``ValidationFailed`` lists every refusal (and then nothing is to be appended)."""
    known = known if known is not None else Known()
    versions, order = _versions(_objects(raw, limits))
    reading = Reading({id: found[-1] for id, found in versions.items()}, order)
    _index_reports(reading)
    reading.held = known.objects(_named_outside(reading))
    report = ImportReport()
    drafts = _drafts(versions, reading, report)
    made = _events(drafts, reading, recorded_by, limits)
    _check_references(made, reading, known)
    if reading.refusals:
        raise ValidationFailed(reading.refusals)
    recorded = known.events({e.envelope.event_id for e, _, _ in made})
    fresh = [(e, o) for e, o, _ in made if e.envelope.event_id not in recorded]
    adding = {o for _, o in fresh}
    for id in dict.fromkeys(o for _, o, _ in made):
        if id not in adding:  # every event it stands for is in the ledger already
            entry = report.of(reading.objects[id]["type"])
            entry.mapped -= 1
            entry.known += 1
            report.objects[id] = ObjectOutcome(reading.objects[id]["type"], known=True)
    report.notes = list(dict.fromkeys(reading.notes))
    report.events = len(fresh)
    return Imported([e for e, _ in fresh], report, [o for _, o in fresh])


def _drafts(
    versions: dict[str, list[dict[str, Any]]], reading: Reading, report: ImportReport
) -> list[tuple[str, Draft]]:
    """Every object's drafts (from all its versions), in the order objects are mapped,
    each object counted in the report."""
    drafts: list[tuple[str, Draft]] = []
    newest = reading.objects
    for id in sorted(versions, key=lambda i: (_GROUP.get(newest[i]["type"], 5), reading.order[i])):
        entry = report.of(newest[id]["type"])
        made: list[Draft] = []
        reason: str | None = None
        for obj in versions[id]:
            found = _map(obj, reading)
            if isinstance(found, NotMapped):
                reason = found.reason
            else:
                made += found
        stix_type = newest[id]["type"]
        if made or reason is None:  # a marking definition maps to markings, not events
            entry.mapped += 1
            report.objects[id] = ObjectOutcome(stix_type, mapped=True)
        else:
            entry.not_mapped[reason] = entry.not_mapped.get(reason, 0) + 1
            report.objects[id] = ObjectOutcome(stix_type, reason=reason)
        drafts += [(id, d) for d in made]
        reading.mapped.update(r for r in map(_registers, made) if r is not None)
    return drafts


_KEY_OF = {model.event_type(): (kind, model._stream_key) for kind, model in REGISTERED_BY.items()}


def _registers(draft: Draft) -> tuple[Kind, str] | None:
    """The ledger object a draft registers, if it is a registration."""
    found = _KEY_OF.get(draft.event_type)
    if found is None or not isinstance(draft.fields.get(found[1]), str):
        return None
    return found[0], draft.fields[found[1]]


def _refuse(*problems: str) -> ValidationFailed:
    return ValidationFailed(list(problems))


def _depth(value: Any, limit: int) -> bool:
    """Whether ``value`` nests deeper than ``limit`` levels (iteratively: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            stack.extend(
                (v, depth + 1) for v in (item.values() if isinstance(item, dict) else item)
            )
    return False


def _objects(raw: bytes, limits: InputLimits) -> list[dict[str, Any]]:
    """The bundle's objects, each a STIX 2.1 object with a well-formed id and type."""
    try:
        bundle = decode_json(raw, limits)
    except NotJson as exc:
        raise _refuse(f"the input is not a STIX bundle: {exc}") from None
    if _depth(bundle, limits.max_json_depth):
        raise _refuse(
            f"the bundle is nested more than {limits.max_json_depth} levels deep "
            "(LEDGER_MAX_JSON_DEPTH)"
        )
    if not isinstance(bundle, dict) or bundle.get("type") != "bundle":
        raise _refuse('the input is not a STIX bundle: a JSON object with "type": "bundle"')
    if "spec_version" in bundle:
        raise _refuse(
            f"the bundle carries spec_version {shown(bundle['spec_version'])}, so it is a "
            "STIX 2.0 bundle (a 2.1 bundle has none); the ledger reads STIX 2.1 only: "
            "convert it first, e.g. with stix2-elevator"
        )
    objects = bundle.get("objects", [])
    if not isinstance(objects, list):
        raise _refuse("the bundle's objects property is not a list")
    if len(objects) > limits.max_batch_events:
        raise _refuse(
            f"the bundle holds {len(objects):,} objects, more than the "
            f"{limits.max_batch_events:,} one import takes (LEDGER_MAX_BATCH_EVENTS)"
        )
    problems = []
    for n, obj in enumerate(objects):
        problem = _malformed(obj)
        if problem is not None:
            problems.append(f"objects[{n}]: {problem}" if not _has_id(obj) else problem)
    if problems:
        raise _refuse(*problems)
    return objects


def _has_id(obj: Any) -> bool:
    return isinstance(obj, dict) and is_stix_id(obj.get("id"))


def _malformed(obj: Any) -> str | None:
    if not isinstance(obj, dict):
        return "is not a STIX object (a JSON object)"
    id = obj.get("id")
    if not isinstance(id, str) or not is_stix_id(id):
        return f"property id: {shown(id)} is not a STIX identifier (type--UUID)"
    stix_type = obj.get("type")
    if stix_type != id.partition("--")[0]:
        return f"object {id}, property type: {shown(stix_type)} is not the type its id names"
    version = obj.get("spec_version")
    if version is None and stix_type in SDO:
        return (
            f"object {id}, property spec_version: missing, so it is a STIX 2.0 object; "
            "the ledger reads STIX 2.1 only"
        )
    if version is not None and version != "2.1":
        return (
            f"object {id}, property spec_version: {shown(version)} is not 2.1; the ledger "
            "reads STIX 2.1 only"
        )
    shape = _shape(id, obj)
    if shape is not None:
        return shape
    for prop in ("created", "modified"):
        if prop in obj and parse_stamp(obj[prop]) is None:
            return (
                f"object {id}, property {prop}: {shown(obj[prop])} is not a STIX timestamp "
                "(YYYY-MM-DDTHH:MM:SS[.s]Z)"
            )
    if stix_type in SDO and stix_type != "marking-definition" and "created" not in obj:
        return f"object {id}, property created: missing (every STIX 2.1 object has one)"
    return None


def _shape(id: str, obj: dict[str, Any]) -> str | None:
    """What is wrong with the shape of a common property (a list that is not one...)."""
    for prop, value in obj.items():
        if prop in LISTS and not isinstance(value, list):
            return f"object {id}, property {prop}: {shown(value)} is not a list"
        if prop in LISTS_OF_OBJECTS and not all(isinstance(v, dict) for v in value):
            return f"object {id}, property {prop}: holds something that is not an object"
        if prop in OBJECTS and not isinstance(value, dict):
            return f"object {id}, property {prop}: {shown(value)} is not an object"
    return None


def _versions(
    objects: list[dict[str, Any]],
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, int]]:
    """Each id's versions, oldest first, and its place in the bundle; the same id and
    version twice must be the same object."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    order: dict[str, int] = {}
    problems = []
    for n, obj in enumerate(objects):
        id = obj["id"]
        order.setdefault(id, n)
        at = str(obj.get("modified", obj.get("created", "")))
        held = found.setdefault(id, {})
        if at in held and held[at] != obj:
            prop = "modified" if "modified" in obj else "created"
            problems.append(
                f"object {id}, property {prop}: the bundle holds this id twice with the same "
                f"version ({shown(at)}) and other content"
            )
        held.setdefault(at, obj)
    if problems:
        raise _refuse(*problems)
    versions = {id: [held[at] for at in sorted(held, key=_when)] for id, held in found.items()}
    return versions, order


_FIRST = datetime(1, 1, 1, tzinfo=UTC)


def _when(text: str) -> datetime:
    """When a version was made (its ``modified``); one without a time comes first."""
    return parse_stamp(text) or _FIRST


def _index_reports(reading: Reading) -> None:
    for id, obj in reading.objects.items():
        if obj["type"] != "report":
            continue
        mine = reading.ours(obj)
        document = str(mine.get("ledger_id")) if mine else foreign_id(Kind.DOCUMENT, id)
        refs = obj.get("object_refs")
        for ref in refs if isinstance(refs, list) else []:
            if isinstance(ref, str):
                reading.reports_of.setdefault(ref, []).append(document)


def _named_outside(reading: Reading) -> set[tuple[Kind, str]]:
    """The ledger objects the bundle names by STIX id without holding them."""
    found = set()
    for obj in reading.objects.values():
        named = [obj.get("created_by_ref"), obj.get("source_ref"), obj.get("target_ref")]
        refs = obj.get("object_refs")
        named += refs if isinstance(refs, list) else []
        for ref in named:
            if isinstance(ref, str) and ref not in reading.objects and is_stix_id(ref):
                kind = _NAMED_KIND.get(ref.partition("--")[0])
                if kind is not None:
                    found.add((kind, foreign_id(kind, ref)))
    return found


def _map(obj: dict[str, Any], reading: Reading) -> list[Draft] | NotMapped:  # noqa: C901
    """The drafts one version of one object stands for."""
    stix_type = obj["type"]
    mine = reading.ours(obj) or {}
    kind = mine.get("ledger_object")
    if stix_type == "marking-definition":
        try:
            ours(obj)
        except MarkingProblem as exc:
            reading.refuse(obj, f"extensions.{EXTENSION}", str(exc))
        return []
    if stix_type == "identity":
        if obj["id"] == SOFTWARE_IDENTITY or kind == "ledger":
            return NotMapped("the identity of the ledger (or its software) that exported it")
        return (
            actors.from_stix(obj, reading) if kind == "actor" else sources.from_stix(obj, reading)
        )
    if stix_type in ("threat-actor", "intrusion-set"):
        return actors.from_stix(obj, reading)
    if stix_type == "location":
        return places.from_stix(obj, reading)
    if stix_type == "report":
        return documents.from_stix(obj, reading)
    if stix_type == "note":
        if kind == "proof":
            return NotMapped("a proof note: `ledger audit check-proof --stix` checks it")
        return claims.from_stix(obj, reading)
    if stix_type == "opinion":
        return assessments.from_opinion(obj, reading)
    if stix_type == "relationship":
        return _relationship(obj, reading, kind)
    if stix_type == "sighting":
        return NotMapped(_SIGHTING)
    if stix_type == "extension-definition":
        return NotMapped("an extension definition describes properties, it holds no intelligence")
    return NotMapped(_unmapped(stix_type))


def _relationship(obj: dict[str, Any], reading: Reading, kind: Any) -> list[Draft] | NotMapped:
    if kind == "attribution":
        return attributions.from_stix(obj, reading)
    if kind == "assessment":
        return assessments.from_stix(obj, reading)
    if kind == "deployment":
        return deployments.from_stix(obj, reading)
    relation = str(obj.get("relationship_type"))
    if relation == "located-at":
        return deployments.from_stix(obj, reading)
    if relation in assessments.RELATION_OF:
        return assessments.from_stix(obj, reading)
    return NotMapped(
        _RELATIONSHIP.get(relation, f"the ledger has no event for a {relation!r} relationship")
    )


Made = tuple[Event, str, Draft]
"""An event of the import, the STIX object it comes from, and its draft."""


def _events(
    drafts: list[tuple[str, Draft]], reading: Reading, recorded_by: str, limits: InputLimits
) -> list[Made]:
    """The events of the drafts, in batch order, each once."""
    made: dict[UUID, Made] = {}
    for id, draft in sorted(drafts, key=lambda d: d[1].rank):
        event = _event(reading.objects[id], draft, reading, recorded_by, limits)
        if event is None:
            continue
        earlier = made.setdefault(event.envelope.event_id, (event, id, draft))
        if earlier[0] != event:
            reading.refuse(
                reading.objects[id], "object_marking_refs", "two versions mark one event apart"
            )
    return list(made.values())


def _event(
    obj: dict[str, Any], draft: Draft, reading: Reading, recorded_by: str, limits: InputLimits
) -> Event | None:
    """The event of one draft, validated by its model and the input limits (a refusal
    naming the STIX property it came from, else)."""
    fields = {k: v for k, v in draft.fields.items() if v is not None}
    envelope = {
        "event_id": str(event_id(draft.event_type, recorded_by, {**fields, "stix": draft.origin})),
        "recorded_by": recorded_by,
        "classification": str(draft.marking.level),
        "compartments": sorted(draft.marking.compartments),
    }
    try:
        event = EVENT_TYPES[draft.event_type].model_validate({"envelope": envelope, **fields})
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        loc = [str(p) for p in error["loc"]]
        where = ".".join(loc)
        prop = draft.properties.get(loc[0], "") if loc else ""
        reading.refuse(
            obj,
            prop or f"(the ledger's {where})",
            f"{error['msg']} (as {draft.event_type}.{where})",
        )
        return None
    for over, why in limits.problems(event.model_dump(mode="json")):
        name = str(over[0]) if over else ""
        reading.refuse(obj, draft.properties.get(name, name), why)
    return event


def _check_references(made: list[Made], reading: Reading, known: Known) -> None:
    """Refuse every id an event names that neither an earlier event of the import nor the
    ledger registers (named by the STIX object and property it came from)."""
    registered: set[tuple[Kind, str]] = set()
    wanted: list[tuple[tuple[Kind, str], str, str]] = []
    for event, origin, draft in made:
        for reference in references(event):
            key = (reference.kind, reference.id)
            if key not in registered:
                field = reference.field.split(".")[0]
                wanted.append((key, origin, draft.properties.get(field, field)))
        subject = registered_id(event)
        if subject is not None:
            registered.add(subject)
    held = known.objects({key for key, _, _ in wanted}) if wanted else set()
    for key, origin, prop in wanted:
        if key not in held:
            reading.refuse(
                reading.objects[origin],
                prop,
                f"the {key[0].value} {shown(key[1])} it names is neither in this bundle (as an "
                "object the ledger maps) nor in the ledger",
            )
