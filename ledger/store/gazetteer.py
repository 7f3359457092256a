"""What the ledger has registered: which of some ids exist, and every registered actor,
place, source, document or claim with its names (for "did you mean" and name lookup).

A registration is streamed as ``<prefix>:<id>`` (``actor:``, ``place:``, ``source:``,
``doc:``, ``claim:``) unless its producer chose another stream, so ``registered`` asks
the stream index first and scans the registrations of a kind only for the ids that
lookup missed (at most once per kind, and only when a batch names such an id).
"""

from collections.abc import Iterable, Iterator
from typing import Any

from psycopg import sql

from ledger.domain.marking import OPERATOR, Clearance
from ledger.domain.names import Entry
from ledger.domain.references import REGISTERED_BY, Kind
from ledger.ports import LedgerStore
from ledger.store.clearance import visible_to

_KEY: dict[Kind, str] = {kind: model._stream_key for kind, model in REGISTERED_BY.items()}
_KIND_OF_TYPE: dict[str, Kind] = {model.event_type(): kind for kind, model in REGISTERED_BY.items()}


def _stream(kind: Kind, id: str) -> str:
    stream = REGISTERED_BY[kind].default_stream({_KEY[kind]: id})
    assert stream is not None
    return stream


def _entry(kind: Kind, record: dict[str, Any]) -> Entry:
    name = record.get("name") or record.get("title")
    return Entry(kind.value, str(record[_KEY[kind]]), name, tuple(record.get("aliases") or ()))


def entries(
    ledger: LedgerStore, kinds: Iterable[Kind], clearance: Clearance = OPERATOR
) -> Iterator[Entry]:
    """Every registration of these kinds that ``clearance`` sees, oldest first (a full
    scan of their events)."""
    types = [REGISTERED_BY[kind].event_type() for kind in set(kinds)]
    if not types:
        return
    for _, event_type, record in ledger.read_records(types=types, clearance=clearance):
        yield _entry(_KIND_OF_TYPE[event_type], record)


def registered(
    ledger: LedgerStore, wanted: Iterable[tuple[Kind, str]], clearance: Clearance = OPERATOR
) -> set[tuple[Kind, str]]:
    """Those of ``wanted`` the ledger has registered in events ``clearance`` sees (a
    producer learns nothing of what it may not read)."""
    wanted = set(wanted)
    if not wanted:
        return set()
    streams = sorted({_stream(kind, id) for kind, id in wanted})
    types = sorted({REGISTERED_BY[kind].event_type() for kind, _ in wanted})
    found: set[tuple[Kind, str]] = set()
    visible = visible_to(clearance)
    with ledger.cleared(clearance) as conn:
        rows = conn.execute(
            sql.SQL(
                "SELECT event_type, payload FROM ledger.events"
                " WHERE stream_id = ANY(%s) AND event_type = ANY(%s) AND {}"
            ).format(visible),
            (streams, types),
        ).fetchall()
    for event_type, payload in rows:
        kind = _KIND_OF_TYPE[event_type]
        _, record = ledger.codec.decode_record(bytes(payload))
        found.add((kind, str(record[_KEY[kind]])))
    missed = {kind for kind, id in wanted - found}
    if missed:  # registered under a stream of the producer's choosing, or not at all
        found |= {(Kind(e.kind), e.id) for e in entries(ledger, missed, clearance)} & wanted
    return found & wanted
