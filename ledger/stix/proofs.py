"""Proofs in a bundle: notes carrying inclusion proofs of the events the other objects
rest on, and the offline check of every object with the log's public key alone.

Why notes: a bundle holds STIX objects only (no property of its own for them), and a
proof inside the proven object would make two copies of one version differ (STIX 3.6).
A proof note names the objects it proves (``object_refs``) and holds, in our extension,
a proof bundle exactly as ``ledger audit prove`` writes it (``ledger.log.bundle``): the
events' bytes, their audit paths and the signed checkpoint. It is marked as the highest
of those events (it holds their bytes).

The check (``check_stix``) verifies each proof bundle, then rebuilds every object of the
ledger from the proven events it names (``ledger.stix.versions.version``: the same
function the export used) and requires it to be exactly the object in the bundle; the
static objects and marking definitions are rebuilt from the log's name; anything else
in the bundle is not proven.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ledger.codec.single_object import AvroCodec
from ledger.domain.marking import Marking, highest
from ledger.errors import LedgerError
from ledger.log.bundle import Bundle, BundleCheck, BundleError, check_bundle
from ledger.log.checkpoint import Checkpoint
from ledger.log.note import Verifier
from ledger.stix.catalog import BY_NAME, object_key
from ledger.stix.context import Context
from ledger.stix.facts import Fact, marking_of
from ledger.stix.ids import EXTENSION, stix_id
from ledger.stix.markings import TLP2, marking_definition, marking_refs, ours, tlp_definition
from ledger.stix.statics import statics
from ledger.stix.times import stamp
from ledger.stix.versions import version

PROOF_EVENTS = 2_000
"""Most events one proof note proves (a proof bundle holds at most 10,000)."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def proof_note(
    context: Context, proof: Bundle, refs: Iterable[str], marking: Marking
) -> dict[str, Any]:
    """The note carrying ``proof`` for the objects ``refs`` (in their order, once each)."""
    text = proof.encode().decode("ascii")
    moment = stamp(_EPOCH + timedelta(microseconds=max(e.recorded_micros for e in proof.events)))
    return {
        "type": "note",
        "spec_version": "2.1",
        "id": stix_id("note", context.log, "proof", hashlib.sha256(text.encode()).hexdigest()),
        "created": moment,
        "modified": moment,
        "created_by_ref": context.creator,
        "content": "Inclusion proofs of the ledger events the objects named here rest on, "
        "with the log's signed checkpoint; check them offline with "
        "`ledger audit check-proof --stix FILE --key PUBKEY`.",
        "object_refs": list(dict.fromkeys(refs)),
        "object_marking_refs": marking_refs(context, marking),
        "extensions": {
            EXTENSION: {
                "extension_type": "property-extension",
                "ledger_object": "proof",
                "proof_bundle": text,
            }
        },
    }


@dataclass
class StixCheck:
    """What a checked bundle established."""

    checkpoint: Checkpoint
    objects: int = 0
    """Objects rebuilt from proven events and found equal."""
    events: int = 0
    witnesses: list[str] = field(default_factory=list)


def _ours(obj: dict[str, Any]) -> dict[str, Any]:
    extensions = obj.get("extensions")
    found = extensions.get(EXTENSION) if isinstance(extensions, dict) else None
    return found if isinstance(found, dict) else {}


def _objects(data: bytes) -> list[dict[str, Any]]:
    try:
        bundle = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"the file is not a STIX bundle: not JSON ({exc})") from None
    objects = bundle.get("objects") if isinstance(bundle, dict) else None
    if (
        not isinstance(bundle, dict)
        or bundle.get("type") != "bundle"
        or not isinstance(objects, list)
    ):
        raise BundleError("the file is not a STIX bundle (an object of type bundle with objects)")
    if not all(isinstance(o, dict) and isinstance(o.get("id"), str) for o in objects):
        raise BundleError("the bundle holds something that is not a STIX object with an id")
    return objects


def check_stix(
    data: bytes,
    log_key: Verifier,
    witness_keys: list[Verifier] | None = None,
    min_witnesses: int = 0,
    codec: AvroCodec | None = None,
) -> StixCheck:
    """Check a STIX export made with proofs; ``BundleError`` names the first object that
    is not proven or not what its events say."""
    codec = codec if codec is not None else AvroCodec()
    objects = _objects(data)
    ids = {o["id"] for o in objects}
    notes = [
        o for o in objects if o.get("type") == "note" and _ours(o).get("ledger_object") == "proof"
    ]
    if not notes:
        raise BundleError("the bundle carries no proofs: export it with --proofs")
    proven: dict[int, Fact] = {}
    proven_for: dict[str, set[int]] = {}
    result: StixCheck | None = None
    for note in notes:
        checked, facts = _check_note(note, log_key, witness_keys, min_witnesses, codec)
        if result is None:
            result = StixCheck(checked.checkpoint, witnesses=checked.witnesses)
        elif (checked.checkpoint.size, checked.checkpoint.root) != (
            result.checkpoint.size,
            result.checkpoint.root,
        ):
            raise BundleError(f"proof note {note['id']} proves against another checkpoint")
        for ref in note["object_refs"]:
            if ref not in ids:
                raise BundleError(f"proof note {note['id']} names {ref}, which the bundle lacks")
            proven_for.setdefault(ref, set()).update(f.position for f in facts)
        proven.update((f.position, f) for f in facts)
    assert result is not None
    context = Context(result.checkpoint.origin)
    fixed = {o["id"]: o for o in statics(context)} | {
        id: tlp_definition(id) for id in TLP2.values()
    }
    noted = {note["id"] for note in notes}
    for obj in objects:
        if obj["id"] not in noted:
            _check_object(obj, context, fixed, proven, proven_for.get(obj["id"], set()))
            result.objects += 1
    result.events = len(proven)
    return result


def _check_note(
    note: dict[str, Any],
    log_key: Verifier,
    witness_keys: list[Verifier] | None,
    min_witnesses: int,
    codec: AvroCodec,
) -> tuple[BundleCheck, list[Fact]]:
    """The proof bundle a note carries, checked, and the events it proves; the note
    itself must be exactly the one the export makes of that bundle."""
    text = _ours(note).get("proof_bundle")
    refs = note.get("object_refs")
    if not isinstance(text, str) or not isinstance(refs, list) or not refs:
        raise BundleError(f"proof note {note['id']} holds no proof bundle or names no object")
    raw = text.encode("ascii", "replace")
    checked = check_bundle(raw, log_key, witness_keys, min_witnesses)
    proof = Bundle.decode(raw)
    facts = [_fact(e.position, e.recorded_micros, e.payload, codec) for e in proof.events]
    context = Context(checked.checkpoint.origin)
    if proof_note(context, proof, refs, highest(f.marking for f in facts)) != note:
        raise BundleError(f"proof note {note['id']} is not what its proof bundle says")
    return checked, facts


def _fact(position: int, micros: int, payload: bytes, codec: AvroCodec) -> Fact:
    try:
        event_type = codec.writer_of(payload).event_type
        record = codec.fold_record(payload)
    except LedgerError as exc:
        raise BundleError(
            f"the proven event at position {position} does not decode: {exc}"
        ) from None
    moment = _EPOCH + timedelta(microseconds=micros)
    return Fact(position, moment, event_type, marking_of(record), record)


def _check_object(
    obj: dict[str, Any],
    context: Context,
    fixed: dict[str, dict[str, Any]],
    proven: dict[int, Fact],
    named: set[int],
) -> None:
    """One object against the proven events: ``named`` are the positions proven by the
    notes that name it."""
    id = obj["id"]
    if id in fixed:
        if obj != fixed[id]:
            raise BundleError(f"object {id} is not the one the ledger publishes under its id")
        return
    mine = _ours(obj)
    if obj.get("type") == "marking-definition":
        try:
            marking = ours(obj)
        except ValueError as exc:
            raise BundleError(f"marking definition {id}: {exc}") from None
        if marking is None or obj != marking_definition(context, marking):
            raise BundleError(f"marking definition {id} is not one of the ledger's")
        return
    kind = BY_NAME.get(str(mine.get("ledger_object")))
    if kind is None:
        raise BundleError(f"object {id} is not one the ledger exports: nothing proves it")
    entries = mine.get("rests_on")
    positions = [
        e["position"]
        for e in (entries if isinstance(entries, list) else [])
        if isinstance(e, dict) and isinstance(e.get("position"), int)
    ]
    missing = [p for p in positions if p not in named]
    if not positions:
        raise BundleError(f"object {id} names no event it rests on")
    if missing:
        raise BundleError(
            f"object {id}: the event at position {missing[0]} it rests on is not proven by "
            "a proof note naming the object"
        )
    facts = sorted((proven[p] for p in positions), key=lambda f: f.position)
    for fact in facts:
        if object_key(fact.event_type, fact.record) != (kind.name, mine.get("ledger_id")):
            raise BundleError(
                f"object {id}: the event at position {fact.position} is about another object"
            )
    made = version(kind, facts, context)
    if made is None or made.object != obj:
        raise BundleError(
            f"object {id} is not what the events at positions {', '.join(map(str, positions))} say"
        )
