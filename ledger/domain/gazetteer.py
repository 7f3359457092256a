"""The gazetteer as filters read it: an id, a name or an alias names one entry.

Names match case-insensitively after Unicode normalisation (NFKC, accents folded,
casefolded), so "Hizballah", "hezbollah" and "actor:hezbollah" are one actor. A name two
entries share is ambiguous (the error lists both); a name nobody has gets the closest
names and aliases as suggestions, never a silent empty answer. The roll-up rule
(posture rule 9) lives here too: an actor's sub-units and coalition members.
"""

import difflib
import functools
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ledger.errors import LedgerError

SUGGESTIONS = 5
"""How many "did you mean" names an unknown name gets."""

CANDIDATES = 200
"""Names sharing the most trigrams with an unknown one that difflib then ranks."""


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
    """The entries of one kind (actors, places, sources, documents), indexed by
    normalised name. Each entry carries the position of its first registration, so one
    index built at a late position answers for any earlier one (``upto``): what was
    registered after it is not there."""

    what: str
    entries: dict[str, Entry] = field(default_factory=dict)
    _by_name: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def of(cls, what: str, entries: Iterable[Entry]) -> "Register":
        return cls(what).extended(entries)

    def extended(self, entries: Iterable[Entry]) -> "Register":
        """A new register with these entries added (an id already in keeps its first
        registration); this one is left as it is, for readers still holding it."""
        grown = Register(self.what, dict(self.entries), defaultdict(set, self._by_name))
        for entry in entries:
            if entry.id in grown.entries:
                continue
            grown.entries[entry.id] = entry
            for name in entry.names:
                key = normalise(name)
                grown._by_name[key] = grown._by_name.get(key, set()) | {entry.id}
        return grown

    def get(self, entry_id: str, upto: int | None = None) -> Entry | None:
        """The entry with this id, if registered by ``upto`` (by any position if None)."""
        entry = self.entries.get(entry_id)
        return entry if entry is not None and (upto is None or entry.position <= upto) else None

    def visible(self, upto: int | None = None) -> list[Entry]:
        """Every entry registered by ``upto``, in id order."""
        return sorted(
            (e for e in self.entries.values() if upto is None or e.position <= upto),
            key=lambda e: e.id,
        )

    def resolve(self, given: str, parameter: str, upto: int | None = None) -> str:
        """The id ``given`` names: an id as is, else the one entry with that name/alias."""
        if self.get(given, upto) is not None:
            return given
        found = sorted(
            i for i in self._by_name.get(normalise(given), ()) if self.get(i, upto) is not None
        )
        if len(found) == 1:
            return found[0]
        if found:
            raise NameAmbiguous(parameter, given, [self.entries[i] for i in found])
        raise NameNotFound(parameter, given, self.what, self.suggest(given, upto))

    def suggest(self, given: str, upto: int | None = None) -> list[str]:
        """The closest registered names and aliases (as registered) to ``given``: the
        names sharing the most character trigrams with it are ranked by difflib's
        ratio (so a register of any size answers in milliseconds)."""
        wanted = normalise(given)
        spelled, trigrams = self._suggestion_index
        shared: Counter[str] = Counter()
        for gram in _trigrams(wanted):
            shared.update(trigrams.get(gram, ()))
        if upto is None:
            close = [name for name, _ in shared.most_common(CANDIDATES)]
        else:
            close = [n for n, _ in shared.most_common() if spelled[n][1] <= upto][:CANDIDATES]
        ranked = difflib.get_close_matches(wanted, close, n=SUGGESTIONS, cutoff=0.6)
        return [spelled[c][0] for c in ranked]

    @functools.cached_property
    def _suggestion_index(self) -> tuple[dict[str, tuple[str, int]], dict[str, set[str]]]:
        """Normalised name -> (name as first registered, earliest position), and
        trigram -> normalised names; built on the first suggestion asked of this
        register (a register is never changed: ``extended`` makes a new one)."""
        spelled: dict[str, tuple[str, int]] = {}
        for entry in sorted(self.entries.values(), key=lambda e: e.position):
            for name in entry.names:
                spelled.setdefault(normalise(name), (name, entry.position))
        trigrams: dict[str, set[str]] = defaultdict(set)
        for name in spelled:
            for gram in _trigrams(name):
                trigrams[gram].add(name)
        return spelled, trigrams

    def name_of(self, entry_id: str, upto: int | None = None) -> str | None:
        entry = self.get(entry_id, upto)
        return entry.name if entry else None


def _trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


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
