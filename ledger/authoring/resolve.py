"""Names in a report resolved to gazetteer ids: by id, name or alias, without regard to
case or Unicode form. An unknown or ambiguous name is a problem, with suggestions."""

from collections.abc import Iterable

from ledger.domain.names import Entry, did_you_mean, normalise


class Unresolved(ValueError):
    """A name that names nothing, or more than one thing; the message says which."""


class Resolver:
    """Every spelling of every entry, by kind, for exact (normalised) lookup."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: list[Entry] = []
        self._by_spelling: dict[tuple[str, str], set[str]] = {}
        for entry in entries:
            self.add(entry)

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)
        for spelling in entry.spellings():
            self._by_spelling.setdefault((entry.kind, normalise(spelling)), set()).add(entry.id)

    def knows(self, kind: str, id: str) -> bool:
        return id in self._by_spelling.get((kind, normalise(id)), set())

    def resolve(self, kind: str, name: str) -> str:
        """The id ``name`` stands for among the entries of ``kind``."""
        found = self._by_spelling.get((kind, normalise(name)), set())
        if len(found) == 1:
            return next(iter(found))
        if found:
            raise Unresolved(
                f"{name!r} names {len(found)} {kind}s ({', '.join(sorted(found))}); write the id"
            )
        hint = did_you_mean(name, (e for e in self.entries if e.kind == kind))
        raise Unresolved(
            f"no {kind} is called {name!r} in the ledger or this report{hint} "
            f"(declare it under {kind}s: to register it)"
        )
