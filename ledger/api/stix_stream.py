"""``GET /stream?format=stix``: the stream as STIX object versions, each exactly as the
clearance's TAXII collection holds it (``ledger.taxii``), not a mapping of its own.

Each batch reads (or grows) the clearance's collection at the position streamed to and
sends the versions made by the events past the one sent last, with the SSE id of the
event that made each: ``Last-Event-ID`` resumes after it. The static objects and the
marking definitions carry no id (they are no event's): each is sent once per
connection, just before the first version that needs it, so a stream from the start
is the collection itself, in its order.
"""

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson

from ledger.api.stream import BATCH, Message, sse
from ledger.taxii.collection import Collection, Entry

_DEFINITION = "marking-definition"


def _position(entry: Entry) -> int:
    return entry.position


def _marking_refs(entry: Entry) -> list[str]:
    """The marking definitions a version names, in the order the collection places them."""
    obj = orjson.loads(entry.data)
    refs: list[str] = list(obj.get("object_marking_refs", ()))
    refs += [g["marking_ref"] for g in obj.get("granular_markings", ()) if "marking_ref" in g]
    return refs


@dataclass
class StixFeed:
    """One connection's STIX versions (``ledger.api.stream.Feed``)."""

    collection: Callable[[int], Collection]
    """The subscriber's clearance's collection at a position (read or grown)."""
    most: int = BATCH
    """Most versions in one batch."""
    sent: set[str] = field(default_factory=set)
    """The static objects and definitions this connection was sent."""

    def batch(self, after: int, until: int) -> tuple[list[Message], int]:
        found = self.collection(until)
        entries = found.entries
        start = bisect_right(entries, after, key=_position)
        messages: list[Message] = []
        versions = 0
        for at in range(start, len(entries)):  # no slice: a collection may hold millions
            entry = entries[at]
            if entry.type == _DEFINITION or entry.position == 0:
                continue  # sent before the version that needs it
            if versions == self.most:
                return messages, messages[-1].position or after
            messages.extend(self._needed(found, entry))
            messages.append(Message(sse("object", entry.data, entry.position), entry.position))
            versions += 1
        return messages, until

    def _needed(self, found: Collection, version: Entry) -> list[Message]:
        """What ``version`` needs and this connection was not sent: the static objects
        (before the first version), then the definitions of its markings."""
        needed: list[Entry] = []
        if not self.sent:  # the static objects lead the collection, at position 0
            needed += found.entries[: bisect_right(found.entries, 0, key=_position)]
        for ref in _marking_refs(version):
            at = found.by_id.get(ref)
            if ref not in self.sent and at:
                needed.append(found.entries[at[0]])
        for entry in needed:
            self.sent.add(entry.id)
        return [Message(sse("object", e.data)) for e in needed]
