"""Turning one Kafka message into an event to archive, or a rejection with its reason."""

from typing import Any

from ledger.codec.single_object import AvroCodec
from ledger.errors import DecodeError
from ledger.kafka.producer import HEADER_EVENT_TYPE
from ledger.records import EncodedEvent, KafkaOrigin
from ledger.store.archive import Rejection


def _headers(record: Any) -> dict[str, str]:
    headers: dict[str, str] = {}
    for key, value in record.headers or []:
        headers[str(key)] = value.decode("utf-8", "replace") if value is not None else ""
    return headers


def classify(record: Any, codec: AvroCodec) -> EncodedEvent | Rejection:
    """Decode and validate a consumer record; the payload is archived byte for byte."""
    origin = KafkaOrigin(record.topic, record.partition, record.offset)
    payload: bytes | None = record.value

    def rejected(reason: str) -> Rejection:
        return Rejection(origin, f"{origin}: {reason}", payload, record.key, _headers(record))

    if payload is None:
        return rejected("message has no value (a tombstone); events are never deleted")
    try:
        event = codec.decode(payload)
    except DecodeError as exc:
        return rejected(str(exc))
    claimed = next(
        (v.decode("utf-8", "replace") for k, v in record.headers or [] if k == HEADER_EVENT_TYPE),
        None,
    )
    if claimed is not None and claimed != event.event_type():
        return rejected(f"header says {claimed} but the payload is {event.event_type()}")
    return EncodedEvent.of(event, bytes(payload), origin)
