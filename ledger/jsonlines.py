"""Reading events from JSON Lines: one event per line, ``{"type": ..., "envelope": ...}``.

Every line is checked before anything is appended; each problem becomes one sentence
naming the line, the field and the reason.
"""

import difflib
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from ledger.domain.events import EVENT_TYPES, Event
from ledger.errors import ValidationFailed

MAX_PROBLEMS = 50
"""Stop collecting after this many problems: the first ones are what a user fixes first."""


@dataclass(frozen=True)
class ParsedEvent:
    line: int
    event: Event


def _field(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(event)"


def describe_error(error: ErrorDetails, event_type: str) -> str:
    """One validation error as a phrase a person can act on."""
    kind = error["type"]
    loc = error["loc"]
    given = error.get("input")
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        if loc[-1:] == ("recorded_at",):
            return "cannot be given: the ledger sets the record time itself"
        return f"is not a field of {event_type}"
    if kind == "timezone_aware":
        return (
            f"{given!r} has no timezone; add one such as Z or +03:00 "
            "(a naive time would be read as local time)"
        )
    if kind == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{given!r} is not allowed; expected {expected}"
    if kind == "uuid_parsing" or kind == "uuid_type":
        return f"{given!r} is not a UUID"
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if kind == "string_pattern_mismatch" and isinstance(given, str) and "\x00" in given:
        return "contains a NUL character (U+0000), which text may not hold"
    if kind in ("string_pattern_mismatch",) and loc and str(loc[-1]).endswith("_id"):
        return f"{given!r} is not an id: ids are non-empty and contain no spaces"
    return message[0].lower() + message[1:] if message else kind


def validate_event(data: Any, where: str) -> tuple[Event | None, list[str]]:
    """The event in one decoded JSON value, or the problems that prevent it."""
    if not isinstance(data, dict):
        return None, [f"{where}: expected a JSON object, got {type(data).__name__}"]
    body = dict(data)
    event_type = body.pop("type", None)
    if not isinstance(event_type, str):
        return None, [f'{where}: missing "type" (one of {", ".join(EVENT_TYPES)})']
    model = EVENT_TYPES.get(event_type)
    if model is None:
        close = difflib.get_close_matches(event_type, list(EVENT_TYPES), n=1)
        hint = f"; did you mean {close[0]}?" if close else f" (known: {', '.join(EVENT_TYPES)})"
        return None, [f"{where}: unknown event type {event_type!r}{hint}"]
    try:
        return model.model_validate(body), []
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        if any(e["type"] == "missing" and len(e["loc"]) == 1 for e in errors):
            # a missing subject field also leaves the derived stream_id missing: say it once
            errors = [e for e in errors if e["loc"] != ("envelope", "stream_id")]
        return None, [
            f"{where}, field {_field(e['loc'])}: {describe_error(e, event_type)}" for e in errors
        ]


def _digest(event: Event) -> bytes:
    return hashlib.blake2b(event.model_dump_json().encode(), digest_size=16).digest()


def _scan(lines: Iterable[str], source: str) -> Iterator[ParsedEvent | str]:
    """Each line's event, or a sentence per problem; stops after MAX_PROBLEMS problems.

    Keeps only a 16-byte digest per event id (to catch an id re-used in the file with
    other content), so a file of any size is checked in flat memory.
    """
    problems = 0
    first_line_of: dict[UUID, tuple[int, bytes]] = {}
    for number, text in enumerate(lines, start=1):
        if problems >= MAX_PROBLEMS:
            return
        if not text.strip():
            continue
        where = f"{source} line {number}"
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            problems += 1
            yield f"{where}: not valid JSON: {exc.msg} at column {exc.colno}"
            continue
        event, found = validate_event(data, where)
        problems += len(found)
        yield from found
        if event is None:
            continue
        digest = _digest(event)
        earlier = first_line_of.setdefault(event.envelope.event_id, (number, digest))
        if earlier[1] != digest:
            problems += 1
            yield (
                f"{where}: event_id {event.envelope.event_id} is already used on line "
                f"{earlier[0]} for different content; each event needs its own id"
            )
            continue
        yield ParsedEvent(number, event)


def parse_lines(lines: Iterable[str], source: str = "<stdin>") -> list[ParsedEvent]:
    """Validate every line; raise ``ValidationFailed`` listing the problems if any."""
    parsed: list[ParsedEvent] = []
    problems: list[str] = []
    for item in _scan(lines, source):
        if isinstance(item, str):
            problems.append(item)
        else:
            parsed.append(item)
    if problems:
        raise ValidationFailed(problems)
    return parsed


def check_lines(lines: Iterable[str], source: str = "<stdin>") -> int:
    """Validate every line without keeping the events; the number of events found."""
    count = 0
    problems: list[str] = []
    for item in _scan(lines, source):
        if isinstance(item, str):
            problems.append(item)
        else:
            count += 1
    if problems:
        raise ValidationFailed(problems)
    return count


def iter_events(lines: Iterable[str], source: str = "<stdin>") -> Iterator[ParsedEvent]:
    """The events of lines already checked with ``check_lines``, one at a time."""
    for item in _scan(lines, source):
        if isinstance(item, str):
            raise ValidationFailed([item])
        yield item


def validate_batch(items: Iterable[Any], source: str = "batch") -> list[Event]:
    """Events as they are, JSON records (``{"type": ...}``) validated; all or nothing.

    Problems name the item by its place in the batch: ``batch record 3, field kind: ...``.
    """
    events: list[Event] = []
    problems: list[str] = []
    for number, item in enumerate(items, start=1):
        if isinstance(item, Event):
            events.append(item)
            continue
        event, found = validate_event(item, f"{source} record {number}")
        problems += found
        if event is not None:
            events.append(event)
    if problems:
        raise ValidationFailed(problems[:MAX_PROBLEMS])
    return events
