"""Malformed messages on the Kafka path: every kind of the generator sent as raw bytes,
and Avro records that decode but break the model or the input limits. Each lands in
``ledger.rejected`` with its bytes and a reason; nothing is appended."""

import io
from typing import Any

from fastavro import schemaless_writer

from ledger.codec.single_object import MAGIC, AvroCodec, to_record
from ledger.config import KafkaSettings
from ledger.intake.limits import InputLimits
from ledger.store.postgres import PostgresLedger
from tests.factories import make
from tests.kafka.helpers import archive_all, rejected_reasons, send_raw
from tests.malformed import kinds

KAFKA_MESSAGE_LIMIT = 900_000
"""The producer's default request limit is 1 MiB; larger kinds are covered by HTTP/CLI."""


def _avro(event_type: str, **changes: Any) -> bytes:
    """A single-object Avro message of ``event_type`` with fields the model would refuse."""
    version = AvroCodec().registry.latest(event_type)
    record = to_record(make(event_type))
    for name, value in changes.items():
        if "." in name:
            outer, inner = name.split(".")
            record[outer] = {**record[outer], inner: value}
        else:
            record[name] = value
    buffer = io.BytesIO()
    buffer.write(MAGIC + version.fingerprint)
    schemaless_writer(buffer, version.parsed, record)
    return buffer.getvalue()


HOSTILE_AVRO = {
    "huge text": _avro("ClaimAsserted", statement="x" * 100_000),
    "NUL in text": _avro("ClaimAsserted", statement="a\x00b"),
    "space in id": _avro("ClaimAsserted", claim_id="claim: one"),
    "too many list items": _avro("ClaimAsserted", actor_ids=[f"actor:{i}" for i in range(500)]),
    "end before start": _avro(
        "ClaimAsserted",
        **{
            "valid_time.end": to_record(make("ClaimAsserted"))["valid_time"]["start"].replace(
                year=2000
            )
        },
    ),
    "latitude without longitude": _avro("DeploymentReported", **{"place.longitude": None}),
    "self-relayed attribution": _avro("AttributionMade", via_source_id="source:anonymous"),
    "estimate out of order": _avro(
        "DeploymentReported",
        strength={
            "low": 9,
            "best": None,
            "high": 1,
            "qualifier": "RANGE",
            "unit": "u",
            "text": "t",
        },
    ),
}


def test_every_malformed_kind_is_rejected_with_a_reason(
    ledger: PostgresLedger, kafka_settings: KafkaSettings
) -> None:
    raw = [m.raw for m in kinds() if len(m.raw) < KAFKA_MESSAGE_LIMIT]
    hostile = list(HOSTILE_AVRO.values())
    send_raw(kafka_settings, raw + hostile)
    stats = archive_all(ledger, kafka_settings)
    assert (stats.appended, stats.rejected) == (0, len(raw) + len(hostile))
    assert ledger.head().position == 0
    reasons = rejected_reasons(ledger)
    assert all(reason.startswith(f"{kafka_settings.topic}[0]@") for reason in reasons), reasons
    for name, reason in zip(HOSTILE_AVRO, reasons[len(raw) :], strict=True):
        assert "fails validation" in reason or "allowed" in reason, (name, reason)
    assert "field statement: text of 100,000 bytes" in reasons[len(raw)]
    assert "field actor_ids: a list of 500 items" in reasons[len(raw) + 3]
    assert all(len(reason) < 1_000 for reason in reasons)


def test_the_archiver_applies_the_configured_limits(
    ledger: PostgresLedger, kafka_settings: KafkaSettings
) -> None:
    fine = AvroCodec().encode(make("ClaimAsserted", statement="s" * 2000))
    send_raw(kafka_settings, [fine])
    stats = archive_all(ledger, kafka_settings, limits=InputLimits(max_body_bytes=1024))
    assert (stats.appended, stats.rejected) == (0, 1)
    (reason,) = rejected_reasons(ledger)
    assert "larger than the 1,024 allowed (LEDGER_MAX_BODY_BYTES)" in reason
