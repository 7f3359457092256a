"""Reading events from JSON Lines: one event per line, ``{"type": ..., "envelope": ...}``.

Every line is checked before anything is appended; each problem becomes one sentence
naming the line, the field and the reason. Lines are split on ``\n`` bytes only (never
on U+2028 or other Unicode line breaks), the same for files and stdin, and each is
decoded by ``ledger.intake.decoding`` under the limits of ``ledger.intake.limits``.
"""

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any
from uuid import UUID

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from ledger.domain.events import EVENT_TYPES, Event
from ledger.domain.moments import BadMoment
from ledger.domain.type_names import canonical_type, type_hint
from ledger.errors import ValidationFailed
from ledger.intake.decoding import NotJson, decode_json
from ledger.intake.limits import DEFAULT_LIMITS, InputLimits, Loc, shown, shown_name

MAX_PROBLEMS = 50
"""Stop collecting after this many problems: the first ones are what a user fixes first."""


@dataclass(frozen=True)
class ParsedEvent:
    line: int
    event: Event


def _field(loc: Loc) -> str:
    return ".".join(shown_name(part) for part in loc) or "(event)"


def split_lines(handle: IO[bytes], max_bytes: int) -> Iterator[bytes]:
    """The lines of a binary stream, split on ``\n`` only; a line longer than
    ``max_bytes`` is cut to ``max_bytes + 1`` bytes (enough to refuse it), the rest skipped."""
    while line := handle.readline(max_bytes + 2):
        if len(line) > max_bytes + 1 and not line.endswith(b"\n"):
            rest = line
            while rest and not rest.endswith(b"\n"):
                rest = handle.readline(1 << 20)
            line = line[: max_bytes + 1]
        yield line


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
            f"{shown(given)} has no timezone; add one such as Z or +03:00 "
            "(a naive time would be read as local time)"
        )
    if isinstance(error.get("ctx", {}).get("error"), BadMoment):
        return f"{shown(given)} {error['ctx']['error']}"
    if kind == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{shown(given)} is not allowed; expected {expected}"
    if kind == "uuid_parsing" or kind == "uuid_type":
        return f"{shown(given)} is not a UUID"
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if kind == "string_pattern_mismatch" and isinstance(given, str) and "\x00" in given:
        return "contains a NUL character (U+0000), which text may not hold"
    if kind in ("string_pattern_mismatch",) and loc and str(loc[-1]).endswith("_id"):
        return f"{shown(given)} is not an id: ids are non-empty and contain no spaces"
    return message[0].lower() + message[1:] if message else kind


def check_event(
    data: Any, where: str, limits: InputLimits = DEFAULT_LIMITS
) -> tuple[Event | None, list[tuple[Loc, str]]]:
    """The event in one decoded JSON value, or (field, sentence) per problem preventing it.

    Sizes are checked first: a value over the limits is refused before the models see it.
    """
    if not isinstance(data, dict):
        return None, [((), f"{where}: expected a JSON object, got {type(data).__name__}")]
    over = list(limits.problems(data))
    if over:
        return None, [(loc, f"{where}, field {_field(loc)}: {reason}") for loc, reason in over]
    body = dict(data)
    event_type = body.pop("type", None)
    if not isinstance(event_type, str):
        said = 'missing "type"' if event_type is None else f'"type" {shown(event_type)} is not text'
        return None, [(("type",), f"{where}: {said} (one of {', '.join(EVENT_TYPES)})")]
    model = EVENT_TYPES.get(canonical_type(event_type) or event_type)
    if model is None:
        hint = type_hint(event_type)
        return None, [(("type",), f"{where}: unknown event type {shown(event_type)}{hint}")]
    try:
        return model.model_validate(body), []
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        if any(e["loc"] == (model._stream_key,) for e in errors) or any(
            e["type"] == "missing" and len(e["loc"]) == 1 for e in errors
        ):
            # a bad or missing subject also spoils the stream_id derived from it: say it once
            errors = [e for e in errors if e["loc"] != ("envelope", "stream_id")]
        return None, [
            (tuple(e["loc"]), f"{where}, field {_field(e['loc'])}: {describe_error(e, event_type)}")
            for e in errors
        ]


def validate_event(
    data: Any, where: str, limits: InputLimits = DEFAULT_LIMITS
) -> tuple[Event | None, list[str]]:
    """The event in one decoded JSON value, or the sentences of the problems preventing it."""
    event, found = check_event(data, where, limits)
    return event, [sentence for _, sentence in found]


def _digest(event: Event) -> bytes:
    return hashlib.blake2b(event.model_dump_json().encode(), digest_size=16).digest()


Line = bytes | str
"""A line as read from a file (bytes) or given by a program (text)."""


def _scan(lines: Iterable[Line], source: str, limits: InputLimits) -> Iterator[ParsedEvent | str]:
    """Each line's event, or a sentence per problem; stops after MAX_PROBLEMS problems.

    Keeps only a 16-byte digest per event id (to catch an id re-used in the file with
    other content), so a file of any size is checked in flat memory.
    """
    problems = 0
    first_line_of: dict[UUID, tuple[int, bytes]] = {}
    for number, line in enumerate(lines, start=1):
        if problems >= MAX_PROBLEMS:
            return
        raw = line.encode("utf-8", "surrogatepass") if isinstance(line, str) else line
        if not raw.strip():
            continue
        where = f"{source} line {number}"
        try:
            data = decode_json(raw, limits)
        except NotJson as exc:
            problems += 1
            yield f"{where}: {exc}"
            continue
        event, found = validate_event(data, where, limits)
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


def parse_lines(
    lines: Iterable[Line], source: str = "<stdin>", limits: InputLimits = DEFAULT_LIMITS
) -> list[ParsedEvent]:
    """Validate every line; raise ``ValidationFailed`` listing the problems if any."""
    parsed: list[ParsedEvent] = []
    problems: list[str] = []
    for item in _scan(lines, source, limits):
        if isinstance(item, str):
            problems.append(item)
        else:
            parsed.append(item)
    if problems:
        raise ValidationFailed(problems)
    return parsed


def check_lines(
    lines: Iterable[Line], source: str = "<stdin>", limits: InputLimits = DEFAULT_LIMITS
) -> int:
    """Validate every line without keeping the events; the number of events found."""
    count = 0
    problems: list[str] = []
    for item in _scan(lines, source, limits):
        if isinstance(item, str):
            problems.append(item)
        else:
            count += 1
    if problems:
        raise ValidationFailed(problems)
    return count


def iter_events(
    lines: Iterable[Line], source: str = "<stdin>", limits: InputLimits = DEFAULT_LIMITS
) -> Iterator[ParsedEvent]:
    """The events of lines already checked with ``check_lines``, one at a time."""
    for item in _scan(lines, source, limits):
        if isinstance(item, str):
            raise ValidationFailed([item])
        yield item


def validate_batch(
    items: Iterable[Any], source: str = "batch", limits: InputLimits = DEFAULT_LIMITS
) -> list[Event]:
    """Events as they are, JSON records (``{"type": ...}``) validated; all or nothing.

    Problems name the item by its place in the batch: ``batch record 3, field kind: ...``;
    ``ValidationFailed.locations`` gives each one's record index and field path.
    """
    events: list[Event] = []
    problems: list[str] = []
    locations: list[tuple[int | None, Loc]] = []
    for index, item in enumerate(items):
        if isinstance(item, Event):
            events.append(item)
            continue
        event, found = check_event(item, f"{source} record {index + 1}", limits)
        for loc, sentence in found:
            problems.append(sentence)
            locations.append((index, loc))
        if event is not None:
            events.append(event)
    if problems:
        raise ValidationFailed(problems[:MAX_PROBLEMS], locations[:MAX_PROBLEMS])
    return events
