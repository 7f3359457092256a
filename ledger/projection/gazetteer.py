"""The gazetteer index the read side resolves filters with: the actors, places and
sources registered, and the documents ingested (named by their titles), indexed by
normalised name. One index serves every position up to the one it was built at (each
entry knows where it was first registered, and reads pass ``upto``), and grows by the
new registrations when reads move past it, so a filter resolves in microseconds, not a
query, at any as-of moment."""

from collections import Counter
from dataclasses import dataclass

from ledger.domain.gazetteer import Entry, Register, subordinates
from ledger.projection.schema import SCHEMA, qualified
from ledger.projection.sources import gazetteer_entries
from ledger.store.connection import Conn


@dataclass(frozen=True)
class Gazetteer:
    position: int
    actors: Register
    places: Register
    sources: Register
    documents: Register

    def roll_up(self, actor_id: str, upto: int | None = None) -> list[str]:
        """The actor with its sub-units and coalition members (posture rule 9), among
        the actors registered by ``upto``."""
        return subordinates(actor_id, self.actors.visible(upto))

    def register(self, kind: str) -> Register:
        return {
            "actor": self.actors,
            "place": self.places,
            "source": self.sources,
            "document": self.documents,
        }[kind]


def load(conn: Conn, position: int, schema: str = SCHEMA) -> Gazetteer:
    """The index of everything registered by ``position``."""
    return extend(Gazetteer(0, *(Register(what) for what in KINDS)), conn, position, schema)


KINDS = ("actor", "place", "source", "document")


def extend(found: Gazetteer, conn: Conn, position: int, schema: str = SCHEMA) -> Gazetteer:
    """``found`` grown by what was registered after its position, up to ``position``
    (a new index: readers of ``found`` are not disturbed)."""
    if position <= found.position:
        return found
    added = gazetteer_entries(conn, position, schema, since=found.position)
    grown = [
        found.register(what).extended(entries) for what, entries in zip(KINDS, added, strict=True)
    ]
    return Gazetteer(position, *grown)


def report_counts(conn: Conn, kind: str, position: int, schema: str = SCHEMA) -> Counter[str]:
    """How many reports name each actor or place, or how many claims each source speaks
    in (any hop), as known at ``position``."""
    query = {
        "actor": "SELECT actor_id, count(*) FROM {s}.reports WHERE position <= %s GROUP BY 1",
        "place": "SELECT place_key, count(*) FROM {s}.reports WHERE position <= %s GROUP BY 1",
        "source": "SELECT source_id, count(DISTINCT claim_id) FROM {s}.attributions"
        " WHERE position <= %s GROUP BY 1",
    }[kind]
    return Counter({str(k): int(n) for k, n in conn.execute(qualified(query, schema), (position,))})


def named_in_data(conn: Conn, kind: str, given: str, position: int, schema: str = SCHEMA) -> bool:
    """Whether a report (actor, place) or an attribution (source) known at ``position``
    names ``given`` as an id, registered or not: such an id filters as it is."""
    query = {
        "actor": "SELECT 1 FROM {s}.reports WHERE actor_id = %s AND position <= %s LIMIT 1",
        "place": "SELECT 1 FROM {s}.reports WHERE place_key = %s AND position <= %s LIMIT 1",
        "source": "SELECT 1 FROM {s}.attributions WHERE (source_id = %s OR via_source_id = %s)"
        " AND position <= %s LIMIT 1",
        "document": "SELECT 1 FROM {s}.claims WHERE document_id = %s AND position <= %s LIMIT 1",
    }[kind]
    args = (given, given, position) if kind == "source" else (given, position)
    return conn.execute(qualified(query, schema), args).fetchone() is not None


def entries(found: Gazetteer, kind: str, upto: int | None = None) -> list[Entry]:
    return found.register(kind).visible(upto)
