"""Collections read lately, kept in the server's memory by clearance and position.

A collection at a position never changes (the events up to it are immutable), so a
walk pinned to a position reads it once, not once per page; and a collection at a
later position grows from the latest one kept for the clearance (``ledger.taxii.growth``)
rather than reading the ledger whole. Concurrent requests for the same one wait for a
single read.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from ledger.taxii.collection import Collection

KEPT = 4
"""Collections kept at most (the walks in progress at recent heads)."""

Read = Callable[[], Collection]
Grow = Callable[[Collection], Collection | None]


class Collections:
    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self._found: OrderedDict[tuple[Hashable, int], Collection] = OrderedDict()
        self._reading: dict[tuple[Hashable, int], threading.Lock] = {}
        self._lock = threading.Lock()

    def _latest_before(self, clearance: Hashable, position: int) -> Collection | None:
        earlier = [c for (k, p), c in self._found.items() if k == clearance and p < position]
        return max(earlier, key=lambda c: c.position, default=None)

    def get(self, clearance: Hashable, position: int, read: Read, grow: Grow) -> Collection:
        """The collection of ``clearance`` at ``position``: kept, else grown from the
        latest kept before it with ``grow``, else read with ``read``."""
        key = (clearance, position)
        with self._lock:
            found = self._found.get(key)
            if found is not None:
                self._found.move_to_end(key)
                return found
            reading = self._reading.setdefault(key, threading.Lock())
        with reading:
            with self._lock:
                found = self._found.get(key)
                base = self._latest_before(clearance, position)
            if found is None:
                found = grow(base) if base is not None else None
                if found is None:
                    found = read()
                with self._lock:
                    self._found[key] = found
                    while len(self._found) > self.kept:
                        self._found.popitem(last=False)
            with self._lock:
                self._reading.pop(key, None)
            return found
