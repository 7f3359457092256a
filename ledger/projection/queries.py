"""Answers from the projection tables at any ledger position and world time.

``position`` is a record-time cut (everything the ledger knew after that event);
``position_at`` turns a timestamp into one. ``valid_at`` restricts reports to those
whose valid time contains it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql

from ledger.domain.claim_status import ClaimStatus, Relation, claim_status, origin_of
from ledger.domain.claim_status import independent_origins as _independent
from ledger.domain.enums import (
    ClaimRelation,
    Credibility,
    DeploymentActivity,
    Independence,
    Reliability,
)
from ledger.domain.posture import PostureRow, Report, posture_row
from ledger.projection.tables import SCHEMA, qualified

Conn = psycopg.Connection[Any]


def position_at(conn: Conn, moment: datetime) -> int:
    """The last ledger position recorded at or before ``moment`` (0 if none)."""
    row = conn.execute("SELECT ledger.position_at(%s)", (moment,)).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def cursor(conn: Conn, name: str, schema: str = SCHEMA) -> int:
    row = conn.execute(
        qualified("SELECT position FROM {s}.cursors WHERE name = %s", schema), (name,)
    ).fetchone()
    return int(row[0]) if row else 0


def origins(
    conn: Conn, claim_ids: list[str], position: int, schema: str = SCHEMA
) -> dict[str, str]:
    """The original speaker of each claim, from its attributions known at ``position``."""
    hops: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for claim_id, source_id, via in conn.execute(
        qualified(
            "SELECT claim_id, source_id, via_source_id FROM {s}.attributions"
            " WHERE position <= %s AND claim_id = ANY(%s) ORDER BY position",
            schema,
        ),
        (position, claim_ids),
    ):
        hops[claim_id].append((source_id, via))
    found = {claim: origin_of(chain) for claim, chain in hops.items()}
    return {claim: origin for claim, origin in found.items() if origin is not None}


def reliabilities(
    conn: Conn, source_ids: list[str], position: int, schema: str = SCHEMA
) -> dict[str, Reliability]:
    """Each source's reliability as last assessed at or before ``position``."""
    rows = conn.execute(
        qualified(
            "SELECT DISTINCT ON (source_id) source_id, reliability FROM {s}.reliability"
            " WHERE position <= %s AND source_id = ANY(%s) ORDER BY source_id, position DESC",
            schema,
        ),
        (position, source_ids),
    )
    return {source: Reliability(value) for source, value in rows}


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
    ).format(sql.Identifier(schema), sql.SQL(" AND ").join(conditions))
    rows = conn.execute(query).fetchall()
    claim_ids = sorted({r[12] for r in rows if r[12]})
    retracted = {
        r[0]
        for r in conn.execute(
            qualified(
                "SELECT DISTINCT claim_id FROM {s}.retractions"
                " WHERE position <= %s AND claim_id = ANY(%s)",
                schema,
            ),
            (position, claim_ids),
        )
    }
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
                retracted=claim in retracted if claim else False,
            )
        )
    result = [posture_row(reports) for _, reports in sorted(grouped.items())]
    return [row for row in result if row is not None]


def posture_timeline(
    conn: Conn, actor: str, position: int, schema: str = SCHEMA
) -> list[tuple[int, list[PostureRow]]]:
    """The actor's posture after each of its reports, up to ``position``."""
    cuts = [
        int(r[0])
        for r in conn.execute(
            qualified(
                "SELECT position FROM {s}.reports WHERE actor_id = %s AND position <= %s"
                " ORDER BY position",
                schema,
            ),
            (actor, position),
        )
    ]
    return [(cut, posture(conn, cut, actor=actor, schema=schema)) for cut in cuts]


@dataclass(frozen=True)
class Hop:
    position: int
    source_id: str
    via_source_id: str | None
    mode: str
    access: str
    reliability: Reliability | None


@dataclass
class ClaimHistory:
    claim_id: str
    position: int | None
    statement: str | None
    status: ClaimStatus | None
    origin: str | None
    chain: list[Hop] = field(default_factory=list)
    events: list[tuple[int, str, str]] = field(default_factory=list)
    independent_corroborations: int = 0

    @property
    def resolved(self) -> bool:
        """False when events name this claim but no ClaimAsserted is known."""
        return self.position is not None


def claim_history(
    conn: Conn, claim_id: str, position: int, schema: str = SCHEMA
) -> ClaimHistory | None:
    """One claim's events, chain of reported speech and status, as known at ``position``."""

    def rows(text: str, *args: Any) -> list[tuple[Any, ...]]:
        return conn.execute(qualified(text, schema), args).fetchall()

    asserted = rows(
        "SELECT position, statement FROM {s}.claims WHERE claim_id = %s"
        " AND position <= %s ORDER BY position LIMIT 1",
        claim_id,
        position,
    )
    hops = rows(
        "SELECT position, source_id, via_source_id, mode, access FROM {s}.attributions"
        " WHERE claim_id = %s AND position <= %s ORDER BY position",
        claim_id,
        position,
    )
    assessed = rows(
        "SELECT position, claim_id, related_claim_id, relation, independence, rationale"
        " FROM {s}.assessments WHERE (claim_id = %s OR related_claim_id = %s)"
        " AND position <= %s ORDER BY position",
        claim_id,
        claim_id,
        position,
    )
    retracted = rows(
        "SELECT position, retracted_by, reason FROM {s}.retractions"
        " WHERE claim_id = %s AND position <= %s ORDER BY position",
        claim_id,
        position,
    )
    reports = rows(
        "SELECT position, actor_id, place_name, activity, strength_text"
        " FROM {s}.reports WHERE claim_id = %s AND position <= %s ORDER BY position",
        claim_id,
        position,
    )
    if not (asserted or hops or assessed or retracted or reports):
        return None
    others = sorted({a[2] if a[1] == claim_id else a[1] for a in assessed})
    origin_by_claim = origins(conn, [claim_id, *others], position, schema)
    own = origin_by_claim.get(claim_id)
    sources = sorted({h[1] for h in hops})
    grades = reliabilities(conn, sources, position, schema)
    relations = [
        Relation(
            a[0],
            a[2] if a[1] == claim_id else a[1],
            ClaimRelation(a[3]),
            Independence(a[4]),
            origin_by_claim.get(a[2] if a[1] == claim_id else a[1]),
        )
        for a in assessed
    ]
    events: list[tuple[int, str, str]] = []
    if asserted:
        events.append((asserted[0][0], "ClaimAsserted", asserted[0][1]))
    for h in hops:
        via = f" via {h[2]}" if h[2] else ""
        events.append((h[0], "AttributionMade", f"said by {h[1]}{via} ({h[3]}, {h[4]})"))
    for a in assessed:
        events.append((a[0], "ClaimAssessed", f"{a[1]} {a[3]} {a[2]} ({a[4]}): {a[5]}"))
    for x in retracted:
        events.append((x[0], "ClaimRetracted", f"{x[1]}: {x[2]}"))
    for r in reports:
        events.append(
            (r[0], "DeploymentReported", f"{r[1]} {r[3]} at {r[2]}{': ' + r[4] if r[4] else ''}")
        )
    events.sort()
    chain = _chain(hops, grades, own)
    return ClaimHistory(
        claim_id=claim_id,
        position=asserted[0][0] if asserted else None,
        statement=asserted[0][1] if asserted else None,
        status=claim_status(bool(retracted), own, relations) if asserted else None,
        origin=own,
        chain=chain,
        events=events,
        independent_corroborations=len(_independent(own, relations)),
    )


def _chain(
    hops: list[tuple[Any, ...]], grades: dict[str, Reliability], origin: str | None
) -> list[Hop]:
    """Hops ordered from the original speaker outwards."""
    by_source = {h[1]: h for h in hops}
    ordered: list[Hop] = []
    current = origin
    while current is not None and current in by_source and len(ordered) < len(hops):
        h = by_source.pop(current)
        ordered.append(Hop(h[0], h[1], h[2], h[3], h[4], grades.get(h[1])))
        current = h[2]
    for h in sorted(by_source.values()):
        ordered.append(Hop(h[0], h[1], h[2], h[3], h[4], grades.get(h[1])))
    return ordered


@dataclass(frozen=True)
class SourceView:
    source_id: str
    name: str
    kind: str
    position: int
    reliability: Reliability | None
    history: list[tuple[int, str, datetime, str]]


def sources(conn: Conn, position: int, schema: str = SCHEMA) -> list[SourceView]:
    """Every registered source with its reliability and its grading history."""
    history: dict[str, list[tuple[int, str, datetime, str]]] = defaultdict(list)
    for p, source, grade, effective, rationale in conn.execute(
        qualified(
            "SELECT position, source_id, reliability, effective_at, rationale"
            " FROM {s}.reliability WHERE position <= %s ORDER BY position",
            schema,
        ),
        (position,),
    ):
        history[source].append((p, grade, effective, rationale))
    views = []
    for p, source, name, kind in conn.execute(
        qualified(
            "SELECT DISTINCT ON (source_id) position, source_id, name, kind FROM {s}.sources"
            " WHERE position <= %s ORDER BY source_id, position",
            schema,
        ),
        (position,),
    ):
        graded = history.get(source, [])
        views.append(
            SourceView(
                source, name, kind, p, Reliability(graded[-1][1]) if graded else None, graded
            )
        )
    return views


def unresolved_references(
    conn: Conn, position: int, schema: str = SCHEMA
) -> list[tuple[int, str, str]]:
    """(position, event type, claim id) of events naming a claim not asserted by then."""
    query = """
    WITH refs AS (
        SELECT position, 'AttributionMade' AS kind, claim_id FROM {s}.attributions
        UNION ALL SELECT position, 'ClaimAssessed', claim_id FROM {s}.assessments
        UNION ALL SELECT position, 'ClaimAssessed', related_claim_id FROM {s}.assessments
        UNION ALL SELECT position, 'ClaimRetracted', claim_id FROM {s}.retractions
        UNION ALL SELECT position, 'DeploymentReported', claim_id FROM {s}.reports
            WHERE claim_id IS NOT NULL
    )
    SELECT r.position, r.kind, r.claim_id FROM refs r
     WHERE r.position <= %s AND NOT EXISTS (
        SELECT 1 FROM {s}.claims c WHERE c.claim_id = r.claim_id AND c.position <= %s)
     ORDER BY r.position, r.claim_id
    """
    return [
        (int(p), k, c) for p, k, c in conn.execute(qualified(query, schema), (position, position))
    ]
