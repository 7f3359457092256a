"""The streaming check of ledger rows, shared by ``verify`` (rows from PostgreSQL) and
``import-check`` (rows from an exported container file).

One pass in position order, constant memory: positions are contiguous, record time never
goes backwards, each ``prev_hash`` is the hash before it, each hash is
``sha256(prev_hash || position || recorded_at || payload)``, each payload decodes with
the schema its fingerprint names, and the columns stored beside it (event id, type,
stream) agree with it. Each row is checked against its own stored ``prev_hash`` and the
hash stored before it, so one altered row gives one finding at its own position.
"""

import hashlib
import io
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastavro import parse_schema, schemaless_reader

from ledger.audit.report import Findings
from ledger.audit.signature_check import SignatureCheck
from ledger.codec.schema_registry import SchemaRegistry, crc64_fingerprint
from ledger.codec.single_object import HEADER_LENGTH, MAGIC
from ledger.domain.marking import rank_of

Row = tuple[int, int, bytes, bytes, bytes, str, str, str, str, bytes]
"""(position, recorded_at as µs since the epoch, payload, prev_hash, hash, event_id,
event_type, stream_id, marking, signature): what the scan reads of each event.
``marking`` is the stored marking as ``rank:COMPARTMENT,...`` (the markings table),
``MISSING`` when the ledger has none for the event, or empty where none is kept (an
export file); ``signature`` is the producer's, empty when the event has none."""

MISSING = "-"

PROGRESS_EVERY = 50_000

REDACTED = "(redacted)"
"""The event type of a row a redacted export left out: only its place in the chain (its
position, record time, prev_hash and hash) is known; its hash is taken as recorded."""


def _structural(schema: Any) -> Any:
    """The schema without logical types: the same binary layout, decoded without
    building uuid and datetime objects (only the layout is being checked)."""
    if isinstance(schema, dict):
        return {k: _structural(v) for k, v in schema.items() if k != "logicalType"}
    if isinstance(schema, list):
        return [_structural(branch) for branch in schema]
    return schema


def _envelope_reader(schema: Any) -> Any:
    """A reader schema that keeps only the envelope's event_id, stream_id and marking: fastavro
    then walks the whole payload (every length, varint, union branch and the exact end)
    but builds only those two values, about a third cheaper than a full decode. None
    when the writer has no inline envelope record to project (a full decode is used)."""
    fields = {f.get("name"): f for f in schema.get("fields", []) if isinstance(f, dict)}
    envelope = fields.get("envelope", {}).get("type")
    if not isinstance(envelope, dict) or envelope.get("type") != "record":
        return None
    wanted = ("event_id", "stream_id", "recorded_by", "classification", "compartments")
    kept = [f for f in envelope.get("fields", []) if f.get("name") in wanted]
    if [f["name"] for f in kept[:2]] != ["event_id", "stream_id"]:
        return None
    named = ("name", "namespace")
    reader = {
        "type": "record",
        **{k: schema[k] for k in named if k in schema},
        "fields": [
            {
                "name": "envelope",
                "type": {
                    "type": "record",
                    **{k: envelope[k] for k in named if k in envelope},
                    "fields": [{"name": f["name"], "type": f["type"]} for f in kept],
                },
            }
        ],
    }
    return parse_schema(_structural(reader))


@dataclass(frozen=True)
class WriterSchema:
    event_type: str
    version: int
    parsed: Any
    reader: Any = None
    """The envelope-only reader schema the scan resolves payloads to, if one exists."""


@dataclass
class WriterSchemas:
    """The registry as the ledger (or an export) holds it, each entry checked: its
    fingerprint is the CRC-64-AVRO of its canonical form, the canonical form is that of
    its schema, and a version this code knows has the same content."""

    usable: dict[bytes, WriterSchema] = field(default_factory=dict)
    broken: dict[bytes, str] = field(default_factory=dict)

    @classmethod
    def check(
        cls,
        entries: Iterable[tuple[bytes, str, int, str, str]],
        known: SchemaRegistry | None = None,
    ) -> "WriterSchemas":
        """Entries are (fingerprint, event_type, version, canonical_form, schema_json)."""
        found = cls()
        for fingerprint, event_type, version, canonical, schema_json in entries:
            label = f"{event_type} v{version} (fingerprint {fingerprint.hex()})"
            try:
                schema = json.loads(schema_json)
                actual_canonical, actual_fingerprint = crc64_fingerprint(schema)
                parsed = parse_schema(_structural(schema))
            except Exception as exc:  # json, fastavro: several unrelated types
                found.broken[fingerprint] = f"registry entry {label} is not a valid schema: {exc}"
                continue
            problem = None
            if actual_canonical != canonical:
                problem = "its schema does not have its stored canonical form"
            elif actual_fingerprint != fingerprint:
                problem = f"its schema's fingerprint is {actual_fingerprint.hex()}"
            elif known is not None:
                expected = known.by_fingerprint(fingerprint)
                if expected is not None and (
                    (expected.event_type, expected.version, expected.canonical_form)
                    != (event_type, version, canonical)
                ):
                    problem = (
                        f"this fingerprint belongs to {expected.event_type} "
                        f"v{expected.version} with other content"
                    )
            if problem is not None:
                found.broken[fingerprint] = f"registry entry {label} was altered: {problem}"
            else:
                try:
                    reader = _envelope_reader(schema) if isinstance(schema, dict) else None
                except Exception:  # fastavro: an odd but valid schema decodes in full instead
                    reader = None
                found.usable[fingerprint] = WriterSchema(event_type, version, parsed, reader)
        return found


@dataclass
class ScanState:
    """Where the scan is: the next position expected and the hash before it."""

    expected: int
    previous_hash: bytes
    previous_micros: int | None = None
    events: int = 0
    reported_fingerprints: set[bytes] = field(default_factory=set)
    anchors_seen: set[int] = field(default_factory=set)
    redacted: int = 0
    """Rows of a redacted export passed through: linked, not recomputed."""


# the hot loop of verify: one function, locals bound once, no call per check
def scan(  # noqa: C901
    rows: Iterable[Row],
    state: ScanState,
    schemas: WriterSchemas,
    findings: Findings,
    *,
    anchors: Mapping[int, bytes] | None = None,
    progress: Callable[[int], None] | None = None,
    signatures: SignatureCheck | None = None,
) -> None:
    """Check ``rows`` (in position order) from ``state`` on, recording what is wrong;
    with ``signatures``, each decoded event's producer signature too."""
    sha256 = hashlib.sha256
    usable, broken = schemas.usable, schemas.broken
    anchors = anchors or {}
    add = findings.add
    expected, previous, previous_micros = state.expected, state.previous_hash, state.previous_micros
    count = state.events
    for row in rows:
        position, micros, payload, prev_hash, stored_hash = row[:5]
        event_type = row[6]
        count += 1
        if position != expected:
            if position > expected:
                missing = (
                    f"{expected}" if position == expected + 1 else f"{expected}-{position - 1}"
                )
                add(
                    "contiguity", expected, f"position {missing} is missing (found {position} next)"
                )
            else:
                add(
                    "contiguity", position, f"position {position} occurs again after {expected - 1}"
                )
        if prev_hash != previous:
            add(
                "hash_chain",
                position,
                "prev_hash is not the hash of the event before it "
                "(an event was removed, inserted or moved here)",
            )
        redacted = not payload and event_type == REDACTED  # the chain links through it
        if not redacted and (
            sha256(
                prev_hash
                + position.to_bytes(8, "big", signed=True)
                + micros.to_bytes(8, "big", signed=True)
                + payload
            ).digest()
            != stored_hash
        ):
            add("hash_chain", position, "hash does not match its position, record time and bytes")
        if previous_micros is not None and micros < previous_micros:
            add("record_time", position, "record time is earlier than the event before it")
        if position in anchors:
            state.anchors_seen.add(position)
        if position in anchors and anchors[position] != stored_hash:
            add(
                "anchor",
                position,
                f"hash {stored_hash.hex()} differs from the anchor {anchors[position].hex()}: "
                "history up to this position was rewritten",
            )
        previous, previous_micros, expected = stored_hash, micros, position + 1
        if redacted:  # nothing more of it is known: its hash is taken as recorded
            state.redacted += 1
            continue

        fingerprint = payload[2:HEADER_LENGTH]
        writer = usable.get(fingerprint)
        if writer is None or payload[:2] != MAGIC:
            if payload[:2] != MAGIC or len(payload) < HEADER_LENGTH:
                add("decoding", position, "payload is not Avro single-object encoded")
            elif fingerprint in broken:
                if fingerprint not in state.reported_fingerprints:
                    state.reported_fingerprints.add(fingerprint)
                    add("schema_registry", position, f"written with {broken[fingerprint]}")
            else:
                add(
                    "decoding",
                    position,
                    f"schema fingerprint {fingerprint.hex()} is not registered",
                )
        else:
            body = io.BytesIO(payload)
            body.seek(HEADER_LENGTH)
            try:
                record = schemaless_reader(body, writer.parsed, writer.reader)
            except Exception as exc:  # fastavro: EOFError, ValueError, UnicodeDecodeError...
                add(
                    "decoding",
                    position,
                    f"payload does not decode as {writer.event_type} v{writer.version}: {exc}",
                )
            else:
                if body.tell() != len(payload):
                    add(
                        "decoding",
                        position,
                        f"{len(payload) - body.tell()} bytes follow the "
                        f"{writer.event_type} v{writer.version} record",
                    )
                else:
                    _columns(record, writer, row, findings)
                    if signatures is not None:
                        envelope = record.get("envelope") if isinstance(record, dict) else None
                        recorded_by = envelope.get("recorded_by") if envelope else None
                        signatures.see(
                            position, writer.event_type, str(recorded_by), payload, row[9]
                        )
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    state.expected, state.previous_hash, state.previous_micros = expected, previous, previous_micros
    state.events = count


def _marking(envelope: dict[str, Any]) -> str:
    """The marking a payload's envelope states, in the form of ``Row``."""
    compartments = ",".join(sorted(envelope.get("compartments") or ()))
    return f"{rank_of(str(envelope.get('classification', 'UNKNOWN')))}:{compartments}"


def _columns(record: Any, writer: WriterSchema, row: Row, findings: Findings) -> None:
    """The columns stored beside the payload (outside the hash), and the marking kept
    for it (which row-level security trusts), agree with it."""
    position, event_id, event_type, stream_id, marking = row[0], *row[5:9]
    envelope = record.get("envelope") if isinstance(record, dict) else None
    if event_type != writer.event_type:
        findings.add(
            "columns",
            position,
            f"type column says {event_type} but the payload is {writer.event_type}",
        )
    if not isinstance(envelope, dict):
        findings.add("columns", position, "payload has no envelope")
        return
    if str(envelope.get("event_id", "")).lower() != event_id.lower():
        findings.add(
            "columns",
            position,
            f"event_id column {event_id} differs from the payload's {envelope.get('event_id')}",
        )
    if envelope.get("stream_id") != stream_id:
        findings.add(
            "columns",
            position,
            f"stream_id column {stream_id!r} differs from the payload's "
            f"{envelope.get('stream_id')!r}",
        )
    if marking and marking != _marking(envelope):
        stated = _marking(envelope)
        findings.add(
            "markings",
            position,
            "no marking is kept for the event (readers cannot see it)"
            if marking == MISSING
            else f"the kept marking {marking} differs from the payload's {stated}: readers "
            "would be shown it under the wrong clearance",
        )
