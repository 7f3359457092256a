"""Folding the ledger into the projection tables: incrementally, or from scratch.

Each projection has a cursor, the last ledger position it has folded, and the fingerprint
of the definition that folded it; a fold reads only the events after the cursor and writes
the new rows and the new cursor in one transaction, so a fold interrupted at any point
leaves the projection as it was. A projection whose stored fingerprint differs from its
definition (a column or rule changed) is dropped and folded again from the start, in the
same transaction. A projection folds no further than the projections it reads from.
"""

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from psycopg import sql

from ledger import split
from ledger.domain.marking import OPERATOR, Clearance
from ledger.ports import LedgerStore
from ledger.projection import parallel
from ledger.projection import schema as tables
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.definition import WHOLE, Projection
from ledger.projection.range_fold import fold_range
from ledger.projection.schema import SCHEMA
from ledger.store.connection import Conn


@dataclass
class FoldResult:
    name: str
    start: int
    cursor: int
    folded: int
    rows: dict[str, int] = field(default_factory=dict)
    digest: str = ""
    rebuilt: bool = False
    """True when a changed definition made this fold start again from position 0."""


def _lock(conn: Conn, schema: str, name: str) -> None:
    conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{schema}.{name}",))


def fold(
    ledger: LedgerStore,
    projection: str | Projection,
    *,
    upto: int | None = None,
    schema: str = SCHEMA,
    with_digest: bool = True,
    progress: Callable[[int], None] | None = None,
    clearance: Clearance = OPERATOR,
) -> FoldResult:
    """Fold the events after the projection's cursor (up to ``upto``, default the head):
    those ``clearance`` sees, into its schema (``clearances.schema_for``).

    The digest reads every row of the projection, so it costs time in proportion to its
    size; ``with_digest=False`` skips it where only the fold matters. ``progress`` is
    told the ledger position reached every ``PROGRESS_EVERY`` events read.
    """
    definition = PROJECTIONS[projection] if isinstance(projection, str) else projection
    with ledger.connection() as conn:
        # every projection's tables exist from the first fold on: reads (and checks) that
        # join across projections find empty tables rather than missing ones
        others = [p for p in PROJECTIONS.values() if p.name != definition.name]
        tables.create(conn, [*others, definition], schema, clearance)
        with conn.transaction():
            _lock(conn, schema, definition.name)
            stored = tables.cursor_of(conn, definition.name, schema)
            rebuilt = stored is not None and stored.version != definition.fingerprint
            if rebuilt:
                tables.drop_tables(conn, definition, schema)
                tables.create(conn, [definition], schema, clearance)
            start = stored.position if stored is not None and not rebuilt else 0
            target = ledger.head().position if upto is None else upto
            for upstream in definition.upstream:
                target = min(target, tables.cursor(conn, upstream, schema))
            target = max(target, start)
            workers = split.worker_count()
            after_fold = definition.after_fold if target > start else None
            if (
                stored is None
                and clearance.is_operator
                and ledger.parallel_folds
                and schema != SCHEMA
                and PROJECTIONS.get(definition.name) is definition
                and workers > 1
                and target - start >= parallel.PARALLEL_MIN_EVENTS
            ):  # a fresh schema no one reads yet: fact rows and after-fold in parallel
                added, folded = parallel.fold_facts(
                    ledger.conninfo,
                    definition.name,
                    schema,
                    start,
                    target,
                    workers,
                    after_fold=after_fold is not None,
                )
                if progress is not None:
                    progress(target)
                after_fold = None
            else:
                added, folded = fold_range(
                    ledger, conn, definition, schema, start, target, progress, clearance
                )
            if after_fold is not None:
                after_fold(conn, schema, start, target, WHOLE)
            tables.write_cursor(conn, definition, target, schema, start)
        result = FoldResult(definition.name, start, target, folded, added, rebuilt=rebuilt)
        if with_digest:
            result.digest = digest(conn, definition, schema)
    return result


def digest(conn: Conn, projection: str | Projection, schema: str = SCHEMA) -> str:
    """SHA-256 over the projection's rows in a fixed order: same events, same digest."""
    definition = PROJECTIONS[projection] if isinstance(projection, str) else projection
    total = hashlib.sha256()
    with conn.transaction():
        conn.execute("SET LOCAL TimeZone = 'UTC'")
        for table in definition.tables:
            row = conn.execute(
                sql.SQL(
                    "SELECT encode(sha256(convert_to(coalesce(string_agg(t::text, E'\\n'"
                    " ORDER BY {}), ''), 'UTF8')), 'hex') FROM {}.{} t"
                ).format(sql.SQL(table.order), sql.Identifier(schema), sql.Identifier(table.name))
            ).fetchone()
            total.update(f"{table.name}:{row[0] if row else ''}\n".encode())
    return total.hexdigest()


def shadow_schema(label: str) -> str:
    """The shadow schema a rebuild labelled ``label`` (e.g. a run id) folds into."""
    return f"projection_shadow_{''.join(c for c in label if c.isalnum())[:12].lower()}"


def swap_in(ledger: LedgerStore, shadow: str) -> None:
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


def drop_schema(ledger: LedgerStore, schema: str) -> None:
    with ledger.connection() as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def fold_all(
    ledger: LedgerStore, upto: int, schema: str, *, with_digest: bool = True
) -> list[FoldResult]:
    """Fold every projection, in order, into ``schema`` up to ``upto``."""
    return [
        fold(ledger, name, upto=upto, schema=schema, with_digest=with_digest)
        for name in PROJECTIONS
    ]


def rebuild(ledger: LedgerStore, *, upto: int | None = None) -> list[FoldResult]:
    """Fold everything into a shadow schema, then swap it in atomically.

    Queries keep reading the old tables until the swap, which is one short transaction.
    """
    shadow = shadow_schema(uuid.uuid4().hex)
    target = ledger.head().position if upto is None else upto
    try:
        results = fold_all(ledger, target, shadow)
        swap_in(ledger, shadow)
    except BaseException:
        drop_schema(ledger, shadow)
        raise
    return results


def scratch_digests(ledger: LedgerStore, upto: int) -> dict[str, str]:
    """Digests of a from-scratch fold up to ``upto`` in a throwaway schema."""
    scratch = f"projection_check_{uuid.uuid4().hex[:8]}"
    try:
        return {r.name: r.digest for r in fold_all(ledger, upto, scratch)}
    finally:
        drop_schema(ledger, scratch)
