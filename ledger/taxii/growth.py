"""A collection grown to a later position from the one before it, reading only the
events since and the earlier events of the objects they are about, instead of the
whole ledger again.

The events up to the earlier position are immutable, so its versions stay as they are
(a collection only grows, ``ledger.taxii.collection``); an object an event since is
about is given its lineage again, from all its visible events, with the export's rules
(``ledger.stix.versions``: the same ``Lineage``; of versions of one record time, the
last), and its versions made since are added, with the marking definitions they need
first, continuing the ``date_added`` rule. Where the earlier versions would not stay
(a version since shares its record time with one before, which the export would
drop), it gives up and the ledger is read whole.
"""

from collections.abc import Iterable, Iterator
from typing import Any

from ledger.domain.marking import Clearance
from ledger.ports import LedgerStore
from ledger.stix.catalog import BY_NAME, EXPORTED, KIND_OF_EVENT
from ledger.stix.context import Context
from ledger.stix.facts import Fact
from ledger.stix.ids import EXTENSION
from ledger.stix.markings import refs_and_definitions
from ledger.stix.statics import statics
from ledger.stix.versions import Lineage, Version
from ledger.taxii.cache import Collections
from ledger.taxii.collection import Collection, Index, _Read, entries, placed, read

Key = tuple[str, str]

MOST_NEW = 50_000
"""Most events since the earlier position a growth takes on (past it, read whole)."""


def _facts(ledger: LedgerStore, rows: Iterable[dict[str, Any]]) -> Iterator[tuple[Key, Fact]]:
    codec = ledger.codec
    for row in rows:
        record = codec.fold_record(bytes(row["payload"]))
        fact = Fact.of(row["position"], row["recorded_at"], row["event_type"], record)
        kind = KIND_OF_EVENT[fact.event_type]
        yield (kind.name, str(record[kind.key])), fact


def _versions(key: Key, facts: list[Fact], context: Context) -> list[Version]:
    """The versions of one object the export of every version gives, from its facts."""
    lineage = Lineage(BY_NAME[key[0]])
    made = [v for f in facts if (v := lineage.add(f, context)) is not None]
    return [
        v
        for at, v in enumerate(made)
        if at + 1 == len(made) or made[at + 1].object["modified"] != v.object["modified"]
    ]


def _settled(version: Version) -> int:
    position: int = version.object["extensions"][EXTENSION]["rests_on"][-1]["position"]
    return position


def _touched(
    old: Collection, ledger: LedgerStore, clearance: Clearance, position: int, index: Index
) -> dict[Key, list[Fact]]:
    """Every visible fact, up to ``position``, of each object an event since ``old`` is
    about (in position order); ``index`` takes in the events since."""
    keys, positions = index
    rows = ledger.read_rows(after=old.position, until=position, types=EXPORTED, clearance=clearance)
    new: dict[Key, list[Fact]] = {}
    for key, fact in _facts(ledger, rows):
        new.setdefault(key, []).append(fact)
    touched = {hash(key) for key in new}
    earlier = [p for k, p in zip(keys, positions, strict=True) if k in touched]
    for key, facts in new.items():
        keys.extend([hash(key)] * len(facts))
        positions.extend(fact.position for fact in facts)
    found: dict[Key, list[Fact]] = {key: [] for key in new}
    for key, fact in _facts(ledger, ledger.read_rows_at(earlier, clearance) if earlier else ()):
        if key in found:  # not another object of the same hash
            found[key].append(fact)
    for key, facts in new.items():
        found[key].extend(facts)
    return found


def grow(
    old: Collection, ledger: LedgerStore, clearance: Clearance, position: int, context: Context
) -> Collection | None:
    """``old`` (read for ``clearance``) grown to ``position``, or None when it cannot be
    (its index was taken, too much is new, or a rule above). A collection that holds
    nothing grows too (the static objects then lead the first version), so a clearance
    that sees nothing yet is not read whole at every new head."""
    if position - old.position > MOST_NEW:
        return None
    index = old.take_index()
    if index is None:
        return None
    made: list[Version] = []
    for key, facts in _touched(old, ledger, clearance, position, index).items():
        versions = _versions(key, facts, context)
        since = [v for v in versions if _settled(v) > old.position]
        kept = len(versions) - len(since)
        if since and kept and versions[kept - 1].object["modified"] == since[0].object["modified"]:
            return None
        made.extend(since)
    reads = [_Read.of(_settled(v), v.object) for v in made]
    definitions: dict[str, _Read] = {}
    for version in made:
        for id, definition in refs_and_definitions(context, version.marking):
            if id not in old.by_id and id not in definitions:
                definitions[id] = _Read.of(_settled(version), definition())
    leading = [] if old.entries else [_Read.of(0, obj) for obj in statics(context)]
    added = entries(placed(reads, leading, definitions), old.last_added, old.by_id)
    return old.grown(added, position, index)


def current(
    kept: Collections, ledger: LedgerStore, clearance: Clearance, position: int, context: Context
) -> Collection:
    """The collection of ``clearance`` at ``position``: kept, grown from the latest kept
    one, or read whole (what a TAXII page and ``GET /stream?format=stix`` both read)."""
    return kept.get(
        clearance,
        position,
        lambda: read(ledger, clearance, position, context),
        lambda old: grow(old, ledger, clearance, position, context),
    )
