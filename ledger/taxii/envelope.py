"""An envelope posted to the inbox (spec section 3.7), read far enough to answer per
object: a JSON object whose ``objects`` is a list of STIX objects, each with an id.

What is wrong with the envelope itself (not JSON, no list, an object without an id,
more objects than one import takes) is the request's fault, answered as an error; what
is wrong with an object is the import's to say, object by object, in the status.
"""

import uuid
from typing import Any

import orjson


class BadEnvelope(Exception):
    """The body is no envelope this server can answer per object; ``status`` is the
    HTTP status (400, or 413 for too many objects), the message one sentence."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def read_envelope(raw: bytes, most: int) -> list[dict[str, Any]]:
    """The objects of an envelope, at most ``most`` (LEDGER_MAX_BATCH_EVENTS)."""
    try:
        found = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadEnvelope(400, f"the body is not JSON: {exc}") from None
    if not isinstance(found, dict) or "objects" not in found:
        raise BadEnvelope(400, 'the body is not a TAXII envelope: it needs "objects", a list')
    objects = found["objects"]
    if not isinstance(objects, list) or not objects:
        raise BadEnvelope(400, 'the envelope\'s "objects" is not a list of at least one object')
    if len(objects) > most:
        raise BadEnvelope(
            413,
            f"the envelope holds {len(objects):,} objects, more than the {most:,} one "
            "import takes (LEDGER_MAX_BATCH_EVENTS)",
        )
    for n, obj in enumerate(objects):
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
            raise BadEnvelope(400, f"objects[{n}] is not a STIX object with a string id")
    return objects


def as_bundle(objects: list[dict[str, Any]]) -> bytes:
    """The objects as the STIX bundle the import reads (a bundle's id is made anew)."""
    return orjson.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects})
