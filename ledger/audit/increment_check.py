"""The per-run projection check: the last fold's increment equals a fresh fold of it.

A from-scratch comparison (``projection_check``) costs a replay of the whole ledger, too
much for every run. This check costs what the increment costs: it folds the events of
the last fold's range (previous, cursor] afresh into a scratch schema and compares those
fact rows with the live ones, then recomputes, from the live facts, the current posture
of every (actor, place) the increment touched and compares it with the materialized
rows. The whole-ledger comparison still runs as its own job (``ledger project --check``
and the Dagster schedule).
"""

import uuid
from dataclasses import dataclass

from psycopg import sql

from ledger import split
from ledger.audit.report import VerifyReport
from ledger.audit.verify import Anchor, verify
from ledger.ports import LedgerStore
from ledger.projection import force_posture, parallel, posture_reads
from ledger.projection import schema as tables
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.fold import drop_schema
from ledger.projection.range_fold import fold_range
from ledger.projection.schema import SCHEMA
from ledger.store.connection import Conn
from ledger.store.postgres import PostgresLedger


@dataclass(frozen=True)
class IncrementCheck:
    """The outcome for one projection's last increment."""

    name: str
    start: int
    cursor: int
    rows: int
    """Fact rows of the increment compared."""
    problem: str = ""
    first_position: int | None = None

    @property
    def passed(self) -> bool:
        return not self.problem


def check_increment(ledger: LedgerStore, name: str, live: str = SCHEMA) -> IncrementCheck:
    """Compare the projection's last fold with a fresh fold of the same events."""
    definition = PROJECTIONS[name]
    with ledger.connection() as conn:
        stored = tables.cursor_of(conn, name, live) if tables.exists(conn, live) else None
    if stored is None:
        return IncrementCheck(name, 0, 0, 0)
    start, cursor = stored.previous, stored.position
    scratch = f"projection_increment_{uuid.uuid4().hex[:8]}"
    try:
        with ledger.connection() as conn:
            tables.create(conn, [definition], scratch, readable=False)
            workers = split.worker_count()
            if (
                ledger.parallel_folds
                and workers > 1
                and cursor - start >= parallel.PARALLEL_MIN_EVENTS
            ):  # after a rebuild
                added, _ = parallel.fold_facts(
                    ledger.conninfo, name, scratch, start, cursor, workers
                )
            else:
                with conn.transaction():
                    added, _ = fold_range(ledger, conn, definition, scratch, start, cursor, None)
            for table in definition.tables:
                if table.name not in added:
                    continue
                first = _first_difference(conn, table.name, start, cursor, live, scratch)
                if first is not None:
                    problem = f"its {table.name} row differs from a fresh fold of the increment"
                    return IncrementCheck(name, start, cursor, sum(added.values()), problem, first)
            problem = ""
            if definition is force_posture.PROJECTION and cursor > start:
                problem = _current_differences(conn, live, start, cursor)
        return IncrementCheck(name, start, cursor, sum(added.values()), problem)
    finally:
        drop_schema(ledger, scratch)


def _first_difference(
    conn: Conn, table: str, start: int, cursor: int, live: str, scratch: str
) -> int | None:
    """The first position in (start, cursor] whose live row is not the fresh one."""
    row = conn.execute(
        sql.SQL(
            "SELECT min(position) FROM ((SELECT * FROM {l}.{t} WHERE position > {a}"
            " AND position <= {b} EXCEPT ALL SELECT * FROM {s}.{t}) UNION ALL"
            " (SELECT * FROM {s}.{t} EXCEPT ALL SELECT * FROM {l}.{t} WHERE position > {a}"
            " AND position <= {b})) d"
        ).format(
            l=sql.Identifier(live),
            s=sql.Identifier(scratch),
            t=sql.Identifier(table),
            a=start,
            b=cursor,
        )
    ).fetchone()
    return int(row[0]) if row and row[0] is not None else None


def _current_differences(conn: Conn, live: str, start: int, cursor: int) -> str:
    """How the materialized current rows of the keys the increment touched differ from
    the rules applied afresh at the cursor ('' when they agree)."""
    keys = force_posture.touched_keys(conn, live, start, cursor)
    if not keys:
        return ""
    expected = {
        (r.actor_id, r.place_key): force_posture.current_row(r)
        for r in posture_reads.posture(conn, cursor, keys=keys, schema=live)
    }
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in force_posture.CURRENT.column_names)
    stored = {
        (r[0], r[1]): tuple(r)
        for r in conn.execute(
            sql.SQL(
                "SELECT {} FROM {}.current_posture WHERE (actor_id, place_key) IN"
                " (SELECT * FROM unnest({}::text[], {}::text[]))"
            ).format(columns, sql.Identifier(live), [k[0] for k in keys], [k[1] for k in keys])
        )
    }
    for key in sorted(expected.keys() | stored.keys()):
        if expected.get(key) != stored.get(key):
            return f"the current posture of {key[0]} at {key[1]} differs from the rules at {cursor}"
    return ""


CHAIN_CHECK = "hash_chain"
"""The name under which the per-run chain check keeps how far it has verified."""


def verify_since_last(ledger: PostgresLedger, live: str = SCHEMA) -> VerifyReport:
    """`ledger audit verify`'s event checks from the last position this check verified
    to the head, anchored on the hash it saw there (so an edit behind it is still
    caught: the anchor no longer matches). The first run verifies from position 1."""
    with ledger.connection() as conn:
        tables.create(conn, [], live)
        seen = tables.last_verified(conn, CHAIN_CHECK, live)
    start = seen[0] if seen else 1
    anchors = [Anchor(seen[0], seen[1])] if seen and seen[0] >= 1 else None
    report = verify(ledger, start=max(start, 1), anchors=anchors, projections=False)
    if report.ok and report.anchor:
        verified = Anchor.parse(report.anchor)
        with ledger.connection() as conn:
            tables.record_verified(conn, CHAIN_CHECK, verified.position, verified.hash, live)
    return report
