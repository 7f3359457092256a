"""The ``force_posture`` projection: every deployment report, and the latest posture per
(actor, place) kept ready; the rules live in ``ledger.domain.posture``, and every read
here applies them to the reports known at a position, so any answer is available
``as_of`` any record time and ``valid_at`` any world time.

The materialized rows hold each pair's *latest picture* (the rules at a world time after
every start and end of its reports), which needs no wall clock, so a fold is a function
of the ledger alone. A pair also keeps ``settled_from``, its last start or end: asked
about now, a pair settled by now answers from the kept row, and the few pairs with a
boundary still ahead (a future end or start) are worked out at read time."""

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import sql

from ledger.domain.enums import (
    ClaimRelation,
    Credibility,
    DeploymentActivity,
    EstimateQualifier,
    Reliability,
)
from ledger.domain.posture import (
    STALE_AFTER_DAYS,
    Pair,
    PostureRow,
    PostureStatus,
    Report,
    is_stale,
    posture_row,
    settled_from,
)
from ledger.projection.claim_history import (
    ClaimFacts,
    FactRow,
    claim_fact_rows,
    claim_facts,
    facts_at,
)
from ledger.projection.definition import WHOLE, Handler, Part, Projection, Table
from ledger.projection.schema import SCHEMA, all_of, qualified
from ledger.projection.sources import reliabilities, reliabilities_at, reliability_history
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


Actors = str | Sequence[str] | None
"""One actor id, several (a roll-up), or any."""


def _actor_condition(actor: Actors, column: str = "actor_id") -> list[sql.Composable]:
    if actor is None:
        return []
    ids = [actor] if isinstance(actor, str) else list(actor)
    return [sql.SQL("{} = ANY({})").format(sql.Identifier(column), ids)]


@dataclass
class KnownReports:
    """The reports of some pairs known at a position, and what analysts said about their
    claims (DUPLICATES and CONTRADICTS pairs): everything the rules need."""

    grouped: dict[tuple[str, str], list[Report]]
    duplicates: set[Pair]
    contradictions: set[Pair]

    def rows(self, at: datetime | None) -> list[PostureRow]:
        """The posture rows at world time ``at`` (None: the latest picture), by key."""
        found = (
            posture_row(reports, at, duplicates=self.duplicates, contradictions=self.contradictions)
            for _, reports in sorted(self.grouped.items())
        )
        return [row for row in found if row is not None]


_ACTIVITY = {a.value: a for a in DeploymentActivity}
_CREDIBILITY = {c.value: c for c in Credibility}
_QUALIFIER = {q.value: q for q in EstimateQualifier}
"""Column values to enum members: a dict lookup, where calling the enum costs a
microsecond per report."""


def _report_rows(
    conn: Conn,
    position: int,
    *,
    valid_at: datetime | None,
    actor: Actors,
    place: str | None,
    keys: list[tuple[str, str]] | None,
    schema: str,
) -> list[tuple[Any, ...]]:
    """The report rows known at ``position`` that can bear on world time ``valid_at``:
    the ones starting by then (a report starting later cannot be a candidate, nor cut an
    earlier report's span before ``valid_at``), in position order."""
    conditions = [sql.SQL("position <= {}").format(position), *_actor_condition(actor)]
    if place is not None:
        conditions.append(sql.SQL("place_key = {}").format(place))
    if valid_at is not None:
        conditions.append(sql.SQL("valid_from <= {}").format(valid_at))
    if keys is not None:
        conditions.append(
            sql.SQL(
                "(actor_id, place_key) IN (SELECT * FROM unnest({}::text[], {}::text[]))"
            ).format([k[0] for k in keys], [k[1] for k in keys])
        )
    query = sql.SQL(
        "SELECT position, actor_id, place_key, place_name, activity, valid_from, valid_to,"
        " credibility, low, best, high, strength_text, claim_id, qualifier FROM {}.reports"
        " WHERE {} ORDER BY position"
    ).format(sql.Identifier(schema), all_of(conditions))
    return conn.execute(query).fetchall()


def _known(
    rows: Sequence[tuple[Any, ...]], facts: ClaimFacts, grades: dict[str, Reliability]
) -> KnownReports:
    """The rules' reports, grouped by pair, from report rows and their claims' facts."""
    gone, origin, related = facts.retracted, facts.origins, facts.pairs
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
                activity=_ACTIVITY[r[4]],
                valid_from=r[5],
                valid_to=r[6],
                credibility=_CREDIBILITY[r[7]],
                low=r[8],
                best=r[9],
                high=r[10],
                strength_text=r[11],
                claim_id=claim,
                reliability=grades.get(source) if source else None,
                retracted=claim in gone if claim else False,
                qualifier=_QUALIFIER[r[13]],
            )
        )
    return KnownReports(
        dict(grouped),
        related[ClaimRelation.DUPLICATES],
        related[ClaimRelation.CONTRADICTS],
    )


def known_reports(
    conn: Conn,
    position: int,
    *,
    valid_at: datetime | None = None,
    actor: Actors = None,
    place: str | None = None,
    keys: list[tuple[str, str]] | None = None,
    schema: str = SCHEMA,
) -> KnownReports:
    """The reports known at ``position`` that can bear on world time ``valid_at``, with
    what is known of their claims and sources there (three round trips)."""
    rows = _report_rows(
        conn, position, valid_at=valid_at, actor=actor, place=place, keys=keys, schema=schema
    )
    facts = claim_facts(conn, sorted({r[12] for r in rows if r[12]}), position, schema)
    grades = reliabilities(conn, sorted(set(facts.origins.values())), position, schema)
    return _known(rows, facts, grades)


@dataclass
class KnownHistory:
    """The reports up to a position with every fact about their claims and sources,
    each with its position: ``at(cut)`` equals ``known_reports`` at any cut up to there
    without asking the database again (a timeline asks for a hundred cuts)."""

    rows: list[tuple[Any, ...]]
    facts: list[FactRow]
    grades: list[tuple[int, str, Reliability]]

    def at(self, cut: int) -> KnownReports:
        known = self.rows[: bisect_right(self.rows, cut, key=lambda r: int(r[0]))]
        claims = {r[12] for r in known if r[12]}
        return _known(known, facts_at(self.facts, cut, claims), reliabilities_at(self.grades, cut))


def known_history(
    conn: Conn,
    position: int,
    *,
    valid_at: datetime | None = None,
    actor: Actors = None,
    place: str | None = None,
    schema: str = SCHEMA,
) -> KnownHistory:
    """``KnownHistory`` up to ``position`` (three round trips, whatever the cuts)."""
    rows = _report_rows(
        conn, position, valid_at=valid_at, actor=actor, place=place, keys=None, schema=schema
    )
    facts = claim_fact_rows(conn, sorted({r[12] for r in rows if r[12]}), position, schema)
    speakers = sorted({str(f[3]) for f in facts if f[0] == "o"})  # origins are sources
    return KnownHistory(rows, facts, reliability_history(conn, speakers, position, schema))


def posture(
    conn: Conn,
    position: int,
    *,
    valid_at: datetime | None = None,
    actor: Actors = None,
    place: str | None = None,
    keys: list[tuple[str, str]] | None = None,
    schema: str = SCHEMA,
) -> list[PostureRow]:
    """Posture rows as known at ``position`` and valid at ``valid_at`` (None: the latest
    picture), ordered by key."""
    known = known_reports(
        conn, position, valid_at=valid_at, actor=actor, place=place, keys=keys, schema=schema
    )
    return known.rows(valid_at)


def current(
    conn: Conn,
    position: int,
    now: datetime,
    *,
    actor: Actors = None,
    place: str | None = None,
    statuses: frozenset[PostureStatus] | None = None,
    after: tuple[str, str] | None = None,
    limit: int | None = 100,
    stale_after: int = STALE_AFTER_DAYS,
    schema: str = SCHEMA,
) -> tuple[list[PostureView], tuple[str, str] | None]:
    """A page of the posture valid ``now`` at the force_posture cursor ``position``: the
    kept rows of the pairs settled by ``now``, and the rules run afresh for the others.

    Returns the rows and the key to continue after (None at the end)."""
    keyed: list[sql.Composable] = [*_actor_condition(actor)]
    if place is not None:
        keyed.append(sql.SQL("place_key = {}").format(place))
    if after is not None:
        keyed.append(sql.SQL("(actor_id, place_key) > ({}, {})").format(*after))
    where = [*keyed, sql.SQL("settled_from <= {}").format(now)]
    if statuses is not None:
        where.append(sql.SQL("status = ANY({})").format([s.value for s in statuses]))
    bound = sql.SQL(" LIMIT {}").format(limit) if limit is not None else sql.SQL("")
    query = sql.SQL(
        "SELECT actor_id, place_key, place_name, status, activity, strength_text, low, best,"
        " high, valid_from, valid_to, grade, report_position, supporting, contradicting,"
        " positions, effective_to, claim_id FROM {}.current_posture WHERE {}"
        " ORDER BY actor_id, place_key{}"
    ).format(sql.Identifier(schema), all_of(where), bound)
    kept = [
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
            effective_to=r[16],
            claim_id=r[17],
            age_days=max(0, (now - r[9]).days),
            stale=is_stale(max(0, (now - r[9]).days), stale_after),
        )
        for r in conn.execute(query)
    ]
    pending_keys = [
        (str(a), str(p))
        for a, p in conn.execute(
            sql.SQL(
                "SELECT actor_id, place_key FROM {}.posture_settles WHERE {}"
                " ORDER BY actor_id, place_key{}"
            ).format(
                sql.Identifier(schema),
                all_of([*keyed, sql.SQL("settled_from > {}").format(now)]),
                bound,
            )
        )
    ]
    pending = [
        PostureView.of(row, now, stale_after)
        for row in (
            posture(conn, position, valid_at=now, keys=pending_keys, schema=schema)
            if pending_keys
            else []
        )
        if statuses is None or row.status in statuses
    ]
    views = sorted([*kept, *pending], key=lambda v: v.key)
    cuts = []
    if limit is not None and len(kept) == limit:
        cuts.append(kept[-1].key)
    if limit is not None and len(pending_keys) == limit:
        cuts.append(pending_keys[-1])
    if not cuts:
        return views, None
    cut = min(cuts)
    return [v for v in views if v.key <= cut], cut


def posture_at(
    conn: Conn,
    position: int,
    *,
    valid_at: datetime,
    actor: Actors = None,
    place: str | None = None,
    statuses: frozenset[PostureStatus] | None = None,
    after: tuple[str, str] | None = None,
    limit: int = 100,
    stale_after: int = STALE_AFTER_DAYS,
    schema: str = SCHEMA,
) -> tuple[list[PostureView], tuple[str, str] | None]:
    """A page of the posture as known at ``position`` and valid at ``valid_at``.

    Returns the rows and the last (actor, place) key scanned, which continues the walk
    (None once every key has been seen). Rows filtered out by status or valid time still
    advance the walk, so a page can hold fewer than ``limit`` rows.
    """
    where: list[sql.Composable] = [
        sql.SQL("position <= {}").format(position),
        *_actor_condition(actor),
    ]
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
        views += [
            PostureView.of(r, valid_at, stale_after)
            for r in rows
            if statuses is None or r.status in statuses
        ]
        after = keys[-1]
    return views, after


def timeline_positions(
    conn: Conn,
    position: int,
    *,
    actor: Actors = None,
    place: str | None = None,
    after: int = 0,
    limit: int | None = 100,
    schema: str = SCHEMA,
) -> list[int]:
    """Positions of the reports on an actor or a place, up to ``position``, after ``after``."""
    where: list[sql.Composable] = [
        sql.SQL("position <= {} AND position > {}").format(position, after),
        *_actor_condition(actor),
    ]
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
    valid_at: datetime,
    *,
    actor: Actors = None,
    place: str | None = None,
    after: int = 0,
    limit: int | None = 100,
    stale_after: int = STALE_AFTER_DAYS,
    schema: str = SCHEMA,
) -> list[TimelineStep]:
    """After each report on the actor (or at the place), its posture valid at
    ``valid_at`` as the ledger then knew it."""
    cuts = timeline_positions(
        conn, position, actor=actor, place=place, after=after, limit=limit, schema=schema
    )
    if not cuts:
        return []
    history = known_history(
        conn, cuts[-1], valid_at=valid_at, actor=actor, place=place, schema=schema
    )
    return [
        TimelineStep(
            cut,
            tuple(PostureView.of(r, valid_at, stale_after) for r in history.at(cut).rows(valid_at)),
        )
        for cut in cuts
    ]
