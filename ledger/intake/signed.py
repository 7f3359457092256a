"""Events given over HTTP, as JSON or signed: each item of a body becomes the exact bytes
to append.

An item is either an event's JSON form (``{"type": ..., "envelope": ..., ...}``, encoded
here) or a *signed event*: ``{"payload": <base64 single-object bytes>, "signature":
<base64 72-byte signature>}``, whose bytes are taken exactly as given, since its producer
signed those very bytes (``ledger.log.producer_signing``). Both pass the same limits and
models; the signature itself is checked against the key register when appended.
"""

import base64
import binascii
from collections.abc import Sequence
from typing import Any

from ledger.codec.single_object import AvroCodec
from ledger.domain.events import Event
from ledger.errors import DecodeError, LedgerError, ValidationFailed
from ledger.intake.limits import InputLimits, Loc
from ledger.intake.lines import MAX_PROBLEMS, check_event
from ledger.log.producer_signing import decode_signature
from ledger.records import EncodedEvent

SIGNED_FIELDS = frozenset({"payload", "signature"})


def is_signed(item: Any) -> bool:
    """True for the signed form of an event (an object with a ``payload``)."""
    return isinstance(item, dict) and "payload" in item


def encoded_batch(
    items: Sequence[Any], codec: AvroCodec, source: str, limits: InputLimits
) -> list[tuple[Event, EncodedEvent]]:
    """Each item as (event, what to append); every problem of every item, with its
    record index and field, in one ``ValidationFailed`` (nothing is appended)."""
    found: list[tuple[Event, EncodedEvent]] = []
    problems: list[tuple[int, Loc, str]] = []
    for index, item in enumerate(items):
        where = f"{source} record {index + 1}"
        if is_signed(item):
            pair, failed = _signed(item, codec, where, limits)
        else:
            event, sentences = check_event(item, where, limits)
            pair = (event, EncodedEvent.of(event, codec.encode(event))) if event else None
            failed = list(sentences)
        problems.extend((index, loc, sentence) for loc, sentence in failed)
        if pair is not None:
            found.append(pair)
    if problems:
        shown = problems[:MAX_PROBLEMS]
        raise ValidationFailed([p[2] for p in shown], [(p[0], p[1]) for p in shown])
    return found


def _signed(
    item: dict[str, Any], codec: AvroCodec, where: str, limits: InputLimits
) -> tuple[tuple[Event, EncodedEvent] | None, list[tuple[Loc, str]]]:
    extra = sorted(set(item) - SIGNED_FIELDS)
    if extra:
        return None, [((extra[0],), f"{where}: a signed event has only payload and signature")]
    text, signature_text = item.get("payload"), item.get("signature")
    if not isinstance(text, str) or not isinstance(signature_text, str):
        field = "payload" if not isinstance(text, str) else "signature"
        return None, [((field,), f"{where}, field {field}: expected base64 text")]
    try:
        payload = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return None, [(("payload",), f"{where}, field payload: not base64")]
    try:
        signature = decode_signature(signature_text, f"{where}, field signature")
    except LedgerError as exc:
        return None, [(("signature",), str(exc))]
    try:
        writer, record = codec.decode_record(payload)
        over = next(limits.problems(record), None)
        if over is not None:
            loc, reason = over
            return None, [(("payload",), f"{where}, field payload: {_dotted(loc)}: {reason}")]
        event = codec.event_of(writer, record)
    except DecodeError as exc:
        return None, [(("payload",), f"{where}, field payload: {exc}")]
    return (event, EncodedEvent.of(event, payload, signature=signature)), []


def _dotted(loc: Loc) -> str:
    return ".".join(map(str, loc))
