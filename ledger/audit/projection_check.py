"""Each live projection equals a fresh replay of the ledger up to its cursor.

The digests are compared first; when they differ, the fact rows are compared to name the
first ledger position whose row differs (or the current-posture key, when only the
derived rows differ), so a failure points at where to look.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from psycopg import sql

from ledger.audit.replay import answer_differences, fold_into
from ledger.ports import LedgerStore
from ledger.projection import force_posture
from ledger.projection import schema as tables
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.fold import digest, drop_schema
from ledger.projection.schema import SCHEMA
from ledger.store.connection import Conn


@dataclass(frozen=True)
class ProjectionComparison:
    """One projection's live digest against a fresh fold to the same cursor."""

    name: str
    cursor: int
    live_digest: str
    fresh_digest: str
    first_position: int | None = None
    """The first ledger position whose fact row differs, if one does."""
    detail: str = ""
    answer_differences: tuple[str, ...] = ()
    """Where the read service's answers from the live and the fresh projections differ."""

    @property
    def equal(self) -> bool:
        return self.live_digest == self.fresh_digest and not self.answer_differences


def compare_with_fresh_fold(
    ledger: LedgerStore,
    names: list[str] | None = None,
    live: str = SCHEMA,
    readable: Callable[[], LedgerStore] | None = None,
) -> list[ProjectionComparison]:
    """Compare each named projection (default all) with a from-scratch fold to its cursor.

    Returns nothing when no projection has been built yet. One scratch fold serves every
    projection whose cursor is the same (the usual case). ``readable`` gives the ledger
    the fresh fold reads (default ``ledger`` itself), e.g. one that skips damaged events.
    """
    names = list(PROJECTIONS) if names is None else names
    with ledger.connection() as conn:
        if not tables.exists(conn, live):
            return []
        cursors = {name: tables.cursor(conn, name, live) for name in names}
        live_digests = {name: digest(conn, name, live) for name in names}
    results = []
    for cursor in sorted(set(cursors.values())):
        scratch = f"projection_check_{uuid.uuid4().hex[:8]}"
        try:
            wanted = [n for n in names if cursors[n] == cursor]
            fresh = fold_into(readable() if readable else ledger, cursor, scratch)
            answers: tuple[str, ...] = ()
            # the answers read through the read service (not when the replay leaves out
            # damaged events: then they differ by design, and the facts say where)
            if "force_posture" in wanted and readable is None:
                found = answer_differences(ledger, cursor, scratch, live)
                answers = tuple(str(d) for d in found)
            with ledger.connection() as conn:
                for name in wanted:
                    result = ProjectionComparison(
                        name,
                        cursor,
                        live_digests[name],
                        fresh[name],
                        answer_differences=answers if name == "force_posture" else (),
                    )
                    if not result.equal:
                        result = _locate(conn, result, live, scratch)
                    results.append(result)
        finally:
            drop_schema(ledger, scratch)
    return sorted(results, key=lambda r: list(PROJECTIONS).index(r.name))


def _locate(
    conn: Conn, result: ProjectionComparison, live: str, scratch: str
) -> ProjectionComparison:
    first: int | None = None
    detail = ""
    for table in (t.name for t in PROJECTIONS[result.name].tables):
        if table in force_posture.DERIVED:
            continue
        row = conn.execute(
            sql.SQL(
                "SELECT min(position) FROM ((SELECT * FROM {l}.{t} EXCEPT ALL"
                " SELECT * FROM {s}.{t}) UNION ALL (SELECT * FROM {s}.{t} EXCEPT ALL"
                " SELECT * FROM {l}.{t})) d"
            ).format(l=sql.Identifier(live), s=sql.Identifier(scratch), t=sql.Identifier(table))
        ).fetchone()
        if row and row[0] is not None and (first is None or row[0] < first):
            first, detail = int(row[0]), f"its {table} row differs from the fresh fold"
    if first is None:
        key = conn.execute(
            sql.SQL(
                "SELECT actor_id, place_key FROM ((SELECT * FROM {l}.current_posture EXCEPT ALL"
                " SELECT * FROM {s}.current_posture) UNION ALL (SELECT * FROM"
                " {s}.current_posture EXCEPT ALL SELECT * FROM {l}.current_posture)) d"
                " ORDER BY 1, 2 LIMIT 1"
            ).format(l=sql.Identifier(live), s=sql.Identifier(scratch))
        ).fetchone()
        detail = (
            f"the current posture of {key[0]} at {key[1]} differs from the fresh fold"
            if key
            else "the rows differ from the fresh fold"
        )
    if first is None and result.answer_differences:
        detail = result.answer_differences[0]
    return ProjectionComparison(
        result.name,
        result.cursor,
        result.live_digest,
        result.fresh_digest,
        first,
        detail,
        result.answer_differences,
    )
