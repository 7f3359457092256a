"""The STIX section of the hostile-input corpus: bundles the import must refuse whole,
each with one sentence naming the object id and the property (or the input), never a
traceback. Each case is built from a valid bundle (``BASE``, a hand-written field
report) by one change, with the words its refusal must hold."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.intake.limits import DEFAULT_LIMITS, InputLimits
from ledger.stix.ids import EXTENSION

BASE_FILE = Path(__file__).parent / "stix" / "bundles" / "handmade" / "field-report.json"
ACTOR = "threat-actor--51e99c6b-dc59-4547-b63a-e880590a14a0"
REPORT = "report--28dbf5ea-ca59-44a3-b01e-a7dc6cac2a92"
LOCATED = "relationship--ae7f0000-822d-4b63-9215-840dd1f6ab13"
NOTE = "note--c822b8e2-fca7-49b7-bf06-50221e945ae9"


@dataclass(frozen=True)
class HostileBundle:
    kind: str
    raw: bytes
    expected: str
    """Words one of the refusals must hold (the object id and property, mostly)."""
    limits: InputLimits = DEFAULT_LIMITS


def base() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(BASE_FILE.read_text())
    return loaded


def _changed(change: Callable[[dict[str, Any]], Any]) -> bytes:
    bundle = base()
    change(bundle)
    return json.dumps(bundle).encode()


def _object(bundle: dict[str, Any], id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(o for o in bundle["objects"] if o["id"] == id)
    return found


def _set(id: str, prop: str, value: Any) -> bytes:
    return _changed(lambda b: _object(b, id).__setitem__(prop, value))


def _nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = [value]
    return value


def _repeat_other(bundle: dict[str, Any]) -> None:
    bundle["objects"].append({**_object(bundle, ACTOR), "name": "Another Brigade"})


def _ours(bundle: dict[str, Any]) -> None:
    actor = _object(bundle, ACTOR)
    actor["extensions"] = {
        EXTENSION: {
            "extension_type": "property-extension",
            "ledger_object": "actor",
            "ledger_id": "actor:x",
            "rests_on": "x",
        }
    }


def _marking(bundle: dict[str, Any]) -> None:
    bundle["objects"].append(
        {
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": "marking-definition--b190a308-dfea-4478-b291-2b5ef37fc7b9",
            "created": "2015-10-02T09:00:00.000Z",
            "name": "LEDGER COSMIC",
            "extensions": {
                EXTENSION: {
                    "extension_type": "property-extension",
                    "ledger_object": "marking",
                    "level": "COSMIC",
                }
            },
        }
    )


SMALL = InputLimits(max_body_bytes=2_000, max_batch_events=5, max_text_bytes=20)

_CASES: list[HostileBundle] = [
    HostileBundle("not JSON", b'{"type": "bundle", "objects": [', "not valid JSON"),
    HostileBundle("UTF-16", "{}".encode("utf-16"), "not UTF-8"),
    HostileBundle("NaN", b'{"type": "bundle", "objects": [{"confidence": NaN}]}', "NaN"),
    HostileBundle("a JSON array", b"[]", "not a STIX bundle"),
    HostileBundle("not a bundle", b'{"type": "report"}', '"type": "bundle"'),
    HostileBundle(
        "a STIX 2.0 bundle",
        _changed(lambda b: b.__setitem__("spec_version", "2.0")),
        "spec_version '2.0', so it is a STIX 2.0 bundle",
    ),
    HostileBundle(
        "a STIX 2.0 object",
        _changed(lambda b: _object(b, ACTOR).pop("spec_version")),
        f"object {ACTOR}, property spec_version: missing, so it is a STIX 2.0 object",
    ),
    HostileBundle(
        "another spec version",
        _set(ACTOR, "spec_version", "2.2"),
        f"object {ACTOR}, property spec_version: '2.2' is not 2.1",
    ),
    HostileBundle(
        "objects not a list",
        _changed(lambda b: b.__setitem__("objects", {"a": 1})),
        "objects property is not a list",
    ),
    HostileBundle(
        "an object not an object",
        _changed(lambda b: b["objects"].insert(0, 42)),
        "objects[0]: is not a STIX object",
    ),
    HostileBundle(
        "a bad id",
        _set(ACTOR, "id", "threat-actor--nope"),
        "property id: 'threat-actor--nope' is not a STIX identifier",
    ),
    HostileBundle(
        "a type its id does not name",
        _set(ACTOR, "type", "intrusion-set"),
        f"object {ACTOR}, property type: 'intrusion-set' is not the type its id names",
    ),
    HostileBundle(
        "an id repeated with other content",
        _changed(_repeat_other),
        f"object {ACTOR}, property modified: the bundle holds this id twice",
    ),
    HostileBundle(
        "a bad created",
        _set(ACTOR, "created", "2015-10-02 09:00"),
        f"object {ACTOR}, property created: '2015-10-02 09:00' is not a STIX timestamp",
    ),
    HostileBundle(
        "a timestamp with an offset",
        _set(ACTOR, "modified", "2015-10-02T09:00:00+00:00"),
        f"object {ACTOR}, property modified",
    ),
    HostileBundle(
        "a bad published",
        _set(REPORT, "published", "2015-13-45T00:00:00Z"),
        f"object {REPORT}, property published",
    ),
    HostileBundle(
        "a bad start_time",
        _set(LOCATED, "start_time", "yesterday"),
        f"object {LOCATED}, property start_time: 'yesterday' is not a STIX timestamp",
    ),
    HostileBundle(
        "a located-at to a location neither in the bundle nor in the ledger",
        _set(LOCATED, "target_ref", "location--0f8e4c1d-3b0a-4a8e-9d55-1a2b3c4d5e6f"),
        f"object {LOCATED}, property target_ref: the place",
    ),
    HostileBundle(
        "a note naming an actor neither in the bundle nor in the ledger",
        _set(NOTE, "object_refs", ["threat-actor--0f8e4c1d-3b0a-4a8e-9d55-1a2b3c4d5e6f"]),
        f"object {NOTE}, property object_refs: the actor",
    ),
    HostileBundle(
        "a reference that is not an id",
        _set(NOTE, "object_refs", ["nothing"]),
        f"object {NOTE}, property object_refs.0: 'nothing' is not a STIX identifier",
    ),
    HostileBundle(
        "too many aliases",
        _set(ACTOR, "aliases", [f"alias {n}" for n in range(40)]),
        f"object {ACTOR}, property aliases: a list of 40 items",
    ),
    HostileBundle(
        "nested too deep",
        _set(ACTOR, "description", _nested(40)),
        "nested more than 32 levels deep",
    ),
    HostileBundle(
        "an actor's name not text",
        _set(ACTOR, "name", {"first": "Northern"}),
        f"object {ACTOR}, property name",
    ),
    HostileBundle(
        "our extension with a broken rests_on",
        _changed(_ours),
        f"object {ACTOR}, property extensions.{EXTENSION}.rests_on",
    ),
    HostileBundle(
        "our marking with a level that is not one",
        _changed(_marking),
        "level 'COSMIC' is not a marking level",
    ),
    HostileBundle(
        "a body over the limit", json.dumps(base()).encode(), "LEDGER_MAX_BODY_BYTES", SMALL
    ),
    HostileBundle(
        "more objects than a batch",
        json.dumps({"type": "bundle", "objects": base()["objects"] * 2}).encode(),
        "LEDGER_MAX_BATCH_EVENTS",
        InputLimits(max_batch_events=5),
    ),
    HostileBundle(
        "a text over the limit",
        json.dumps(base()).encode(),
        f"object {NOTE}, property content: text of",
        InputLimits(max_text_bytes=30),
    ),
]

CASES = {case.kind: case for case in _CASES}
