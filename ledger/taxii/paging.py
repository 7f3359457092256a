"""Pages of a collection and their ``next`` tokens.

A page is the entries that pass the filters, added after a point, in ``date_added``
order, ``limit`` at most. Since ``date_added`` is unique in a collection, "after the
last one returned" is exact: a walk never skips nor repeats an object. A walk is pinned
to the ledger position its first page was read at, so every page of it reads the same
collection; ``more`` is true exactly when another entry passes, and then ``next`` says
where the walk is.

``next`` is stateless: the position and the last ``date_added``, sealed (encrypted and
authenticated) for the scope it was given in, that is the caller's clearance, the
resource and every parameter but ``next`` and ``limit``. It opens for nothing else:
another clearance's token, an altered or a forged one is refused (a 400).
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from ledger.taxii.collection import Collection, Entry
from ledger.taxii.dates import EPOCH
from ledger.taxii.filters import Filters

FREE = frozenset({"next", "limit"})
"""Parameters a walk may change between pages; every other binds its token."""


class Sealer(Protocol):
    """Seals state for a scope, and opens it for that scope only (``PageTokens``)."""

    def seal(self, state: Any, scope: str) -> str: ...
    def open(self, token: str, scope: str) -> Any | None: ...


class BadToken(ValueError):
    """A ``next`` this server did not give for this clearance, resource and query."""

    def __init__(self) -> None:
        super().__init__(
            "next: not a token this server gave for this clearance and query; pass the "
            "next of the previous page back unchanged, with the same key and filters"
        )


def scope(clearance: str, resource: str, query: Iterable[tuple[str, str]]) -> str:
    """What a token is bound to: the clearance, the resource, the query but ``FREE``."""
    kept = sorted((k, v) for k, v in query if k not in FREE)
    return json.dumps([clearance, resource, kept])


@dataclass(frozen=True)
class Cursor:
    """Where a walk is: the position it reads at, and the last ``date_added`` returned
    (None before the first page)."""

    position: int
    after: int | None = None

    def seal(self, sealer: Sealer, scope: str) -> str:
        return sealer.seal({"p": self.position, "a": self.after}, scope)

    @classmethod
    def opened(cls, sealer: Sealer, token: str, scope: str) -> "Cursor":
        """The cursor in ``token``; ``BadToken`` unless it was sealed for ``scope``."""
        state = sealer.open(token, scope)
        if not isinstance(state, dict):
            raise BadToken
        position, after = state.get("p"), state.get("a")
        if type(position) is not int or position < 0 or type(after) is not int:
            raise BadToken
        return cls(position, after)


@dataclass(frozen=True)
class Page:
    entries: list[Entry]
    more: bool
    floor: int
    """What the date-added headers of an empty page say: the latest of the collection's
    last ``date_added`` and ``added_after`` (nothing up to it passes the filters, so a
    poller resuming after it misses nothing), the epoch for an empty collection."""

    @property
    def first_added(self) -> int:
        return self.entries[0].added if self.entries else self.floor

    @property
    def last_added(self) -> int:
        return self.entries[-1].added if self.entries else self.floor


def _candidates(collection: Collection, filters: Filters, start: int | None) -> Iterable[Entry]:
    """The entries after ``start`` that may pass, in order (by id when ids are named)."""
    entries = collection.entries
    if filters.ids is not None:
        indexes = sorted(i for id in filters.ids for i in collection.by_id.get(id, ()))
        return (entries[i] for i in indexes if start is None or entries[i].added > start)
    return (entries[i] for i in range(collection.after(start), len(entries)))


def page(collection: Collection, filters: Filters, after: int | None, limit: int) -> Page:
    """The entries passing ``filters`` added after ``after`` and ``added_after``,
    ``limit`` at most, and whether more follow."""
    bounds = [b for b in (after, filters.added_after) if b is not None]
    start = max(bounds) if bounds else None
    found: list[Entry] = []
    more = False
    for entry in _candidates(collection, filters, start):
        if filters.admits(entry):
            if len(found) == limit:
                more = True
                break
            found.append(entry)
    tops = [b for b in (collection.last_added, filters.added_after) if b is not None]
    return Page(found, more, max(tops) if tops else EPOCH)
