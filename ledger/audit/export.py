"""Export the ledger as a standard Avro object container file, and check such a file
offline.

One record per event (``ENTRY_SCHEMA``): its position, columns, record time, the
single-object bytes exactly as written, the writer schema's fingerprint, ``prev_hash``
and ``hash``. The file's metadata carries every registered writer schema and the hash
of the last event, so an auditor with any Avro tool and a SHA-256 can re-verify the whole
chain and decode every event without access to the database:
``hash = sha256(prev_hash || int64_be(position) || int64_be(recorded_at µs) || payload)``.
"""

import json
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import fastavro

from ledger.audit.report import CheckOutcome, Findings, VerifyReport
from ledger.audit.scan import REDACTED, Row, ScanState, WriterSchemas, scan
from ledger.audit.verify import SCAN_CHECKS, Anchor
from ledger.chain import GENESIS_HASH, epoch_micros
from ledger.codec.schema_registry import SchemaRegistry
from ledger.domain.marking import OPERATOR, Clearance
from ledger.errors import LedgerError
from ledger.ports import LedgerStore
from ledger.store.audit_reads import export_rows, hash_at, registry_entries
from ledger.store.clearance import set_clearance, visible_to

FORMAT = "ledger-export/1"

ENTRY_SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "LedgerEntry",
    "namespace": "ledger.export",
    "doc": (
        "One ledger event as recorded. hash = sha256(prev_hash || int64 big-endian position "
        "|| int64 big-endian recorded_at in microseconds since the Unix epoch || payload); "
        "the first event's prev_hash is 32 zero bytes. payload is Avro single-object "
        "encoding: C3 01, the writer schema's CRC-64-AVRO fingerprint, then the body; the "
        "writer schemas are in the file metadata under ledger.schemas."
    ),
    "fields": [
        {"name": "position", "type": "long"},
        {"name": "event_id", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "event_type", "type": "string"},
        {"name": "stream_id", "type": "string"},
        {"name": "recorded_at", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {
            "name": "valid_from",
            "type": ["null", {"type": "long", "logicalType": "timestamp-micros"}],
            "default": None,
        },
        {
            "name": "valid_to",
            "type": ["null", {"type": "long", "logicalType": "timestamp-micros"}],
            "default": None,
        },
        {"name": "schema_fingerprint", "type": {"type": "fixed", "name": "Fingerprint", "size": 8}},
        {"name": "payload", "type": "bytes"},
        {"name": "prev_hash", "type": {"type": "fixed", "name": "Sha256", "size": 32}},
        {"name": "hash", "type": "Sha256"},
        {
            "name": "redacted",
            "type": "boolean",
            "default": False,
            "doc": "True for an event the export's clearance may not see: only its position, "
            "record time, prev_hash and hash are given (the other fields are empty), so the "
            "chain still links through it but its hash is taken as recorded.",
        },
        {
            "name": "kafka",
            "type": [
                "null",
                {
                    "type": "record",
                    "name": "KafkaOrigin",
                    "fields": [
                        {"name": "topic", "type": "string"},
                        {"name": "partition", "type": "int"},
                        {"name": "offset", "type": "long"},
                    ],
                },
            ],
            "default": None,
        },
        {
            "name": "signature",
            "type": ["null", "bytes"],
            "default": None,
            "doc": "The producer's signature kept beside the payload (key id || Ed25519), "
            "null when the event is unsigned or redacted.",
        },
    ],
}


REDACTED_ID = "00000000-0000-0000-0000-000000000000"


def _redacted(row: Any) -> dict[str, Any]:
    """What a redacted export says of a hidden event: where it is in the chain, no more."""
    return {
        "position": row[0],
        "event_id": REDACTED_ID,
        "event_type": "",
        "stream_id": "",
        "recorded_at": row[4],
        "valid_from": None,
        "valid_to": None,
        "schema_fingerprint": bytes(8),
        "payload": b"",
        "prev_hash": bytes(row[8]),
        "hash": bytes(row[9]),
        "redacted": True,
        "kafka": None,
        "signature": None,
    }


def _records(
    ledger: LedgerStore, last: int, count: Callable[[int], None], clearance: Clearance
) -> Iterator[Any]:
    visible = visible_to(clearance)
    with ledger.connection() as conn, conn.transaction():
        if not clearance.is_operator:  # the clearance, but not the reader role: hidden
            set_clearance(conn, clearance, take_role=False)  # rows still give their hash
        with conn.cursor(name="audit_export", binary=True) as cur:
            cur.itersize = 10_000
            export_rows(cur, visible, last)
            for n, row in enumerate(cur, start=1):
                if n % 10_000 == 0:
                    count(n)
                if not row[13]:
                    yield _redacted(row)
                    continue
                payload = bytes(row[7])
                yield {
                    "position": row[0],
                    "event_id": row[1],
                    "event_type": row[2],
                    "stream_id": row[3],
                    "recorded_at": row[4],
                    "valid_from": row[5],
                    "valid_to": row[6],
                    "schema_fingerprint": payload[2:10],
                    "payload": payload,
                    "prev_hash": bytes(row[8]),
                    "hash": bytes(row[9]),
                    "redacted": False,
                    "kafka": {"topic": row[10], "partition": row[11], "offset": row[12]}
                    if row[10] is not None
                    else None,
                    "signature": bytes(row[14]) if row[14] is not None else None,
                }


def export(
    ledger: LedgerStore,
    file: BinaryIO,
    *,
    as_of: datetime | None = None,
    codec: str = "deflate",
    progress: Callable[[int], None] | None = None,
    clearance: Clearance = OPERATOR,
) -> tuple[int, bytes]:
    """Write the ledger up to record time ``as_of`` (default: all of it) to ``file``;
    returns the last position written and its hash. Below the operator's ``clearance``
    the events it may not see are redacted: position, record time and hashes only."""
    with ledger.connection() as conn:
        last = ledger.position_at(as_of) if as_of else ledger.head().position
        head_hash = hash_at(conn, last) or GENESIS_HASH
        schemas = [
            {
                "fingerprint": fp.hex(),
                "event_type": event_type,
                "version": version,
                "canonical_form": canonical,
                "schema_json": schema_json,
            }
            for fp, event_type, version, canonical, schema_json in registry_entries(conn)
        ]
    metadata = {
        "ledger.format": FORMAT,
        "ledger.as_of": as_of.isoformat() if as_of else "",
        "ledger.head_position": str(last),
        "ledger.head_hash": head_hash.hex(),
        "ledger.schemas": json.dumps(schemas, sort_keys=True),
        "ledger.clearance": "" if clearance.is_operator else clearance.text(),
    }
    fastavro.writer(
        file,
        fastavro.parse_schema(ENTRY_SCHEMA),
        _records(ledger, last, progress or (lambda _: None), clearance),
        codec=codec,
        metadata=metadata,
    )
    return last, head_hash


def _metadata(reader: Any, path: Path) -> tuple[int, bytes, list[dict[str, Any]]]:
    meta = reader.metadata
    if meta.get("ledger.format") != FORMAT:
        raise LedgerError(
            f"{path}: not a ledger export (its metadata lacks ledger.format={FORMAT})"
        )
    try:
        return (
            int(meta["ledger.head_position"]),
            bytes.fromhex(meta["ledger.head_hash"]),
            list(json.loads(meta["ledger.schemas"])),
        )
    except (KeyError, ValueError) as exc:
        raise LedgerError(f"{path}: the export's metadata is damaged: {exc}") from None


def import_check(
    path: Path,
    *,
    anchors: list[Anchor] | None = None,
    known: SchemaRegistry | None = None,
    progress: Callable[[int], None] | None = None,
) -> VerifyReport:
    """Re-verify an exported file offline: the same checks as ``verify`` over its records,
    its schemas against their fingerprints, and its last hash against its metadata."""
    started = time.perf_counter()
    findings = Findings()
    try:
        file = path.open("rb")
    except OSError as exc:
        raise LedgerError(f"{path}: cannot open the export: {exc.strerror}") from None
    with file:
        try:
            reader = fastavro.reader(file)
        except Exception as exc:  # fastavro: ValueError, EOFError on a foreign file
            raise LedgerError(f"{path}: not an Avro container file: {exc}") from None
        head_position, head_hash, entries = _metadata(reader, path)
        schemas = WriterSchemas.check(
            [
                (
                    bytes.fromhex(e["fingerprint"]),
                    e["event_type"],
                    int(e["version"]),
                    e["canonical_form"],
                    e["schema_json"],
                )
                for e in entries
            ],
            known,
        )
        state = ScanState(1, GENESIS_HASH)
        wanted = {a.position: a.hash for a in anchors or []}
        try:
            scan(
                _rows(reader, findings), state, schemas, findings, anchors=wanted, progress=progress
            )
        except (ValueError, EOFError, OSError) as exc:
            raise LedgerError(f"{path}: the file is truncated or damaged: {exc}") from None
    last = state.expected - 1
    if last != head_position:
        findings.add(
            "contiguity",
            last + 1 if last < head_position else head_position + 1,
            f"the file holds positions to {last}, its metadata says {head_position}",
        )
    elif state.previous_hash != head_hash:
        findings.add(
            "hash_chain",
            last,
            f"the last hash {state.previous_hash.hex()} differs from the head hash in the "
            f"metadata {head_hash.hex()}",
        )
    for position in sorted(set(wanted) - state.anchors_seen):
        findings.add("anchor", position, f"the file does not reach the anchor at {position}")
    checks = [
        CheckOutcome(name, "failed" if findings.count(name) else "passed", meaning)
        for name, meaning in SCAN_CHECKS.items()
    ]
    if state.redacted:
        checks.append(
            CheckOutcome(
                "redacted",
                "skipped",
                f"{state.redacted:,} events redacted for the export's clearance "
                f"({reader.metadata.get('ledger.clearance') or 'unnamed'}): the chain links "
                "through them, their hashes are taken as recorded",
            )
        )
    checks.append(
        CheckOutcome(
            "anchor",
            "failed" if findings.count("anchor") else "passed" if wanted else "skipped",
            "hash at the anchor positions as recorded" if wanted else "no --expect-anchor given",
        )
    )
    return VerifyReport(
        source=str(path),
        first=1,
        last=last,
        events=state.events,
        last_hash=state.previous_hash,
        checks=checks,
        findings=findings,
        seconds=time.perf_counter() - started,
        anchor=f"{last}:{state.previous_hash.hex()}" if last >= 1 else None,
    )


def _rows(reader: Any, findings: Findings) -> Iterator[Row]:
    for r in reader:
        payload = r["payload"]
        if r.get("redacted", False):
            yield (
                r["position"],
                epoch_micros(r["recorded_at"]),
                b"",
                r["prev_hash"],
                r["hash"],
                REDACTED_ID,
                REDACTED,
                "",
                "",
                b"",
            )
            continue
        if r["schema_fingerprint"] != payload[2:10]:
            findings.add(
                "columns",
                r["position"],
                "the schema_fingerprint field differs from the payload's fingerprint",
            )
        yield (
            r["position"],
            epoch_micros(r["recorded_at"]),
            payload,
            r["prev_hash"],
            r["hash"],
            str(r["event_id"]),
            r["event_type"],
            r["stream_id"],
            "",  # the file keeps no marking beside the payload: nothing to compare
            r.get("signature") or b"",
        )
