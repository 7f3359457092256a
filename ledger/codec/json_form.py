"""The JSON form of a decoded Avro record, exactly as the event models write it.

Serving stored events as JSON through the pydantic models costs a validation per event;
the stored bytes were validated on their way in, so the decoded record is turned into
the same JSON directly: UUIDs as text, times in UTC as ``...Z``, everything else as is.
A property test holds this equal to ``model_dump(mode="json")`` for every event type.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

_PLAIN = frozenset({str, int, float, bool, type(None)})


def json_form(value: Any) -> Any:
    """``value`` (a decoded record, or any part of one) with JSON-ready leaves."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {k: v if type(v) in _PLAIN else json_form(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _PLAIN else json_form(v) for v in value]
    if isinstance(value, datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, UUID):
        return str(value)
    return value
