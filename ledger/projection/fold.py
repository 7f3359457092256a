"""Folding the ledger into the projection tables: incrementally, or from scratch.

Each projection has a cursor, the last ledger position it has folded; a fold reads only
the events after it and writes the new rows and the new cursor in one transaction, so a
fold interrupted at any point leaves the projection as it was. ``force_posture`` folds
no further than the two projections it reads from.
"""

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from ledger.projection import queries, tables
from ledger.projection.facts import COLUMNS, fact_row
from ledger.projection.tables import SCHEMA, qualified
from ledger.store.postgres import PostgresLedger

Conn = psycopg.Connection[Any]


@dataclass(frozen=True)
class Projection:
    name: str
    event_types: tuple[str, ...]
    tables: tuple[str, ...]
    upstream: tuple[str, ...] = ()


PROJECTIONS: dict[str, Projection] = {
    p.name: p
    for p in (
        Projection(
            "sources",
            (
                "SourceRegistered",
                "SourceReliabilityAssessed",
                "ActorRegistered",
                "PlaceRegistered",
                "DocumentIngested",
            ),
            ("sources", "reliability", "actors", "places", "documents"),
        ),
        Projection(
            "claim_history",
            ("ClaimAsserted", "AttributionMade", "ClaimAssessed", "ClaimRetracted"),
            ("claims", "attributions", "assessments", "retractions"),
        ),
        Projection(
            "force_posture",
            ("DeploymentReported",),
            ("reports", "current_posture"),
            upstream=("sources", "claim_history"),
        ),
    )
}
"""The projections in the order a full fold must run them."""

_ORDER = {"current_posture": "actor_id, place_key"}

FLUSH_ROWS = 20_000
"""Fact rows buffered per table before they are copied into PostgreSQL."""

PROGRESS_EVERY = 10_000
"""Events read between two calls of a fold's ``progress`` callback."""


@dataclass
class FoldResult:
    name: str
    start: int
    cursor: int
    folded: int
    rows: dict[str, int] = field(default_factory=dict)
    digest: str = ""


def _lock(conn: Conn, schema: str, name: str) -> None:
    conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{schema}.{name}",))


def fold(
    ledger: PostgresLedger,
    name: str,
    *,
    upto: int | None = None,
    schema: str = SCHEMA,
    with_digest: bool = True,
    progress: Callable[[int], None] | None = None,
) -> FoldResult:
    """Fold the events after the projection's cursor (up to ``upto``, default the head).

    The digest reads every row of the projection, so it costs time in proportion to its
    size; ``with_digest=False`` skips it where only the fold matters. ``progress`` is
    told the ledger position reached every ``PROGRESS_EVERY`` events read.
    """
    projection = PROJECTIONS[name]
    with ledger.connection() as conn:
        tables.create(conn, schema)
        with conn.transaction():
            _lock(conn, schema, name)
            start = queries.cursor(conn, name, schema)
            target = ledger.head().position if upto is None else upto
            for upstream in projection.upstream:
                target = min(target, queries.cursor(conn, upstream, schema))
            target = max(target, start)
            rows: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
            added: dict[str, int] = defaultdict(int)
            folded = 0
            if target > start:
                read = 0
                for position, event_type, record in ledger.read_records(
                    after=start, until=target, types=list(projection.event_types)
                ):
                    read += 1
                    if progress is not None and read % PROGRESS_EVERY == 0:
                        progress(position)
                    found = fact_row(position, event_type, record)
                    if found is None:
                        continue
                    table, row = found
                    rows[table].append(row)
                    folded += 1
                    if len(rows[table]) >= FLUSH_ROWS:  # keep memory flat on big folds
                        added[table] += _copy(conn, schema, table, rows.pop(table))
                for table, table_rows in rows.items():
                    added[table] += _copy(conn, schema, table, table_rows)
                if name == "force_posture":
                    _refresh_current(conn, schema, start, target)
            conn.execute(
                qualified(
                    "INSERT INTO {s}.cursors (name, position, updated_at)"
                    " VALUES (%s, %s, clock_timestamp()) ON CONFLICT (name) DO UPDATE"
                    " SET position = EXCLUDED.position, updated_at = EXCLUDED.updated_at",
                    schema,
                ),
                (name, target),
            )
        result = FoldResult(name, start, target, folded, dict(added))
        if with_digest:
            result.digest = digest(conn, name, schema)
    return result


def _copy(conn: Conn, schema: str, table: str, rows: list[tuple[Any, ...]]) -> int:
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in COLUMNS[table])
    statement = sql.SQL("COPY {}.{} ({}) FROM STDIN").format(
        sql.Identifier(schema), sql.Identifier(table), columns
    )
    with conn.cursor().copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
    return len(rows)


def _refresh_current(conn: Conn, schema: str, start: int, target: int) -> None:
    """Recompute the current rows of every (actor, place) the new facts can change."""
    if start == 0:
        # from scratch every key is new: stream them from PostgreSQL in key order rather
        # than gather them here, so memory stays flat however many pairs there are
        with conn.cursor(name="current_posture_keys") as every:
            every.execute(
                qualified(
                    "SELECT DISTINCT actor_id, place_key FROM {s}.reports WHERE position <= %s"
                    " ORDER BY actor_id, place_key",
                    schema,
                ),
                (target,),
            )
            while chunk := every.fetchmany(5000):
                _rewrite_current(conn, schema, target, [(str(a), str(p)) for a, p in chunk])
        return

    def column(query: str, *args: Any) -> list[Any]:
        return [row[0] for row in conn.execute(qualified(query, schema), args)]

    # Driven from the few new facts, each step an index lookup, so the cost follows the
    # size of the increment rather than the size of the tables.
    touched_claims = set(
        column(
            "SELECT claim_id FROM {s}.retractions WHERE position > %s AND position <= %s",
            start,
            target,
        )
    )
    touched_claims |= set(
        column(
            "SELECT claim_id FROM {s}.attributions WHERE position > %s AND position <= %s",
            start,
            target,
        )
    )
    regraded = column(
        "SELECT DISTINCT source_id FROM {s}.reliability WHERE position > %s AND position <= %s",
        start,
        target,
    )
    if regraded:
        touched_claims |= set(
            column(
                "SELECT DISTINCT claim_id FROM {s}.attributions"
                " WHERE source_id = ANY(%s) AND position <= %s",
                regraded,
                target,
            )
        )
    dirty = conn.execute(
        qualified(
            "SELECT actor_id, place_key FROM {s}.reports WHERE position > %s AND position <= %s"
            " UNION SELECT actor_id, place_key FROM {s}.reports"
            " WHERE claim_id = ANY(%s) AND position <= %s",
            schema,
        ),
        (start, target, sorted(touched_claims), target),
    ).fetchall()
    keys = sorted((str(a), str(p)) for a, p in dirty)
    for begin in range(0, len(keys), 5000):
        _rewrite_current(conn, schema, target, keys[begin : begin + 5000])


def _rewrite_current(conn: Conn, schema: str, target: int, chunk: list[tuple[str, str]]) -> None:
    """Replace the current posture rows of ``chunk`` by their posture at ``target``."""
    conn.execute(
        qualified(
            "DELETE FROM {s}.current_posture WHERE (actor_id, place_key) IN"
            " (SELECT * FROM unnest(%s::text[], %s::text[]))",
            schema,
        ),
        ([k[0] for k in chunk], [k[1] for k in chunk]),
    )
    rows = queries.posture(conn, target, keys=chunk, schema=schema)
    with conn.cursor().copy(
        qualified(
            "COPY {s}.current_posture (actor_id, place_key, place_name, status, activity,"
            " low, best, high, strength_text, valid_from, valid_to, grade, report_position,"
            " supporting, contradicting, positions) FROM STDIN",
            schema,
        )
    ) as copy:
        for row in rows:
            w = row.winner
            copy.write_row(
                (
                    row.actor_id,
                    row.place_key,
                    row.place_name,
                    row.status.value,
                    w.activity.value,
                    w.low,
                    w.best,
                    w.high,
                    w.strength_text,
                    w.valid_from,
                    w.valid_to,
                    w.grade,
                    w.position,
                    list(row.supporting),
                    list(row.contradicting),
                    list(row.positions),
                )
            )


def digest(conn: Conn, name: str, schema: str = SCHEMA) -> str:
    """SHA-256 over the projection's rows in a fixed order: same events, same digest."""
    total = hashlib.sha256()
    with conn.transaction():
        conn.execute("SET LOCAL TimeZone = 'UTC'")
        for table in PROJECTIONS[name].tables:
            order = _ORDER.get(table, "position")
            row = conn.execute(
                sql.SQL(
                    "SELECT encode(sha256(convert_to(coalesce(string_agg(t::text, E'\\n'"
                    " ORDER BY {}), ''), 'UTF8')), 'hex') FROM {}.{} t"
                ).format(sql.SQL(order), sql.Identifier(schema), sql.Identifier(table))
            ).fetchone()
            total.update(f"{table}:{row[0] if row else ''}\n".encode())
    return total.hexdigest()


def shadow_schema(label: str) -> str:
    """The shadow schema a rebuild labelled ``label`` (e.g. a run id) folds into."""
    return f"projection_shadow_{''.join(c for c in label if c.isalnum())[:12].lower()}"


def swap_in(ledger: PostgresLedger, shadow: str) -> None:
    """Replace the live projection schema by ``shadow`` in one short transaction."""
    with ledger.connection() as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('projection.swap'))")
        conn.execute("DROP SCHEMA IF EXISTS projection_retired CASCADE")
        if tables.exists(conn, SCHEMA):
            conn.execute(
                sql.SQL("ALTER SCHEMA {} RENAME TO projection_retired").format(
                    sql.Identifier(SCHEMA)
                )
            )
        conn.execute(
            sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                sql.Identifier(shadow), sql.Identifier(SCHEMA)
            )
        )
        conn.execute("DROP SCHEMA IF EXISTS projection_retired CASCADE")


def drop_schema(ledger: PostgresLedger, schema: str) -> None:
    with ledger.connection() as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def rebuild(ledger: PostgresLedger, *, upto: int | None = None) -> list[FoldResult]:
    """Fold everything into a shadow schema, then swap it in atomically.

    Queries keep reading the old tables until the swap, which is one short transaction.
    """
    shadow = shadow_schema(uuid.uuid4().hex)
    target = ledger.head().position if upto is None else upto
    try:
        results = [fold(ledger, name, upto=target, schema=shadow) for name in PROJECTIONS]
        swap_in(ledger, shadow)
    except BaseException:
        drop_schema(ledger, shadow)
        raise
    return results


def scratch_digests(ledger: PostgresLedger, upto: int) -> dict[str, str]:
    """Digests of a from-scratch fold up to ``upto`` in a throwaway schema."""
    scratch = f"projection_check_{uuid.uuid4().hex[:8]}"
    try:
        return {name: fold(ledger, name, upto=upto, schema=scratch).digest for name in PROJECTIONS}
    finally:
        with ledger.connection() as conn:
            conn.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(scratch))
            )
