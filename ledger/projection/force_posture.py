"""The ``force_posture`` projection: every deployment report, and the current posture per
(actor, place) kept ready; the rules that pick a row's winner live in
``ledger.domain.posture``, and every read here applies them to the reports known at a
position, so any answer is available ``as_of`` any record time."""

from collections import defaultdict
from datetime import datetime
from typing import Any

from psycopg import sql

from ledger.domain.enums import Credibility, DeploymentActivity
from ledger.domain.posture import PostureRow, PostureStatus, Report, posture_row
from ledger.projection.claim_history import origins, retracted
from ledger.projection.definition import Handler, Projection, Table
from ledger.projection.schema import SCHEMA, all_of, qualified
from ledger.projection.sources import reliabilities
from ledger.projection.views import PostureView, TimelineStep
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
    ),
    primary_key=("actor_id", "place_key"),
    order="actor_id, place_key",
)

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
    )


def refresh_current(conn: Conn, schema: str, start: int, target: int) -> None:
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
            while chunk := every.fetchmany(REFRESH_CHUNK):
                _rewrite_current(conn, schema, target, [(str(a), str(p)) for a, p in chunk])
        return
    keys = touched_keys(conn, schema, start, target)
    for begin in range(0, len(keys), REFRESH_CHUNK):
        _rewrite_current(conn, schema, target, keys[begin : begin + REFRESH_CHUNK])


def touched_keys(conn: Conn, schema: str, start: int, target: int) -> list[tuple[str, str]]:
    """The keys whose reports, claims (retracted or re-attributed) or sources (re-graded)
    changed in (start, target]: each step an index lookup, so the cost follows the size
    of the increment rather than the size of the tables."""

    def column(query: str, *args: Any) -> list[Any]:
        return [row[0] for row in conn.execute(qualified(query, schema), args)]

    window = "WHERE position > %s AND position <= %s"
    touched = set(column(f"SELECT claim_id FROM {{s}}.retractions {window}", start, target))
    touched |= set(column(f"SELECT claim_id FROM {{s}}.attributions {window}", start, target))
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
    rows = posture(conn, target, keys=chunk, schema=schema)
    with conn.cursor().copy(CURRENT.copy_statement(schema)) as copy:
        for row in rows:
            copy.write_row(current_row(row))


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
    )


PROJECTION = Projection(
    name="force_posture",
    version=1,
    description="Deployment reports and the current posture per actor and place.",
    tables=(REPORTS, CURRENT),
    handlers={"DeploymentReported": Handler("reports", _report)},
    upstream=("sources", "claim_history"),
    after_fold=refresh_current,
)


def posture(
    conn: Conn,
    position: int,
    *,
    valid_at: datetime | None = None,
    actor: str | None = None,
    place: str | None = None,
    keys: list[tuple[str, str]] | None = None,
    schema: str = SCHEMA,
) -> list[PostureRow]:
    """Posture rows as known at ``position`` (and valid at ``valid_at``), ordered by key."""
    conditions = [sql.SQL("position <= {}").format(position)]
    if actor is not None:
        conditions.append(sql.SQL("actor_id = {}").format(actor))
    if place is not None:
        conditions.append(sql.SQL("place_key = {}").format(place))
    if valid_at is not None:
        conditions.append(
            sql.SQL("valid_from <= {t} AND (valid_to IS NULL OR valid_to > {t})").format(t=valid_at)
        )
    if keys is not None:
        conditions.append(
            sql.SQL(
                "(actor_id, place_key) IN (SELECT * FROM unnest({}::text[], {}::text[]))"
            ).format([k[0] for k in keys], [k[1] for k in keys])
        )
    query = sql.SQL(
        "SELECT position, actor_id, place_key, place_name, activity, valid_from, valid_to,"
        " credibility, low, best, high, strength_text, claim_id FROM {}.reports WHERE {}"
    ).format(sql.Identifier(schema), all_of(conditions))
    rows = conn.execute(query).fetchall()
    claim_ids = sorted({r[12] for r in rows if r[12]})
    gone = retracted(conn, claim_ids, position, schema)
    origin = origins(conn, claim_ids, position, schema)
    grades = reliabilities(conn, sorted(set(origin.values())), position, schema)
    grouped: dict[tuple[str, str], list[Report]] = defaultdict(list)
    for r in rows:
        claim = r[12]
        source = origin.get(claim) if claim else None
        grouped[(r[1], r[2])].append(
            Report(
                position=r[0],
                actor_id=r[1],
                place_key=r[2],
                place_name=r[3],
                activity=DeploymentActivity(r[4]),
                valid_from=r[5],
                valid_to=r[6],
                credibility=Credibility(r[7]),
                low=r[8],
                best=r[9],
                high=r[10],
                strength_text=r[11],
                claim_id=claim,
                reliability=grades.get(source) if source else None,
                retracted=claim in gone if claim else False,
            )
        )
    result = [posture_row(reports) for _, reports in sorted(grouped.items())]
    return [row for row in result if row is not None]


def current(
    conn: Conn,
    *,
    actor: str | None = None,
    place: str | None = None,
    statuses: frozenset[PostureStatus] | None = None,
    after: tuple[str, str] | None = None,
    limit: int | None = 100,
    schema: str = SCHEMA,
) -> list[PostureView]:
    """A page of the materialized current posture (as of the force_posture cursor)."""
    where: list[sql.Composable] = []
    if actor is not None:
        where.append(sql.SQL("actor_id = {}").format(actor))
    if place is not None:
        where.append(sql.SQL("place_key = {}").format(place))
    if statuses is not None:
        where.append(sql.SQL("status = ANY({})").format([s.value for s in statuses]))
    if after is not None:
        where.append(sql.SQL("(actor_id, place_key) > ({}, {})").format(*after))
    query = sql.SQL(
        "SELECT actor_id, place_key, place_name, status, activity, strength_text, low, best,"
        " high, valid_from, valid_to, grade, report_position, supporting, contradicting,"
        " positions FROM {}.current_posture WHERE {} ORDER BY actor_id, place_key{}"
    ).format(
        sql.Identifier(schema),
        all_of(where),
        sql.SQL(" LIMIT {}").format(limit) if limit is not None else sql.SQL(""),
    )
    return [
        PostureView(
            actor_id=r[0],
            place_key=r[1],
            place=r[2],
            status=PostureStatus(r[3]),
            activity=r[4],
            strength=r[5],
            low=r[6],
            best=r[7],
            high=r[8],
            valid_from=r[9],
            valid_to=r[10],
            grade=r[11],
            report_position=r[12],
            supporting=tuple(r[13]),
            contradicting=tuple(r[14]),
            positions=tuple(r[15]),
        )
        for r in conn.execute(query)
    ]


def posture_at(
    conn: Conn,
    position: int,
    *,
    valid_at: datetime | None = None,
    actor: str | None = None,
    place: str | None = None,
    statuses: frozenset[PostureStatus] | None = None,
    after: tuple[str, str] | None = None,
    limit: int = 100,
    schema: str = SCHEMA,
) -> tuple[list[PostureView], tuple[str, str] | None]:
    """A page of the posture as known at ``position`` (and valid at ``valid_at``).

    Returns the rows and the last (actor, place) key scanned, which continues the walk
    (None once every key has been seen). Rows filtered out by status or valid time still
    advance the walk, so a page can hold fewer than ``limit`` rows.
    """
    where: list[sql.Composable] = [sql.SQL("position <= {}").format(position)]
    if actor is not None:
        where.append(sql.SQL("actor_id = {}").format(actor))
    if place is not None:
        where.append(sql.SQL("place_key = {}").format(place))
    views: list[PostureView] = []
    while len(views) < limit:
        bounded = where
        if after is not None:
            bounded = [*where, sql.SQL("(actor_id, place_key) > ({}, {})").format(*after)]
        keys: list[tuple[str, str]] = [
            (r[0], r[1])
            for r in conn.execute(
                sql.SQL(
                    "SELECT DISTINCT actor_id, place_key FROM {}.reports WHERE {}"
                    " ORDER BY actor_id, place_key LIMIT {}"
                ).format(sql.Identifier(schema), all_of(bounded), limit - len(views))
            )
        ]
        if not keys:
            return views, None
        rows = posture(conn, position, valid_at=valid_at, keys=keys, schema=schema)
        views += [PostureView.of(r) for r in rows if statuses is None or r.status in statuses]
        after = keys[-1]
    return views, after


def timeline_positions(
    conn: Conn,
    position: int,
    *,
    actor: str | None = None,
    place: str | None = None,
    after: int = 0,
    limit: int | None = 100,
    schema: str = SCHEMA,
) -> list[int]:
    """Positions of the reports on an actor or a place, up to ``position``, after ``after``."""
    where: list[sql.Composable] = [
        sql.SQL("position <= {} AND position > {}").format(position, after)
    ]
    if actor is not None:
        where.append(sql.SQL("actor_id = {}").format(actor))
    if place is not None:
        where.append(sql.SQL("place_key = {}").format(place))
    query = sql.SQL("SELECT position FROM {}.reports WHERE {} ORDER BY position{}").format(
        sql.Identifier(schema),
        all_of(where),
        sql.SQL(" LIMIT {}").format(limit) if limit is not None else sql.SQL(""),
    )
    return [int(r[0]) for r in conn.execute(query)]


def timeline(
    conn: Conn,
    position: int,
    *,
    actor: str | None = None,
    place: str | None = None,
    after: int = 0,
    limit: int | None = 100,
    schema: str = SCHEMA,
) -> list[TimelineStep]:
    """After each report on the actor (or at the place), the posture rows it touched."""
    cuts = timeline_positions(
        conn, position, actor=actor, place=place, after=after, limit=limit, schema=schema
    )
    return [
        TimelineStep(
            cut,
            tuple(
                PostureView.of(r)
                for r in posture(conn, cut, actor=actor, place=place, schema=schema)
            ),
        )
        for cut in cuts
    ]
