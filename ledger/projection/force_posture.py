"""The ``force_posture`` projection, its writing: the tables (every deployment report,
and the latest posture per (actor, place) kept ready), the handler that folds a report,
and the after-fold step that rewrites the kept rows of the pairs new facts can change.
Its reading, the rules applied at a position, is ``posture_reads``.

The materialized rows hold each pair's *latest picture* (the rules at a world time after
every start and end of its reports), which needs no wall clock, so a fold is a function
of the ledger alone. A pair also keeps ``settled_from``, its last start or end: asked
about now, a pair settled by now answers from the kept row, and the few pairs with a
boundary still ahead (a future end or start) are worked out at read time."""

from typing import Any

from ledger.domain.posture import (
    PostureRow,
    settled_from,
)
from ledger.projection.definition import WHOLE, Handler, Part, Projection, Table
from ledger.projection.posture_reads import known_reports
from ledger.projection.schema import qualified
from ledger.store.connection import Conn

REPORTS = Table(
    "reports",
    (
        "position bigint NOT NULL",
        "report_id text NOT NULL",
        "actor_id text NOT NULL",
        "place_key text NOT NULL",
        "place_name text NOT NULL",
        "activity text NOT NULL",
        "valid_from timestamptz NOT NULL",
        "valid_to timestamptz",
        "credibility text NOT NULL",
        "low bigint",
        "best bigint",
        "high bigint",
        "strength_text text",
        "claim_id text",
        "qualifier text NOT NULL",
    ),
    indexes=(("actor_id", "place_key"), ("claim_id",)),
)

CURRENT = Table(
    "current_posture",
    (
        "actor_id text NOT NULL",
        "place_key text NOT NULL",
        "place_name text NOT NULL",
        "status text NOT NULL",
        "activity text NOT NULL",
        "low bigint",
        "best bigint",
        "high bigint",
        "strength_text text",
        "valid_from timestamptz NOT NULL",
        "valid_to timestamptz",
        "grade text NOT NULL",
        "report_position bigint NOT NULL",
        "supporting bigint[] NOT NULL",
        "contradicting bigint[] NOT NULL",
        "positions bigint[] NOT NULL",
        "effective_to timestamptz",
        "settled_from timestamptz NOT NULL",
        "claim_id text",
    ),
    primary_key=("actor_id", "place_key"),
    order="actor_id, place_key",
)

SETTLES = Table(
    "posture_settles",
    (
        "actor_id text NOT NULL",
        "place_key text NOT NULL",
        "settled_from timestamptz NOT NULL",
    ),
    primary_key=("actor_id", "place_key"),
    indexes=(("settled_from",),),
    order="actor_id, place_key",
)
"""Every pair's last start or end: from then on its answer is the latest picture."""

DERIVED = (CURRENT.name, SETTLES.name)
"""The tables kept per (actor, place) rather than per ledger position."""

REFRESH_CHUNK = 5000
"""(actor, place) keys recomputed per statement when the current posture is refreshed."""


def place_key(place: dict[str, Any]) -> str:
    """The gazetteer id when the report resolved its place, else the name as written."""
    place_id, name = place.get("place_id"), str(place["name"])
    return place_id if place_id else f"name:{name.strip().lower()}"


def _report(position: int, r: dict[str, Any]) -> tuple[Any, ...]:
    s, span = r["strength"], r["valid_time"]
    return (
        position,
        r["report_id"],
        r["actor_id"],
        place_key(r["place"]),
        r["place"]["name"],
        r["activity"],
        span["start"],
        span["end"],
        r["credibility"],
        s["low"] if s else None,
        s["best"] if s else None,
        s["high"] if s else None,
        s["text"] if s else None,
        r["claim_id"],
        s["qualifier"] if s else "UNKNOWN",
    )


def refresh_current(conn: Conn, schema: str, start: int, target: int, part: Part = WHOLE) -> None:
    """Recompute the current rows of every (actor, place) the new facts can change; of
    ``part = (i, n)``, only the pairs whose actor hashes to share ``i`` of ``n``."""
    share, shares = part
    if start == 0:
        # from scratch every key is new: stream them from PostgreSQL in key order rather
        # than gather them here, so memory stays flat however many pairs there are
        with conn.cursor(name="current_posture_keys") as every:
            every.execute(
                qualified(
                    "SELECT DISTINCT actor_id, place_key FROM {s}.reports WHERE position <= %s"
                    " AND mod(hashtext(actor_id) & 2147483647, %s) = %s"
                    " ORDER BY actor_id, place_key",
                    schema,
                ),
                (target, shares, share),
            )
            while chunk := every.fetchmany(REFRESH_CHUNK):
                keys = [(str(a), str(p)) for a, p in chunk]
                _rewrite_current(conn, schema, target, keys, fresh=True)
        return
    keys = touched_keys(conn, schema, start, target)[share::shares]
    for begin in range(0, len(keys), REFRESH_CHUNK):
        _rewrite_current(conn, schema, target, keys[begin : begin + REFRESH_CHUNK])


def touched_keys(conn: Conn, schema: str, start: int, target: int) -> list[tuple[str, str]]:
    """The keys whose reports, claims (retracted, re-attributed or assessed) or sources
    (re-graded) changed in (start, target]: each step an index lookup, so the cost follows the size
    of the increment rather than the size of the tables."""

    def column(query: str, *args: Any) -> list[Any]:
        return [row[0] for row in conn.execute(qualified(query, schema), args)]

    window = "WHERE position > %s AND position <= %s"
    touched = set(column(f"SELECT claim_id FROM {{s}}.retractions {window}", start, target))
    touched |= set(column(f"SELECT claim_id FROM {{s}}.attributions {window}", start, target))
    for side in ("claim_id", "related_claim_id"):
        touched |= set(column(f"SELECT {side} FROM {{s}}.assessments {window}", start, target))
    regraded = column(f"SELECT DISTINCT source_id FROM {{s}}.reliability {window}", start, target)
    if regraded:
        touched |= set(
            column(
                "SELECT DISTINCT claim_id FROM {s}.attributions"
                " WHERE source_id = ANY(%s) AND position <= %s",
                regraded,
                target,
            )
        )
    dirty = conn.execute(
        qualified(
            f"SELECT actor_id, place_key FROM {{s}}.reports {window}"
            " UNION SELECT actor_id, place_key FROM {s}.reports"
            " WHERE claim_id = ANY(%s) AND position <= %s",
            schema,
        ),
        (start, target, sorted(touched), target),
    ).fetchall()
    return sorted((str(a), str(p)) for a, p in dirty)


def _rewrite_current(
    conn: Conn, schema: str, target: int, chunk: list[tuple[str, str]], *, fresh: bool = False
) -> None:
    """Replace the kept rows of ``chunk`` by their latest picture at ``target`` (of a
    ``fresh`` fold from position 0, whose tables hold no row yet, just write them)."""
    for table in () if fresh else ("current_posture", "posture_settles"):
        conn.execute(
            qualified(
                f"DELETE FROM {{s}}.{table} WHERE (actor_id, place_key) IN"
                " (SELECT * FROM unnest(%s::text[], %s::text[]))",
                schema,
            ),
            ([k[0] for k in chunk], [k[1] for k in chunk]),
        )
    known = known_reports(conn, target, keys=chunk, schema=schema)
    CURRENT.copy_rows(conn, schema, (current_row(row) for row in known.rows(None)))
    SETTLES.copy_rows(
        conn,
        schema,
        ((*key, settled_from(reports)) for key, reports in sorted(known.grouped.items())),
    )


def current_row(row: PostureRow) -> tuple[Any, ...]:
    """The ``current_posture`` row that holds ``row``, in the table's column order."""
    w = row.winner
    return (
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
        row.effective_to,
        row.settled_from,
        w.claim_id,
    )


PROJECTION = Projection(
    name="force_posture",
    version=2,
    description="Deployment reports and the latest posture per actor and place.",
    tables=(REPORTS, CURRENT, SETTLES),
    handlers={"DeploymentReported": Handler("reports", _report)},
    upstream=("sources", "claim_history"),
    after_fold=refresh_current,
)
