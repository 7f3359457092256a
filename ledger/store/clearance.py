"""Reading as a reader with a clearance, enforced by PostgreSQL itself.

A cleared transaction sets ``ledger.clearance_rank`` and ``ledger.clearance_compartments``
(read by ``ledger.sees``, migration 0009) and takes the ``ledger_reader`` role, whose
row-level security policies hide every event, marking and projection row the clearance
does not cover. The queries run under it also filter explicitly (``VISIBLE``), so a
server where the roles could not be created (no CREATEROLE) still answers correctly.
"""

from psycopg import sql

from ledger.domain.marking import Clearance
from ledger.store.connection import Conn

VISIBLE = sql.SQL(
    "EXISTS (SELECT 1 FROM ledger.markings m WHERE m.position = ledger.events.position"
    " AND ledger.sees(m.rank, m.compartments) OFFSET 0)"
)
"""The condition on ``ledger.events`` rows that the transaction's clearance sees.

``OFFSET 0`` keeps it a per-row lookup by primary key: flattened into a join, the
planner guessed that a handful of markings pass ``ledger.sees`` and began with a scan
of every marking, so a page of 100 events at 1M took 2 s instead of 0.4 ms."""


def visible_to(clearance: Clearance) -> sql.Composable:
    """The condition on ``ledger.events`` rows ``clearance`` sees (TRUE for the operator)."""
    return sql.SQL("TRUE") if clearance.is_operator else VISIBLE


def array_text(values: frozenset[str]) -> str:
    """A PostgreSQL array literal of compartment names (they hold no quotes or commas)."""
    return "{" + ",".join(sorted(values)) + "}"


def set_clearance(conn: Conn, clearance: Clearance, *, take_role: bool = True) -> None:
    """Make the rest of ``conn``'s transaction read as ``clearance`` (not the operator):
    ``ledger.sees`` answers for it and, with ``take_role``, row-level security hides the
    rest (without it the rows stay readable, for a redacted export's hashes). One round
    trip: the role is taken with ``set_config('role', ...)``, as SET LOCAL ROLE would."""
    conn.execute(
        "SELECT set_config('ledger.clearance_rank', %s, true),"
        " set_config('ledger.clearance_compartments', %s, true),"
        " CASE WHEN NOT %s THEN NULL"  # CASE tests in order: no role, no pg_has_role
        "      WHEN NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ledger_reader') THEN NULL"
        "      WHEN pg_has_role('ledger_reader', 'MEMBER')"
        "      THEN set_config('role', 'ledger_reader', true) END",
        (str(clearance.rank), array_text(clearance.compartments), take_role),
    )
