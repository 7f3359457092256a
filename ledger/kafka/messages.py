"""Turning one Kafka message into an event to archive, or a rejection with its reason."""

from typing import Any

from ledger.codec.single_object import AvroCodec
from ledger.errors import DecodeError, LedgerError
from ledger.kafka.producer import HEADER_EVENT_TYPE, HEADER_SIGNATURE
from ledger.limits import DEFAULT_LIMITS, InputLimits
from ledger.log.producer_signing import decode_signature
from ledger.records import EncodedEvent, KafkaOrigin
from ledger.store.archive import Rejection


def _headers(record: Any) -> dict[str, str]:
    headers: dict[str, str] = {}
    for key, value in record.headers or []:
        headers[str(key)] = value.decode("utf-8", "replace") if value is not None else ""
    return headers


def classify(
    record: Any, codec: AvroCodec, limits: InputLimits = DEFAULT_LIMITS
) -> EncodedEvent | Rejection:
    """Decode and validate a consumer record; the payload is archived byte for byte.

    The limits of the other paths hold here too: a message larger than the body limit,
    or with a text or list beyond its limit, is rejected before the model sees it.
    """
    origin = KafkaOrigin(record.topic, record.partition, record.offset)
    payload: bytes | None = record.value

    def rejected(reason: str) -> Rejection:
        return Rejection(origin, f"{origin}: {reason}", payload, record.key, _headers(record))

    if payload is None:
        return rejected("message has no value (a tombstone); events are never deleted")
    if len(payload) > limits.max_body_bytes:
        return rejected(
            f"message of {len(payload):,} bytes is larger than the {limits.max_body_bytes:,} "
            "allowed (LEDGER_MAX_BODY_BYTES)"
        )
    try:
        writer, fields = codec.decode_record(payload)
        over = next(limits.problems(fields), None)
        if over is not None:
            loc, reason = over
            field = ".".join(map(str, loc))
            return rejected(f"{writer.event_type} field {field}: {reason}")
        event = codec.event_of(writer, fields)
    except DecodeError as exc:
        return rejected(str(exc))
    claimed = next(
        (v.decode("utf-8", "replace") for k, v in record.headers or [] if k == HEADER_EVENT_TYPE),
        None,
    )
    if claimed is not None and claimed != event.event_type():
        return rejected(f"header says {claimed} but the payload is {event.event_type()}")
    signatures = [v for k, v in record.headers or [] if k == HEADER_SIGNATURE]
    if len(signatures) > 1:
        return rejected(
            f"the message has {len(signatures)} {HEADER_SIGNATURE} headers; one at most"
        )
    signature = None
    if signatures:
        try:
            signature = decode_signature(
                (signatures[0] or b"").decode("ascii", "replace"), f"header {HEADER_SIGNATURE}"
            )
        except LedgerError as exc:
            return rejected(str(exc))
    return EncodedEvent.of(event, bytes(payload), origin, signature)
