"""The gazetteer as filters read it: an id, a name or an alias names one entry.

Names match case-insensitively after Unicode normalisation (NFKC, accents folded,
casefolded), so "Hizballah", "hezbollah" and "actor:hezbollah" are one actor. A name two
entries share is ambiguous (the error lists both); a name nobody has gets the closest
names and aliases as suggestions, never a silent empty answer. The roll-up rule
(posture rule 9) lives here too: an actor's sub-units and coalition members.
"""

import difflib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ledger.errors import LedgerError

SUGGESTIONS = 5
"""How many "did you mean" names an unknown name gets."""


def normalise(text: str) -> str:
    """The form names are compared in: NFKC, accents removed, casefolded, spaces single."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    bare = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(unicodedata.normalize("NFKC", bare).casefold().split())


@dataclass(frozen=True)
class Entry:
    """One registered actor, place or source, as first registered."""

    id: str
    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    parent_id: str | None = None
    member_of: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    position: int = 0

    @property
    def names(self) -> tuple[str, ...]:
        return (self.id, self.name, *self.aliases)


class NameNotFound(LedgerError):
    """A filter named no registered entry; ``suggestions`` are the closest names."""

    def __init__(self, parameter: str, given: str, what: str, suggestions: list[str]) -> None:
        self.parameter, self.given, self.suggestions = parameter, given, suggestions
        hint = f"; did you mean {', '.join(map(repr, suggestions))}?" if suggestions else ""
        super().__init__(f"{parameter} {given!r}: no registered {what} has this id or name{hint}")


class NameAmbiguous(LedgerError):
    """A filter's name belongs to several entries; ``candidates`` are their ids."""

    def __init__(self, parameter: str, given: str, candidates: list[Entry]) -> None:
        self.parameter, self.given = parameter, given
        self.candidates = [e.id for e in candidates]
        listed = ", ".join(f"{e.id} ({e.name})" for e in candidates)
        super().__init__(
            f"{parameter} {given!r}: names {len(candidates)} entries ({listed}); give an id"
        )


@dataclass
class Register:
    """The entries of one kind (actors, places or sources), indexed by normalised name."""

    what: str
    entries: dict[str, Entry] = field(default_factory=dict)
    _by_name: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def of(cls, what: str, entries: Iterable[Entry]) -> "Register":
        register = cls(what)
        for entry in entries:
            register.entries.setdefault(entry.id, entry)
        for entry in register.entries.values():
            for name in entry.names:
                register._by_name[normalise(name)].add(entry.id)
        return register

    def resolve(self, given: str, parameter: str) -> str:
        """The id ``given`` names: an id as is, else the one entry with that name/alias."""
        if given in self.entries:
            return given
        found = sorted(self._by_name.get(normalise(given), ()))
        if len(found) == 1:
            return found[0]
        if found:
            raise NameAmbiguous(parameter, given, [self.entries[i] for i in found])
        raise NameNotFound(parameter, given, self.what, self.suggest(given))

    def suggest(self, given: str) -> list[str]:
        """The closest registered names and aliases (as registered) to ``given``."""
        spelled: dict[str, str] = {}
        for entry in self.entries.values():
            for name in entry.names:
                spelled.setdefault(normalise(name), name)
        close = difflib.get_close_matches(normalise(given), spelled, n=SUGGESTIONS, cutoff=0.6)
        return [spelled[c] for c in close]

    def name_of(self, entry_id: str) -> str | None:
        entry = self.entries.get(entry_id)
        return entry.name if entry else None


def subordinates(actor_id: str, actors: Iterable[Entry]) -> list[str]:
    """Rule 9: the actor, its sub-units (``parent_id``) and coalition members
    (``member_of``), transitively, in id order."""
    below: dict[str, set[str]] = defaultdict(set)
    for entry in actors:
        if entry.parent_id:
            below[entry.parent_id].add(entry.id)
        for coalition in entry.member_of:
            below[coalition].add(entry.id)
    seen, todo = {actor_id}, [actor_id]
    while todo:
        for child in below.get(todo.pop(), ()):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return sorted(seen)
