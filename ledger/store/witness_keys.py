"""The witness key register as the store reads it: folded from the ledger's witness key
events (each read as the operator: they are UNCLASSIFIED by rule)."""

from collections.abc import Sequence

from ledger.codec.single_object import AvroCodec
from ledger.domain.events import Event
from ledger.log.witness_keys import WITNESS_KEY_EVENT_TYPES, WitnessKeys, refusals
from ledger.ports import LedgerStore
from ledger.store.connection import Conn


def witness_keys(conn: Conn, codec: AvroCodec) -> WitnessKeys:
    """The register as the ledger holds it now (a few events: read whole each time)."""
    keys = WitnessKeys()
    rows = conn.execute(
        "SELECT position, payload FROM ledger.events WHERE event_type = ANY(%s) ORDER BY position",
        (list(WITNESS_KEY_EVENT_TYPES),),
    ).fetchall()
    for position, payload in rows:
        keys.apply(int(position), codec.decode(bytes(payload)))
    return keys


def witness_key_refusals(ledger: LedgerStore, events: Sequence[Event]) -> list[tuple[int, str]]:
    """(index, reason) of each witness key event of a batch the register, as the ledger
    holds it now, refuses (a revoked key registered again, a revocation of a key the
    witness lacks)."""
    if not any(e.event_type() in WITNESS_KEY_EVENT_TYPES for e in events):
        return []
    with ledger.connection() as conn:
        return refusals(witness_keys(conn, ledger.codec), events)
