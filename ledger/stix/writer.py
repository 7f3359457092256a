"""The bundle as bytes, written as the objects come: ``{"type":"bundle","objects":[...],
"id":...}``. Each object is orjson with sorted keys, so the same objects are the same
bytes. The bundle's id is a UUIDv4-shaped SHA-256 of those bytes, so it comes last (a
bundle's id has no meaning in STIX; this one names exactly what the bundle holds)."""

import hashlib
import uuid
from typing import Any

import orjson

_OPTIONS = orjson.OPT_SORT_KEYS


def encode(obj: dict[str, Any]) -> bytes:
    """One STIX object as the bundle holds it."""
    return orjson.dumps(obj, option=_OPTIONS)


class BundleWriter:
    """Turns objects into the pieces of one bundle, in order."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256()
        self.count = 0

    def start(self) -> bytes:
        return b'{"type":"bundle","objects":['

    def add(self, obj: dict[str, Any]) -> bytes:
        data = encode(obj)
        self._digest.update(data)
        self.count += 1
        return (b"\n" if self.count == 1 else b",\n") + data

    def end(self) -> bytes:
        """The closing bytes; a bundle of no object holds no ``objects`` list at all (an
        empty list is not allowed in STIX), which cannot happen here: every export has
        its static objects."""
        assert self.count > 0
        digest = self._digest.digest()[:16]
        bundle_id = f"bundle--{uuid.UUID(bytes=digest, version=4)}"
        return b'\n],"id":"' + bundle_id.encode() + b'"}\n'
