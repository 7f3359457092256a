"""An event as the API shows it: its stored columns, hashes and body decoded to JSON
(``GET /events`` pages, ``GET /events/{id}`` and the messages of ``GET /stream``)."""

from typing import Any

from ledger.api.models import EventItem, KafkaOrigin
from ledger.codec.json_form import json_form
from ledger.codec.single_object import AvroCodec
from ledger.log.producer_signing import encode_signature


def item(row: dict[str, Any], codec: AvroCodec) -> EventItem:
    """An event as stored, its body decoded straight to JSON (validated when appended)."""
    _, record = codec.decode_record(bytes(row["payload"]))
    topic = row["kafka_topic"]
    return EventItem(
        position=row["position"],
        event_id=row["event_id"],
        event_type=row["event_type"],
        stream_id=row["stream_id"],
        recorded_at=row["recorded_at"],
        valid_from=row["valid_from"],
        valid_to=row["valid_to"],
        hash=bytes(row["hash"]).hex(),
        prev_hash=bytes(row["prev_hash"]).hex(),
        kafka=KafkaOrigin(topic=topic, partition=row["kafka_partition"], offset=row["kafka_offset"])
        if topic is not None
        else None,
        signature=encode_signature(bytes(row["signature"])) if row["signature"] else None,
        body={"type": row["event_type"], **json_form(record)},
    )
