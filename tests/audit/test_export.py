"""Export: a standard Avro container file that Apache avro and fastavro read back as the
ledger holds it, and that import-check re-verifies offline."""

import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import avro.datafile
import avro.io
import fastavro
import pytest

from ledger.audit.export import FORMAT, export, import_check
from ledger.audit.verify import Anchor
from ledger.chain import epoch_micros
from ledger.demo import load_seed
from ledger.errors import LedgerError
from ledger.store.postgres import PostgresLedger


@pytest.fixture
def exported(ledger: PostgresLedger, tmp_path: Path) -> Path:
    load_seed(ledger)
    path = tmp_path / "ledger.avro"
    with path.open("wb") as file:
        last, head_hash = export(ledger, file)
    assert (last, head_hash) == (138, ledger.head().hash)
    return path


def stored(ledger: PostgresLedger) -> list[tuple[int, bytes, bytes, bytes, int]]:
    return [
        (r.position, r.payload, r.prev_hash, r.hash, epoch_micros(r.recorded_at))
        for r in ledger.read()
    ]


def test_fastavro_reads_back_the_ledger(ledger: PostgresLedger, exported: Path) -> None:
    with exported.open("rb") as file:
        reader = fastavro.reader(file)
        assert reader.metadata["ledger.format"] == FORMAT
        assert reader.metadata["ledger.head_hash"] == ledger.head().hash.hex()
        records: list[Any] = list(reader)
    assert [
        (r["position"], r["payload"], r["prev_hash"], r["hash"], epoch_micros(r["recorded_at"]))
        for r in records
    ] == stored(ledger)
    first = records[0]
    assert first["schema_fingerprint"] == first["payload"][2:10]
    assert str(first["event_id"]) == str(next(iter(ledger.read(limit=1))).event_id)


def test_apache_avro_reads_back_the_ledger_and_decodes_each_payload(
    ledger: PostgresLedger, exported: Path
) -> None:
    with exported.open("rb") as file:
        reader = avro.datafile.DataFileReader(file, avro.io.DatumReader())
        meta = reader.get_meta("ledger.schemas")
        assert meta is not None
        schemas = json.loads(meta.decode())
        records: list[Any] = list(reader)
        reader.close()
    writers = {
        bytes.fromhex(s["fingerprint"]): avro.schema.parse(s["schema_json"]) for s in schemas
    }
    assert [(r["position"], r["payload"], r["hash"]) for r in records] == [
        (p, payload, h) for p, payload, _, h, _ in stored(ledger)
    ]
    # an independent auditor: the chain from the file alone, and every payload decoded
    previous = bytes(32)
    for r in records:
        micros = epoch_micros(r["recorded_at"])
        digest = hashlib.sha256(
            previous
            + r["position"].to_bytes(8, "big")
            + micros.to_bytes(8, "big", signed=True)
            + r["payload"]
        ).digest()
        assert r["prev_hash"] == previous and r["hash"] == digest
        previous = digest
        body = avro.io.BinaryDecoder(io.BytesIO(r["payload"][10:]))
        event: Any = avro.io.DatumReader(writers[r["payload"][2:10]]).read(body)
        assert str(event["envelope"]["event_id"]) == str(r["event_id"])


def test_import_check_passes_a_faithful_export(ledger: PostgresLedger, exported: Path) -> None:
    anchor = Anchor(138, ledger.head().hash)
    report = import_check(exported, anchors=[anchor], known=ledger.codec.registry)
    assert report.ok, report.findings.kept
    assert report.events == 138 and report.last_hash == ledger.head().hash


Change = Callable[[dict[str, Any]], dict[str, Any] | None]


def rewrite(source: Path, target: Path, change: Change) -> None:
    with source.open("rb") as file:
        reader = fastavro.reader(file)
        metadata = {k: v for k, v in reader.metadata.items() if not k.startswith("avro.")}
        schema = reader.writer_schema
        records = [change(r) for r in reader]  # type: ignore[arg-type]
    with target.open("wb") as file:
        fastavro.writer(file, schema, [r for r in records if r is not None], metadata=metadata)


def test_import_check_finds_a_changed_payload_at_its_position(
    exported: Path, tmp_path: Path
) -> None:
    def flip(record: dict[str, Any]) -> dict[str, Any]:
        if record["position"] == 42:
            payload = bytearray(record["payload"])
            payload[-1] ^= 1
            record["payload"] = bytes(payload)
        return record

    rewrite(exported, tmp_path / "bad.avro", flip)
    report = import_check(tmp_path / "bad.avro")
    assert not report.ok and report.first_bad_position == 42


def test_import_check_finds_a_dropped_last_record(exported: Path, tmp_path: Path) -> None:
    rewrite(exported, tmp_path / "short.avro", lambda r: None if r["position"] == 138 else r)
    report = import_check(tmp_path / "short.avro")
    assert not report.ok and report.first_bad_position == 138
    assert {f.check for f in report.findings.kept} == {"contiguity"}


def test_export_as_of_stops_at_that_record_time(ledger: PostgresLedger, tmp_path: Path) -> None:
    load_seed(ledger)
    with ledger.connection() as conn:
        row = conn.execute("SELECT recorded_at FROM ledger.events WHERE position = 57").fetchone()
    assert row is not None
    with (tmp_path / "early.avro").open("wb") as file:
        last, _ = export(ledger, file, as_of=row[0])
    assert last == 57  # each event has a record time of its own
    report = import_check(tmp_path / "early.avro")
    assert report.ok and report.last == 57


def test_a_foreign_file_is_refused_clearly(tmp_path: Path) -> None:
    (tmp_path / "junk.avro").write_bytes(b"not avro at all")
    with pytest.raises(LedgerError, match="not an Avro container file"):
        import_check(tmp_path / "junk.avro")
    plain = tmp_path / "plain.avro"
    with plain.open("wb") as file:
        fastavro.writer(file, {"type": "record", "name": "X", "fields": []}, [{}])
    with pytest.raises(LedgerError, match="not a ledger export"):
        import_check(plain)
    with pytest.raises(LedgerError, match="cannot open"):
        import_check(tmp_path / "missing.avro")


def _with_secrets(ledger: PostgresLedger) -> list[int]:
    """The seed, then three events of which the middle one is SECRET; its position."""
    from ledger.domain.enums import Classification
    from tests.factories import make
    from tests.scenarios import marked

    load_seed(ledger)
    appended = ledger.append(
        [
            make("ClaimAsserted", claim_id="claim:open-1"),
            marked(make("ClaimAsserted", claim_id="claim:secret-1"), Classification.SECRET, []),
            make("ClaimAsserted", claim_id="claim:open-2"),
        ]
    )
    return [appended[1].position]


def test_a_redacted_export_gives_hidden_events_as_position_time_and_hash_only(
    ledger: PostgresLedger, tmp_path: Path
) -> None:
    from ledger.domain.marking import Clearance

    hidden = _with_secrets(ledger)
    path = tmp_path / "redacted.avro"
    with path.open("wb") as file:
        last, head_hash = export(ledger, file, clearance=Clearance.of("RESTRICTED"))
    assert (last, head_hash) == (ledger.head().position, ledger.head().hash)
    with path.open("rb") as file:
        records: list[Any] = list(fastavro.reader(file))
    by_position = {r["position"]: r for r in records}
    assert [r["position"] for r in records] == list(range(1, last + 1))
    for position in hidden:
        secret = by_position[position]
        assert secret["redacted"] and secret["payload"] == b""
        assert secret["event_type"] == "" and secret["stream_id"] == ""
        assert b"secret-1" not in json.dumps(secret, default=str).encode()
    row = {r.position: r for r in ledger.read()}
    assert by_position[hidden[0]]["hash"] == row[hidden[0]].hash
    assert not any(r["redacted"] for p, r in by_position.items() if p not in hidden)
    report = import_check(path)
    assert report.ok, report.findings
    assert report.last == last
    assert any(c.name == "redacted" and "1 events" in c.detail for c in report.checks)


def test_a_redacted_export_still_catches_a_changed_visible_event_after_a_hidden_one(
    ledger: PostgresLedger, tmp_path: Path
) -> None:
    from ledger.domain.marking import Clearance

    hidden = _with_secrets(ledger)
    path = tmp_path / "redacted.avro"
    with path.open("wb") as file:
        export(ledger, file, clearance=Clearance.of("UNCLASSIFIED"))

    def forge(record: dict[str, Any]) -> dict[str, Any]:
        if record["position"] == hidden[0]:  # a forger changes the hidden event's hash
            record["hash"] = bytes(32)
        return record

    rewrite(path, tmp_path / "forged.avro", forge)
    report = import_check(tmp_path / "forged.avro")
    assert not report.ok and report.first_bad_position == hidden[0] + 1
