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
    headers = _headers(record)
    payload: bytes | None = record.value

    def rejected(reason: str) -> Rejection:
        where = f"{origin.topic}[{origin.partition}]@{origin.offset}"
        return Rejection(origin, f"{where}: {reason}", payload, record.key, headers)

    if payload is None:
        return rejected("message has no value (a tombstone); events are never deleted")
    try:
        event = codec.decode(payload)
    except DecodeError as exc:
        return rejected(str(exc))
    claimed = headers.get(HEADER_EVENT_TYPE)
    if claimed is not None and claimed != event.event_type():
        return rejected(f"header says {claimed} but the payload is {event.event_type()}")
    return EncodedEvent.of(event, bytes(payload), origin)
