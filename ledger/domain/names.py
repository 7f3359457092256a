"""Names as people write them: matched case-insensitively after Unicode normalisation,
and the closest known names offered when one is not found ("did you mean ...")."""

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field


def normalise(name: str) -> str:
    """The form names are compared in: NFKC, case-folded, inner spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


@dataclass(frozen=True)
class Entry:
    """A registered thing as names find it: its id, its name and its aliases."""

    kind: str
    id: str
    name: str | None = None
    aliases: tuple[str, ...] = field(default=())

    def spellings(self) -> list[str]:
        """Every way the entry may be written: id, id without its prefix, name, aliases."""
        bare = self.id.split(":", 1)[1] if ":" in self.id else self.id
        names = [self.name] if self.name else []
        return [self.id, bare, *names, *self.aliases]


def closest(wanted: str, entries: Iterable[Entry], n: int = 3) -> list[tuple[Entry, str]]:
    """Up to ``n`` entries with a spelling close to ``wanted``, best first, each with the
    spelling that matched."""
    by_spelling: dict[str, tuple[Entry, str]] = {}
    for entry in entries:
        for spelling in entry.spellings():
            by_spelling.setdefault(normalise(spelling), (entry, spelling))
    key = normalise(wanted)
    bare = key.split(":", 1)[1] if ":" in key else key
    found: list[tuple[Entry, str]] = []
    for candidate in (key, bare):
        if candidate in by_spelling and by_spelling[candidate] not in found:
            found.append(by_spelling[candidate])
    for match in difflib.get_close_matches(key, list(by_spelling), n=n * 2, cutoff=0.6):
        hit = by_spelling[match]
        if all(hit[0].id != f[0].id for f in found):
            found.append(hit)
    return found[:n]


def did_you_mean(wanted: str, entries: Iterable[Entry]) -> str:
    """``; did you mean actor:hezbollah (alias Hizballah)?``, or "" when nothing is close."""
    found = closest(wanted, entries)
    if not found:
        return ""
    shown = [
        entry.id if spelling in entry.spellings()[:2] else f"{entry.id} ({spelling!r})"
        for entry, spelling in found
    ]
    return f"; did you mean {' or '.join(shown)}?"
