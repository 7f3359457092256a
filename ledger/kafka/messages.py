"""Turning one Kafka message into an event to archive, or a rejection with its reason."""

from typing import Any

from ledger.codec.single_object import AvroCodec
from ledger.domain.marking import Clearance
from ledger.errors import DecodeError, LedgerError
from ledger.intake.limits import DEFAULT_LIMITS, InputLimits
from ledger.kafka.producer import HEADER_EVENT_TYPE, HEADER_SEEN_BY, HEADER_SIGNATURE
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
    try:
        signed = _one_header(record, HEADER_SIGNATURE)
        signature = (
            decode_signature(signed.decode("ascii", "replace"), f"header {HEADER_SIGNATURE}")
            if signed is not None
            else None
        )
        seen = _one_header(record, HEADER_SEEN_BY)
        seen_by = Clearance.parse(seen.decode("utf-8", "replace")) if seen is not None else None
    except LedgerError as exc:
        return rejected(str(exc))
    except ValueError as exc:
        return rejected(f"header {HEADER_SEEN_BY}: {exc}")
    return EncodedEvent.of(event, bytes(payload), origin, signature, seen_by)


def _one_header(record: Any, name: str) -> bytes | None:
    """The value of a header a message may carry once, or None when it has none."""
    values = [v for k, v in record.headers or [] if k == name]
    if len(values) > 1:
        raise LedgerError(f"the message has {len(values)} {name} headers; one at most")
    return (values[0] or b"") if values else None
