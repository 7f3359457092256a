"""The ``force_posture`` projection, its reading: the rules of ``ledger.domain.posture``
applied to the reports known at a position, so any answer is available ``as_of`` any
record time and ``valid_at`` any world time; asked about now, the pairs settled by then
answer from the rows ``force_posture`` keeps. Rows are read as named tuples whose fields
are the columns they select."""

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from psycopg import sql
from psycopg.rows import args_row

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
)
from ledger.projection.claim_history import (
    ClaimFacts,
    FactRow,
    claim_fact_rows,
    claim_facts,
    facts_at,
)
from ledger.projection.schema import SCHEMA, all_of
from ledger.projection.sources import reliabilities, reliabilities_at, reliability_history
from ledger.projection.views import PostureView, TimelineStep
from ledger.store.connection import Conn

Actors = str | Sequence[str] | None
"""One actor id, several (a roll-up), or any."""


class ReportRow(NamedTuple):
    """A row of ``reports`` as the rules read it (the columns its fields name)."""

    position: int
    actor_id: str
    place_key: str
    place_name: str
    activity: str
    valid_from: datetime
    valid_to: datetime | None
    credibility: str
    low: int | None
    best: int | None
    high: int | None
    strength_text: str | None
    claim_id: str | None
    qualifier: str


class KeptRow(NamedTuple):
    """A row of ``current_posture``, a pair's latest picture as the fold kept it."""

    actor_id: str
    place_key: str
    place_name: str
    status: str
    activity: str
    strength_text: str | None
    low: int | None
    best: int | None
    high: int | None
    valid_from: datetime
    valid_to: datetime | None
    grade: str
    report_position: int
    supporting: list[int]
    contradicting: list[int]
    positions: list[int]
    effective_to: datetime | None
    claim_id: str | None


def _columns(row: type[NamedTuple]) -> sql.Composable:
    """The column list of a SELECT that reads ``row``: its fields, in order."""
    return sql.SQL(", ").join(sql.Identifier(name) for name in row._fields)


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
) -> list[ReportRow]:
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
    query = sql.SQL("SELECT {} FROM {}.reports WHERE {} ORDER BY position").format(
        _columns(ReportRow), sql.Identifier(schema), all_of(conditions)
    )
    with conn.cursor(row_factory=args_row(ReportRow)) as cur:
        return cur.execute(query).fetchall()


def _known(
    rows: Sequence[ReportRow], facts: ClaimFacts, grades: dict[str, Reliability]
) -> KnownReports:
    """The rules' reports, grouped by pair, from report rows and their claims' facts."""
    gone, origin, related = facts.retracted, facts.origins, facts.pairs
    grouped: dict[tuple[str, str], list[Report]] = defaultdict(list)
    for r in rows:
        claim = r.claim_id
        source = origin.get(claim) if claim else None
        grouped[(r.actor_id, r.place_key)].append(
            Report(
                position=r.position,
                actor_id=r.actor_id,
                place_key=r.place_key,
                place_name=r.place_name,
                activity=_ACTIVITY[r.activity],
                valid_from=r.valid_from,
                valid_to=r.valid_to,
                credibility=_CREDIBILITY[r.credibility],
                low=r.low,
                best=r.best,
                high=r.high,
                strength_text=r.strength_text,
                claim_id=claim,
                reliability=grades.get(source) if source else None,
                retracted=claim in gone if claim else False,
                qualifier=_QUALIFIER[r.qualifier],
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
    facts = claim_facts(conn, sorted({r.claim_id for r in rows if r.claim_id}), position, schema)
    grades = reliabilities(conn, sorted(set(facts.origins.values())), position, schema)
    return _known(rows, facts, grades)


@dataclass
class KnownHistory:
    """The reports up to a position with every fact about their claims and sources,
    each with its position: ``at(cut)`` equals ``known_reports`` at any cut up to there
    without asking the database again (a timeline asks for a hundred cuts)."""

    rows: list[ReportRow]
    facts: list[FactRow]
    grades: list[tuple[int, str, Reliability]]

    def at(self, cut: int) -> KnownReports:
        known = self.rows[: bisect_right(self.rows, cut, key=lambda r: r.position)]
        claims = {r.claim_id for r in known if r.claim_id}
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
    facts = claim_fact_rows(
        conn, sorted({r.claim_id for r in rows if r.claim_id}), position, schema
    )
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
        "SELECT {} FROM {}.current_posture WHERE {} ORDER BY actor_id, place_key{}"
    ).format(_columns(KeptRow), sql.Identifier(schema), all_of(where), bound)
    with conn.cursor(row_factory=args_row(KeptRow)) as cur:
        kept = [_kept_view(r, now, stale_after) for r in cur.execute(query)]
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


def _kept_view(r: KeptRow, now: datetime, stale_after: int) -> PostureView:
    """The answer of a kept row, valid ``now``."""
    age = max(0, (now - r.valid_from).days)
    return PostureView(
        actor_id=r.actor_id,
        place_key=r.place_key,
        place=r.place_name,
        status=PostureStatus(r.status),
        activity=r.activity,
        strength=r.strength_text,
        low=r.low,
        best=r.best,
        high=r.high,
        valid_from=r.valid_from,
        valid_to=r.valid_to,
        grade=r.grade,
        report_position=r.report_position,
        supporting=tuple(r.supporting),
        contradicting=tuple(r.contradicting),
        positions=tuple(r.positions),
        effective_to=r.effective_to,
        claim_id=r.claim_id,
        age_days=age,
        stale=is_stale(age, stale_after),
    )


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
            (str(actor_id), str(place_key))
            for actor_id, place_key in conn.execute(
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
