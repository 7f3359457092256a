"""A generator of malformed inputs: each kind is one JSON Lines line (or HTTP body) that
the ledger must refuse with a sentence naming its line or field, never a traceback, a
5xx or a partial append. The same kinds are fed to the CLI, HTTP and Kafka tests."""

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.factories import json_line


@dataclass(frozen=True)
class Malformed:
    kind: str
    raw: bytes
    """One line, without its newline."""


def valid(event_type: str = "ClaimAsserted", **overrides: Any) -> dict[str, Any]:
    """A valid event as JSON (a fresh id each call)."""
    return json_line(event_type, **overrides)


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


def _without(path: tuple[str, ...], event_type: str = "ClaimAsserted") -> bytes:
    data = valid(event_type)
    target = data
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    return _json(data)


def _span(start: Any, **more: Any) -> dict[str, Any]:
    return {"start": start, "precision": "DAY", **more}


def _strength(**fields: Any) -> bytes:
    strength = {"qualifier": "AT_LEAST", "unit": "fighters", "text": "over 4000", **fields}
    return _json(valid("DeploymentReported", strength=strength))


def _replace(text: bytes, old: bytes, new: bytes) -> bytes:
    assert old in text
    return text.replace(old, new, 1)


_BUILDERS: dict[str, Callable[[], bytes]] = {
    "truncated JSON": lambda: _json(valid())[:40],
    "trailing garbage": lambda: _json(valid()) + b" tail",
    "single quotes": lambda: _json(valid()).replace(b'"', b"'"),
    "raw control character": lambda: _replace(_json(valid()), b"A militia", b"A\x01militia"),
    "JSON array": lambda: b"[1, 2, 3]",
    "JSON string": lambda: b'"ClaimAsserted"',
    "JSON number": lambda: b"42",
    "JSON null": lambda: b"null",
    "empty object": lambda: b"{}",
    "missing type": lambda: _without(("type",)),
    "type not a string": lambda: _json({**valid(), "type": 7}),
    "unknown type": lambda: _json({**valid(), "type": "ClaimAsertd"}),
    "missing envelope": lambda: _without(("envelope",)),
    "missing event id": lambda: _without(("envelope", "event_id")),
    "bad UUID": lambda: _json(valid(envelope={"event_id": "not-a-uuid", "recorded_by": "t"})),
    "huge bad UUID": lambda: _json(
        valid(envelope={"event_id": "9" * 1_000_000, "recorded_by": "t"})
    ),
    "UUID as number": lambda: _json(valid(envelope={"event_id": 12345, "recorded_by": "t"})),
    "missing required field": lambda: _without(("statement",)),
    "wrong type: number for text": lambda: _json(valid(statement=42)),
    "wrong type: text for list": lambda: _json(valid(actor_ids="actor:x")),
    "wrong type: object for id": lambda: _json(valid(claim_id={"id": 1})),
    "unknown enum": lambda: _json(valid(credibility="LIKELY")),
    "misspelt enum": lambda: _json(valid(credibility="possibly_truth")),
    "unknown classification": lambda: _json(
        valid(envelope={"event_id": str(uuid.uuid4()), "recorded_by": "t", "classification": "X"})
    ),
    "extra field": lambda: _json(valid(colour="red")),
    "record time given": lambda: _json(valid(recorded_at="2015-10-01T00:00:00Z")),
    "naive time": lambda: _json(valid(valid_time=_span("2015-10-01T00:00:00"))),
    "time past year 9999": lambda: _json(valid(valid_time=_span("9999-12-31T23:00:00-05:00"))),
    "time before year 1": lambda: _json(valid(valid_time=_span("0001-01-01T00:00:00+05:00"))),
    "time as a number": lambda: _json(valid(valid_time=_span(1443657600))),
    "time as words": lambda: _json(valid(valid_time=_span("last Tuesday"))),
    "end before start": lambda: _json(
        valid(valid_time=_span("2015-10-02T00:00:00Z", end="2015-10-01T00:00:00Z"))
    ),
    "huge text": lambda: _json(valid(statement="x" * 100_000)),
    "huge unicode text": lambda: _json(valid(statement="\u062d" * 40_000)),
    "NUL in text": lambda: _json(valid(statement="a\x00b")),
    "NUL in id": lambda: _json(valid(claim_id="claim:\x00")),
    "space in id": lambda: _json(valid(claim_id="claim: one")),
    "empty id": lambda: _json(valid(claim_id="")),
    "huge id": lambda: _json(valid(claim_id="claim:" + "y" * 500_000)),
    "lone surrogate": lambda: _replace(_json(valid()), b"A militia", b"\\ud800 militia"),
    "count past a long": lambda: _strength(low=2**64),
    "negative count": lambda: _strength(low=-5),
    "count as text": lambda: _strength(low="4000"),
    "count as boolean": lambda: _strength(low=True),
    "count as fraction": lambda: _strength(low=4000.5),
    "integer of 5000 digits": lambda: _strength(low=int("9" * 4000)).replace(
        b"9" * 4000, b"9" * 5000
    ),
    "NaN": lambda: _replace(_strength(low=4000), b'"low": 4000', b'"low": NaN'),
    "Infinity": lambda: _replace(_strength(low=4000), b'"low": 4000', b'"low": -Infinity'),
    "float overflow": lambda: _json(valid("PlaceRegistered")).replace(b"35.6", b"1e400"),
    "estimate out of order": lambda: _strength(qualifier="RANGE", low=500, high=100),
    "estimate without numbers": lambda: _strength(),
    "latitude out of range": lambda: _json(valid("PlaceRegistered", latitude=1000.0)),
    "latitude without longitude": lambda: _json(
        valid("DeploymentReported", place={"name": "x", "latitude": 1.0, "precision": "AREA"})
    ),
    "self-relayed attribution": lambda: _json(
        valid("AttributionMade", via_source_id="source:anonymous")
    ),
    "deep nesting past the parser": lambda: b"[" * 200_000 + b"]" * 200_000,
    "deep nesting in a field": lambda: _json(valid(statement=_nest(40))),
    "too many list items": lambda: _json(valid(actor_ids=[f"actor:{i}" for i in range(5000)])),
    "non-UTF-8 byte in text": lambda: _replace(_json(valid()), b"A militia", b"A \xff militia"),
    "non-UTF-8 at the start": lambda: b"\xc3\x28" + _json(valid()),
    "Latin-1 text": lambda: _json(valid(statement="caf\u00e9")).replace(b"\xc3\xa9", b"\xe9"),
    "UTF-16 LE with BOM": lambda: b"\xff\xfe" + json.dumps(valid()).encode("utf-16-le"),
    "UTF-16 BE without BOM": lambda: json.dumps(valid()).encode("utf-16-be"),
    "BOM before a bad event": lambda: b"\xef\xbb\xbf" + _without(("statement",)),
}


def _nest(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = {"x": [value]}
    return value


def kinds() -> list[Malformed]:
    """Every kind of malformed line, built afresh (each with new event ids)."""
    return [Malformed(kind, build()) for kind, build in _BUILDERS.items()]


KIND_NAMES = list(_BUILDERS)
