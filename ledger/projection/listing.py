"""Paged lists over the projection tables, for clients that walk them page by page.

Every list is read at one ledger ``position`` and ordered by a unique key, so a client
that passes the last key back (``after``) gets the next page of the same answer, however
many events arrive meanwhile.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import sql

from ledger.domain.claim_status import ClaimStatus, Relation, claim_status
from ledger.domain.enums import ClaimRelation, Independence, Reliability
from ledger.domain.posture import PostureRow, PostureStatus
from ledger.projection.queries import Conn, origins, posture
from ledger.projection.tables import SCHEMA, qualified


@dataclass(frozen=True)
class PostureView:
    """One posture row as clients see it, with the report positions it rests on."""

    actor_id: str
    place_key: str
    place_name: str
    status: PostureStatus
    activity: str
    strength_text: str | None
    low: int | None
    best: int | None
    high: int | None
    valid_from: datetime
    valid_to: datetime | None
    grade: str
    report_position: int
    supporting: tuple[int, ...]
    contradicting: tuple[int, ...]
    positions: tuple[int, ...]

    @classmethod
    def of(cls, row: PostureRow) -> "PostureView":
        w = row.winner
        return cls(
            row.actor_id,
            row.place_key,
            row.place_name,
            row.status,
            w.activity.value,
            w.strength_text,
            w.low,
            w.best,
            w.high,
            w.valid_from,
            w.valid_to,
            w.grade,
            w.position,
            tuple(row.supporting),
            tuple(row.contradicting),
            row.positions,
        )


def _and(conditions: list[sql.Composable]) -> sql.Composable:
    return sql.SQL(" AND ").join(conditions) if conditions else sql.SQL("TRUE")


def _first_registrations(
    conn: Conn,
    table: str,
    key: str,
    columns: str,
    position: int,
    *,
    ids: list[str] | None,
    after: str | None,
    limit: int,
    schema: str,
    where: list[sql.Composable] | None = None,
) -> list[tuple[Any, ...]]:
    """``key, position, columns`` of each id's first row by ``position``, in id order,
    after ``after`` (a page), only ``ids`` if given."""
    conditions: list[sql.Composable] = [sql.SQL("position <= {}").format(position)]
    if ids is not None:
        conditions.append(sql.SQL("{} = ANY({})").format(sql.Identifier(key), ids))
    if after is not None:
        conditions.append(sql.SQL("{} > {}").format(sql.Identifier(key), after))
    query = sql.SQL(
        "SELECT DISTINCT ON ({k}) {k}, position, {c} FROM {s}.{t} WHERE {w}"
        " ORDER BY {k}, position LIMIT {n}"
    ).format(
        k=sql.Identifier(key),
        c=sql.SQL(columns),
        s=sql.Identifier(schema),
        t=sql.Identifier(table),
        w=_and(conditions + (where or [])),
        n=limit,
    )
    return conn.execute(query).fetchall()


def current_posture(
    conn: Conn,
    *,
    actor: str | None = None,
    place: str | None = None,
    statuses: frozenset[PostureStatus] | None = None,
    after: tuple[str, str] | None = None,
    limit: int = 100,
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
        " positions FROM {}.current_posture WHERE {} ORDER BY actor_id, place_key LIMIT {}"
    ).format(sql.Identifier(schema), _and(where), limit)
    return [
        PostureView(
            actor_id=r[0],
            place_key=r[1],
            place_name=r[2],
            status=PostureStatus(r[3]),
            activity=r[4],
            strength_text=r[5],
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
                ).format(sql.Identifier(schema), _and(bounded), limit - len(views))
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
    limit: int = 100,
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
    query = sql.SQL("SELECT position FROM {}.reports WHERE {} ORDER BY position LIMIT {}").format(
        sql.Identifier(schema), _and(where), limit
    )
    return [int(r[0]) for r in conn.execute(query)]


@dataclass(frozen=True)
class ClaimView:
    """One claim as first asserted, with its status as known at the position read."""

    claim_id: str
    position: int
    document_id: str
    kind: str
    statement: str
    valid_from: datetime
    valid_to: datetime | None
    credibility: str
    status: ClaimStatus
    origin: str | None


def claim_statuses(
    conn: Conn, claim_ids: list[str], position: int, schema: str = SCHEMA
) -> dict[str, tuple[ClaimStatus, str | None]]:
    """Status and original speaker of each claim as known at ``position``, in 3 queries."""

    def rows(text: str, *args: Any) -> list[tuple[Any, ...]]:
        return conn.execute(qualified(text, schema), args).fetchall()

    retracted = {
        r[0]
        for r in rows(
            "SELECT DISTINCT claim_id FROM {s}.retractions"
            " WHERE position <= %s AND claim_id = ANY(%s)",
            position,
            claim_ids,
        )
    }
    assessed = rows(
        "SELECT position, claim_id, related_claim_id, relation, independence"
        " FROM {s}.assessments WHERE position <= %s"
        " AND (claim_id = ANY(%s) OR related_claim_id = ANY(%s)) ORDER BY position",
        position,
        claim_ids,
        claim_ids,
    )
    wanted = set(claim_ids)
    related: dict[str, list[tuple[int, str, str, str]]] = defaultdict(list)
    for p, claim, other, relation, independence in assessed:
        if claim in wanted:
            related[claim].append((p, other, relation, independence))
        if other in wanted and other != claim:
            related[other].append((p, claim, relation, independence))
    everyone = sorted(wanted | {r[1] for found in related.values() for r in found})
    origin = origins(conn, everyone, position, schema)
    result: dict[str, tuple[ClaimStatus, str | None]] = {}
    for claim in claim_ids:
        relations = [
            Relation(p, other, ClaimRelation(rel), Independence(ind), origin.get(other))
            for p, other, rel, ind in related.get(claim, [])
        ]
        own = origin.get(claim)
        result[claim] = (claim_status(claim in retracted, own, relations), own)
    return result


def claims(
    conn: Conn,
    position: int,
    *,
    statuses: frozenset[ClaimStatus] | None = None,
    actor: str | None = None,
    source: str | None = None,
    document: str | None = None,
    after: str | None = None,
    limit: int = 100,
    schema: str = SCHEMA,
) -> tuple[list[ClaimView], str | None]:
    """A page of claims known at ``position``, by claim id, with the filters applied.

    ``source`` matches any hop of a claim's attribution chain; ``actor`` any deployment
    report resting on the claim. Returns the rows and the last claim id scanned.
    """
    s = sql.Identifier(schema)
    where: list[sql.Composable] = [sql.SQL("c.position <= {}").format(position)]
    if document is not None:
        where.append(sql.SQL("c.document_id = {}").format(document))
    if source is not None:
        where.append(
            sql.SQL(
                "EXISTS (SELECT 1 FROM {}.attributions a WHERE a.claim_id = c.claim_id"
                " AND a.position <= {} AND (a.source_id = {} OR a.via_source_id = {}))"
            ).format(s, position, source, source)
        )
    if actor is not None:
        where.append(
            sql.SQL(
                "EXISTS (SELECT 1 FROM {}.reports r WHERE r.claim_id = c.claim_id"
                " AND r.position <= {} AND r.actor_id = {})"
            ).format(s, position, actor)
        )
    views: list[ClaimView] = []
    while len(views) < limit:
        bounded = [*where, sql.SQL("c.claim_id > {}").format(after)] if after else where
        found = conn.execute(
            sql.SQL(
                "SELECT DISTINCT ON (c.claim_id) c.claim_id, c.position, c.document_id, c.kind,"
                " c.statement, c.valid_from, c.valid_to, c.credibility FROM {}.claims c"
                " WHERE {} ORDER BY c.claim_id, c.position LIMIT {}"
            ).format(s, _and(bounded), limit - len(views))
        ).fetchall()
        if not found:
            return views, None
        status = claim_statuses(conn, [r[0] for r in found], position, schema)
        for r in found:
            state, origin = status[r[0]]
            if statuses is None or state in statuses:
                views.append(
                    ClaimView(
                        claim_id=r[0],
                        position=r[1],
                        document_id=r[2],
                        kind=r[3],
                        statement=r[4],
                        valid_from=r[5],
                        valid_to=r[6],
                        credibility=r[7],
                        status=state,
                        origin=origin,
                    )
                )
        after = found[-1][0]
    return views, after


@dataclass(frozen=True)
class Grading:
    position: int
    reliability: Reliability
    effective_at: datetime
    rationale: str


@dataclass(frozen=True)
class SourceView:
    source_id: str
    position: int
    name: str
    kind: str
    aliases: tuple[str, ...]
    affiliated_source_id: str | None
    reliability: Reliability | None
    history: tuple[Grading, ...]


def sources(
    conn: Conn,
    position: int,
    *,
    source_ids: list[str] | None = None,
    after: str | None = None,
    limit: int = 100,
    schema: str = SCHEMA,
) -> list[SourceView]:
    """A page of sources registered by ``position``, each with its grading history."""
    found = _first_registrations(
        conn,
        "sources",
        "source_id",
        "name, kind, aliases, affiliated_source_id",
        position,
        ids=source_ids,
        after=after,
        limit=limit,
        schema=schema,
    )
    history: dict[str, list[Grading]] = defaultdict(list)
    for p, source, grade, effective, rationale in conn.execute(
        qualified(
            "SELECT position, source_id, reliability, effective_at, rationale"
            " FROM {s}.reliability WHERE position <= %s AND source_id = ANY(%s)"
            " ORDER BY position",
            schema,
        ),
        (position, [r[0] for r in found]),
    ):
        history[source].append(Grading(p, Reliability(grade), effective, rationale))
    return [
        SourceView(
            r[0],
            r[1],
            r[2],
            r[3],
            tuple(r[4]),
            r[5],
            history[r[0]][-1].reliability if history[r[0]] else None,
            tuple(history[r[0]]),
        )
        for r in found
    ]


@dataclass(frozen=True)
class DocumentView:
    document_id: str
    position: int
    title: str
    outlet_source_id: str
    published_at: datetime | None
    claim_ids: tuple[str, ...]


def documents(
    conn: Conn,
    position: int,
    *,
    document_ids: list[str] | None = None,
    outlet: str | None = None,
    after: str | None = None,
    limit: int = 100,
    schema: str = SCHEMA,
) -> list[DocumentView]:
    """A page of documents ingested by ``position``, each with the claims taken from it."""
    outlets: list[sql.Composable] = []
    if outlet is not None:
        outlets.append(sql.SQL("outlet_source_id = {}").format(outlet))
    found = _first_registrations(
        conn,
        "documents",
        "document_id",
        "title, outlet_source_id, published_at",
        position,
        ids=document_ids,
        after=after,
        limit=limit,
        schema=schema,
        where=outlets,
    )
    claimed: dict[str, list[str]] = defaultdict(list)
    for document_id, claim_id in conn.execute(
        qualified(
            "SELECT DISTINCT document_id, claim_id FROM {s}.claims"
            " WHERE position <= %s AND document_id = ANY(%s) ORDER BY document_id, claim_id",
            schema,
        ),
        (position, [r[0] for r in found]),
    ):
        claimed[document_id].append(claim_id)
    return [
        DocumentView(
            document_id=r[0],
            position=r[1],
            title=r[2],
            outlet_source_id=r[3],
            published_at=r[4],
            claim_ids=tuple(claimed[r[0]]),
        )
        for r in found
    ]
