"""The ``claim_history`` projection: claims, their hops of reported speech, analysts'
assessments and retractions; and the reads that derive a claim's status from them."""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from psycopg import sql

from ledger.domain.claim_status import (
    ClaimStatus,
    Relation,
    claim_status,
    corroborations,
    origin_of,
)
from ledger.domain.claim_status import independent_origins as _independent
from ledger.domain.enums import ClaimRelation, Independence, Reliability
from ledger.domain.posture import Pair, pair
from ledger.projection.definition import Handler, Projection, Table
from ledger.projection.schema import SCHEMA, all_of, qualified
from ledger.projection.sources import reliabilities
from ledger.projection.views import AssessmentView, ClaimEvent, ClaimHistory, ClaimView, Hop
from ledger.store.connection import Conn

TABLES = (
    Table(
        "claims",
        (
            "position bigint NOT NULL",
            "claim_id text NOT NULL",
            "document_id text NOT NULL",
            "kind text NOT NULL",
            "statement text NOT NULL",
            "valid_from timestamptz NOT NULL",
            "valid_to timestamptz",
            "credibility text NOT NULL",
        ),
        indexes=(("claim_id",),),
    ),
    Table(
        "attributions",
        (
            "position bigint NOT NULL",
            "claim_id text NOT NULL",
            "source_id text NOT NULL",
            "via_source_id text",
            "mode text NOT NULL",
            "access text NOT NULL",
        ),
        indexes=(("claim_id",), ("source_id",)),
    ),
    Table(
        "assessments",
        (
            "position bigint NOT NULL",
            "claim_id text NOT NULL",
            "related_claim_id text NOT NULL",
            "relation text NOT NULL",
            "independence text NOT NULL",
            "rationale text NOT NULL",
        ),
        indexes=(("claim_id",), ("related_claim_id",)),
    ),
    Table(
        "retractions",
        (
            "position bigint NOT NULL",
            "claim_id text NOT NULL",
            "retracted_by text NOT NULL",
            "reason text NOT NULL",
            "superseded_by_claim_id text",
        ),
        indexes=(("claim_id",),),
    ),
)


def _claim(position: int, r: dict[str, Any]) -> tuple[Any, ...]:
    span = r["valid_time"]
    return (
        position,
        r["claim_id"],
        r["document_id"],
        r["kind"],
        r["statement"],
        span["start"],
        span["end"],
        r["credibility"],
    )


def _attribution(position: int, r: dict[str, Any]) -> tuple[Any, ...]:
    return (position, r["claim_id"], r["source_id"], r["via_source_id"], r["mode"], r["access"])


def _assessment(position: int, r: dict[str, Any]) -> tuple[Any, ...]:
    return (
        position,
        r["claim_id"],
        r["related_claim_id"],
        r["relation"],
        r["independence"],
        r["rationale"],
    )


def _retraction(position: int, r: dict[str, Any]) -> tuple[Any, ...]:
    return (position, r["claim_id"], r["retracted_by"], r["reason"], r["superseded_by_claim_id"])


PROJECTION = Projection(
    name="claim_history",
    version=1,
    description="Claims, their attribution hops, assessments and retractions.",
    tables=TABLES,
    handlers={
        "ClaimAsserted": Handler("claims", _claim),
        "AttributionMade": Handler("attributions", _attribution),
        "ClaimAssessed": Handler("assessments", _assessment),
        "ClaimRetracted": Handler("retractions", _retraction),
    },
)


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


def retracted(conn: Conn, claim_ids: list[str], position: int, schema: str = SCHEMA) -> set[str]:
    """Which of the claims had been retracted by ``position``."""
    return {
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


@dataclass(frozen=True)
class ClaimFacts:
    """What the posture rules need of the claims behind some reports, as known at a
    position: which were retracted, each one's original speaker, and the DUPLICATES and
    CONTRADICTS pairs among them."""

    retracted: set[str]
    origins: dict[str, str]
    pairs: dict[ClaimRelation, set[Pair]]


_CLAIM_FACTS = (
    "SELECT 'r', position, claim_id, NULL, NULL FROM {s}.retractions"
    " WHERE position <= %(p)s AND claim_id = ANY(%(c)s)"
    " UNION ALL SELECT 'o', position, claim_id, source_id, via_source_id FROM {s}.attributions"
    " WHERE position <= %(p)s AND claim_id = ANY(%(c)s)"
    " UNION ALL SELECT 'a', position, claim_id, related_claim_id, relation FROM {s}.assessments"
    " WHERE position <= %(p)s AND claim_id = ANY(%(c)s) AND related_claim_id = ANY(%(c)s)"
    " AND relation = ANY(%(r)s)"
)
_PAIRED = (ClaimRelation.DUPLICATES, ClaimRelation.CONTRADICTS)

FactRow = tuple[str, int, str, str | None, str | None]
"""One row of ``claim_fact_rows``: kind ('r' retraction, 'o' attribution hop, 'a'
assessment), position, claim id, and the hop's source and via or the pair's other claim
and relation."""


def claim_fact_rows(
    conn: Conn, claim_ids: list[str], position: int, schema: str = SCHEMA
) -> list[FactRow]:
    """The retractions, attribution hops and DUPLICATES / CONTRADICTS assessments of the
    claims recorded up to ``position``, each with its own position, in position order:
    one round trip, from which ``facts_at`` answers for ``position`` or any cut before it
    (a timeline asks for a hundred cuts)."""
    rows = conn.execute(
        qualified(_CLAIM_FACTS, schema),
        {"p": position, "c": claim_ids, "r": [r.value for r in _PAIRED]},
    ).fetchall()
    return sorted((tuple(r) for r in rows), key=lambda r: r[1])


def facts_at(rows: list[FactRow], cut: int, claims: set[str] | None = None) -> ClaimFacts:
    """What ``rows`` (position order) say of the claims as known at ``cut``: the pairs
    only among ``claims`` when given."""
    gone: set[str] = set()
    hops: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    pairs: dict[ClaimRelation, set[Pair]] = {relation: set() for relation in _PAIRED}
    for kind, position, claim, other, via in rows:
        if position > cut:
            break
        if kind == "r":
            gone.add(claim)
        elif kind == "o":
            hops[claim].append((str(other), via))
        elif (
            other is not None
            and via is not None
            and claim != other
            and (claims is None or (claim in claims and other in claims))
        ):
            pairs[ClaimRelation(via)].add(pair(claim, other))
    spoken = {claim: origin_of(chain) for claim, chain in hops.items()}
    return ClaimFacts(gone, {c: o for c, o in spoken.items() if o is not None}, pairs)


def claim_facts(
    conn: Conn, claim_ids: list[str], position: int, schema: str = SCHEMA
) -> ClaimFacts:
    """Which claims were retracted, their original speakers (as ``origins`` gives them)
    and the DUPLICATES / CONTRADICTS pairs among them, in one query: one round trip
    instead of three, asked for every posture answer."""
    return facts_at(claim_fact_rows(conn, claim_ids, position, schema), position)


def claim_history(
    conn: Conn, claim_id: str, position: int, schema: str = SCHEMA
) -> ClaimHistory | None:
    """One claim's events, chain of reported speech and status, as known at ``position``."""

    reads = [
        (
            "SELECT position, statement FROM {s}.claims WHERE claim_id = %s"
            " AND position <= %s ORDER BY position LIMIT 1",
            (claim_id, position),
        ),
        (
            "SELECT position, source_id, via_source_id, mode, access FROM {s}.attributions"
            " WHERE claim_id = %s AND position <= %s ORDER BY position",
            (claim_id, position),
        ),
        (
            "SELECT position, claim_id, related_claim_id, relation, independence, rationale"
            " FROM {s}.assessments WHERE (claim_id = %s OR related_claim_id = %s)"
            " AND position <= %s ORDER BY position",
            (claim_id, claim_id, position),
        ),
        (
            "SELECT position, retracted_by, reason FROM {s}.retractions"
            " WHERE claim_id = %s AND position <= %s ORDER BY position",
            (claim_id, position),
        ),
        (
            "SELECT position, actor_id, place_name, activity, strength_text"
            " FROM {s}.reports WHERE claim_id = %s AND position <= %s ORDER BY position",
            (claim_id, position),
        ),
    ]
    with conn.pipeline():  # the five reads in one round trip
        cursors = [conn.execute(qualified(text, schema), args) for text, args in reads]
    asserted, hops, assessed, retractions, reports = (c.fetchall() for c in cursors)
    if not (asserted or hops or assessed or retractions or reports):
        return None
    others = sorted({a[2] if a[1] == claim_id else a[1] for a in assessed})
    origin_by_claim = origins(conn, [claim_id, *others], position, schema)
    own = origin_by_claim.get(claim_id)
    grades = reliabilities(conn, sorted({h[1] for h in hops}), position, schema)
    relations = [
        Relation(
            a[0],
            a[2] if a[1] == claim_id else a[1],
            ClaimRelation(a[3]),
            Independence(a[4]),
            origin_by_claim.get(a[2] if a[1] == claim_id else a[1]),
            a[5],
        )
        for a in assessed
    ]
    verdicts = {v.relation.position: v for v in corroborations(own, relations)}
    events: list[ClaimEvent] = []
    if asserted:
        events.append(ClaimEvent(asserted[0][0], "ClaimAsserted", asserted[0][1]))
    for h in hops:
        via = f" via {h[2]}" if h[2] else ""
        events.append(ClaimEvent(h[0], "AttributionMade", f"said by {h[1]}{via} ({h[3]}, {h[4]})"))
    for a in assessed:
        events.append(ClaimEvent(a[0], "ClaimAssessed", f"{a[1]} {a[3]} {a[2]} ({a[4]}): {a[5]}"))
    for x in retractions:
        events.append(ClaimEvent(x[0], "ClaimRetracted", f"{x[1]}: {x[2]}"))
    for r in reports:
        strength = f": {r[4]}" if r[4] else ""
        events.append(ClaimEvent(r[0], "DeploymentReported", f"{r[1]} {r[3]} at {r[2]}{strength}"))
    events.sort(key=lambda e: (e.position, e.event_type, e.summary))
    return ClaimHistory(
        claim_id=claim_id,
        position=asserted[0][0] if asserted else None,
        statement=asserted[0][1] if asserted else None,
        status=claim_status(bool(retractions), own, relations) if asserted else None,
        origin=own,
        chain=_chain(hops, grades, own),
        events=events,
        independent_corroborations=len(_independent(own, relations)),
        assessments=[
            AssessmentView(
                position=r.position,
                relation=r.relation.value,
                other_claim_id=r.other_claim_id,
                outgoing=a[1] == claim_id,
                independence=r.independence.value,
                other_origin=r.other_origin,
                counts=verdicts[r.position].counts if r.position in verdicts else None,
                why=verdicts[r.position].reason if r.position in verdicts else "",
                rationale=r.rationale,
            )
            for r, a in zip(relations, assessed, strict=True)
        ],
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


def claim_statuses(
    conn: Conn, claim_ids: list[str], position: int, schema: str = SCHEMA
) -> dict[str, tuple[ClaimStatus, str | None]]:
    """Status and original speaker of each claim as known at ``position``, in 3 queries."""
    gone = retracted(conn, claim_ids, position, schema)
    assessed = conn.execute(
        qualified(
            "SELECT position, claim_id, related_claim_id, relation, independence"
            " FROM {s}.assessments WHERE position <= %s"
            " AND (claim_id = ANY(%s) OR related_claim_id = ANY(%s)) ORDER BY position",
            schema,
        ),
        (position, claim_ids, claim_ids),
    ).fetchall()
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
        result[claim] = (claim_status(claim in gone, own, relations), own)
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
            ).format(s, all_of(bounded), limit - len(views))
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


def unresolved_references(
    conn: Conn, position: int, schema: str = SCHEMA, after: int = 0
) -> list[tuple[int, str, str]]:
    """(position, event type, claim id) of the events in (after, position] naming a claim
    not asserted by ``position``."""
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
     WHERE r.position <= %s AND r.position > %s AND NOT EXISTS (
        SELECT 1 FROM {s}.claims c WHERE c.claim_id = r.claim_id AND c.position <= %s)
     ORDER BY r.position, r.claim_id
    """
    return [
        (int(p), k, c)
        for p, k, c in conn.execute(qualified(query, schema), (position, after, position))
    ]
