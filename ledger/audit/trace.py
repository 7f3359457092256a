"""Provenance trees: where a claim or a posture row comes from, event by event.

A claim's tree: the claim, its document and outlet, the hops of reported speech from the
outlet inwards to the original speaker (each source with the reliability it had at the
traced position), the assessments and retractions that name it, and the deployment
reports it backs with the posture rows that use them. A posture row's tree: the row,
then each report it rests on with that report's claim tree. Every node carries its
ledger position and record time. Rendering is the caller's (the CLI draws a text tree).
"""

from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Any

from ledger.domain.posture import PostureRow
from ledger.projection.claim_history import claim_history
from ledger.projection.posture_reads import posture
from ledger.projection.schema import SCHEMA, qualified
from ledger.projection.views import ClaimHistory
from ledger.store.audit_reads import record_times
from ledger.store.connection import Conn


@dataclass
class TraceNode:
    """One event (or derived row) in a provenance tree."""

    kind: str
    id: str
    label: str
    position: int | None
    recorded_at: datetime | None = None
    details: dict[str, Any] = field(default_factory=dict)
    children: list["TraceNode"] = field(default_factory=list)

    def walk(self) -> list["TraceNode"]:
        """This node and every node below it, depth first."""
        return [self, *(n for child in self.children for n in child.walk())]

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "label": self.label,
            "position": self.position,
            "recorded_at": self.recorded_at.isoformat() if self.recorded_at else None,
            "details": {
                k: v.isoformat() if isinstance(v, datetime) else v for k, v in self.details.items()
            },
            "children": [c.as_json() for c in self.children],
        }


def trace_claim(conn: Conn, claim_id: str, position: int, schema: str = SCHEMA) -> TraceNode | None:
    """The provenance tree of ``claim_id`` as known at ``position`` (None if unknown)."""
    root = _claim(conn, claim_id, position, schema, with_posture=True)
    if root is not None:
        _stamp(conn, root)
    return root


def trace_posture(
    conn: Conn, actor_id: str, place_key: str, position: int, schema: str = SCHEMA
) -> TraceNode | None:
    """The provenance tree of one posture row as known at ``position`` (None if none)."""
    rows = posture(conn, position, keys=[(actor_id, place_key)], schema=schema)
    if not rows:
        return None
    root = _posture(rows[0], None)
    roles = {rows[0].winner.position: "winner"}
    roles.update({p: "supporting" for p in rows[0].supporting})
    roles.update({p: "contradicting" for p in rows[0].contradicting})
    for report_position, role in sorted(roles.items()):
        report = _report_row(conn, report_position, schema)
        if report is None:
            continue
        node = _report(report, role)
        claim_id = report[8]
        if claim_id:
            claim = _claim(conn, claim_id, position, schema, with_posture=False)
            if claim is not None:
                node.children.append(claim)
        root.children.append(node)
    _stamp(conn, root)
    return root


def _rows(conn: Conn, text: str, schema: str, *args: Any) -> list[tuple[Any, ...]]:
    return conn.execute(qualified(text, schema), args).fetchall()


def _claim(
    conn: Conn, claim_id: str, position: int, schema: str, *, with_posture: bool
) -> TraceNode | None:
    history = claim_history(conn, claim_id, position, schema)
    if history is None:
        return None
    asserted = _rows(
        conn,
        "SELECT position, document_id, kind, statement, valid_from, credibility FROM {s}.claims"
        " WHERE claim_id = %s AND position <= %s ORDER BY position LIMIT 1",
        schema,
        claim_id,
        position,
    )
    status = history.status.value if history.status else "UNRESOLVED"
    if asserted:
        at, document_id, kind, statement, valid_from, credibility = asserted[0]
        root = TraceNode(
            "claim",
            claim_id,
            statement,
            at,
            details={
                "kind": kind,
                "credibility": credibility,
                "valid_from": valid_from,
                "status": status,
                "origin": history.origin,
                "independent_corroborations": history.independent_corroborations,
            },
        )
    else:
        document_id = None
        root = TraceNode(
            "claim",
            claim_id,
            "named by events but never asserted (unresolved)",
            None,
            details={"status": status},
        )
    speech = _speech(conn, history, position, schema)
    if document_id is not None:
        document = _document(conn, document_id, position, schema)
        if speech is not None:
            document.children.append(speech)
        root.children.append(document)
    elif speech is not None:
        root.children.append(speech)
    for at, claim, related, relation, independence, rationale in _rows(
        conn,
        "SELECT position, claim_id, related_claim_id, relation, independence, rationale"
        " FROM {s}.assessments WHERE (claim_id = %s OR related_claim_id = %s)"
        " AND position <= %s ORDER BY position",
        schema,
        claim_id,
        claim_id,
        position,
    ):
        root.children.append(
            TraceNode(
                "assessment",
                f"{claim} {relation} {related}",
                f"{claim} {relation.lower()} {related} ({independence.lower()}): {rationale}",
                at,
                details={"relation": relation, "independence": independence},
            )
        )
    for at, by, reason, superseded in _rows(
        conn,
        "SELECT position, retracted_by, reason, superseded_by_claim_id FROM {s}.retractions"
        " WHERE claim_id = %s AND position <= %s ORDER BY position",
        schema,
        claim_id,
        position,
    ):
        root.children.append(
            TraceNode(
                "retraction",
                claim_id,
                f"retracted ({by}): {reason}",
                at,
                details={"retracted_by": by, "superseded_by": superseded},
            )
        )
    for report in _rows(
        conn,
        "SELECT position, report_id, actor_id, place_key, place_name, activity,"
        " strength_text, credibility, claim_id FROM {s}.reports"
        " WHERE claim_id = %s AND position <= %s ORDER BY position",
        schema,
        claim_id,
        position,
    ):
        node = _report(report, None)
        if with_posture:
            rows = posture(conn, position, keys=[(report[2], report[3])], schema=schema)
            for row in rows:
                if report[0] in row.positions:
                    node.children.append(_posture(row, _role(row, report[0])))
        root.children.append(node)
    return root


def _role(row: PostureRow, position: int) -> str:
    if row.winner.position == position:
        return "winner"
    return "contradicting" if position in row.contradicting else "supporting"


def _document(conn: Conn, document_id: str, position: int, schema: str) -> TraceNode:
    found = _rows(
        conn,
        "SELECT position, title, outlet_source_id, published_at FROM {s}.documents"
        " WHERE document_id = %s AND position <= %s ORDER BY position LIMIT 1",
        schema,
        document_id,
        position,
    )
    if not found:
        return TraceNode("document", document_id, "document not ingested (unresolved)", None)
    at, title, outlet, published = found[0]
    node = TraceNode("document", document_id, title, at, details={"published_at": published})
    node.children.append(_source(conn, outlet, position, schema, role="outlet"))
    return node


def _speech(conn: Conn, history: ClaimHistory, position: int, schema: str) -> TraceNode | None:
    """The hops of reported speech nested from the outermost (who published it) inwards
    to the original speaker."""
    hops = []
    for hop in reversed(history.chain):  # the chain runs from the original speaker out
        via = f" via {hop.via_source_id}" if hop.via_source_id else ""
        node = TraceNode(
            "attribution",
            hop.source_id,
            f"said by {hop.source_id}{via} ({hop.mode.lower()}, access {hop.access.lower()})",
            hop.position,
            details={"mode": hop.mode, "access": hop.access, "via": hop.via_source_id},
        )
        node.children.append(_source(conn, hop.source_id, position, schema, role="speaker"))
        hops.append(node)
    for outer, inner in pairwise(hops):
        outer.children.append(inner)
    return hops[0] if hops else None


def _source(conn: Conn, source_id: str, position: int, schema: str, role: str) -> TraceNode:
    registered = _rows(
        conn,
        "SELECT position, name, kind FROM {s}.sources WHERE source_id = %s AND position <= %s"
        " ORDER BY position LIMIT 1",
        schema,
        source_id,
        position,
    )
    graded = _rows(
        conn,
        "SELECT position, reliability, effective_at, rationale FROM {s}.reliability"
        " WHERE source_id = %s AND position <= %s ORDER BY position DESC LIMIT 1",
        schema,
        source_id,
        position,
    )
    if registered:
        at, name, kind = registered[0]
        label = f"{name} ({kind.lower()})"
    else:
        at, label = None, "source not registered"
    node = TraceNode("source", source_id, label, at, details={"role": role})
    if graded:
        at, grade, effective, rationale = graded[0]
        node.details["reliability"] = grade
        node.children.append(
            TraceNode(
                "reliability",
                source_id,
                f"reliability {grade} from {effective:%Y-%m-%d}: {rationale}",
                at,
                details={"reliability": grade, "effective_at": effective},
            )
        )
    else:
        node.details["reliability"] = None
    return node


def _report_row(conn: Conn, position: int, schema: str) -> tuple[Any, ...] | None:
    found = _rows(
        conn,
        "SELECT position, report_id, actor_id, place_key, place_name, activity,"
        " strength_text, credibility, claim_id FROM {s}.reports WHERE position = %s",
        schema,
        position,
    )
    return found[0] if found else None


def _report(row: tuple[Any, ...], role: str | None) -> TraceNode:
    at, report_id, actor, place_key, place, activity, strength, credibility, _ = row
    strength_text = f": {strength}" if strength else ""
    details: dict[str, Any] = {
        "actor_id": actor,
        "place_key": place_key,
        "activity": activity,
        "credibility": credibility,
    }
    if role is not None:
        details["role"] = role
    label = f"{actor} {activity.lower()} at {place}{strength_text}"
    return TraceNode("report", report_id, label, at, details=details)


def _posture(row: PostureRow, role: str | None) -> TraceNode:
    w = row.winner
    strength = f" {w.strength_text}" if w.strength_text else ""
    details: dict[str, Any] = {
        "status": row.status.value,
        "grade": w.grade,
        "positions": list(row.positions),
    }
    if role is not None:
        details["role_of_report"] = role
    return TraceNode(
        "posture",
        f"{row.actor_id}@{row.place_key}",
        f"{row.actor_id} at {row.place_name}: {row.status.value} {w.activity.value}{strength}"
        f" grade {w.grade}",
        w.position,
        details=details,
    )


def _stamp(conn: Conn, root: TraceNode) -> None:
    """Fill in each node's record time from the ledger, in one query."""
    nodes = [n for n in root.walk() if n.position is not None]
    positions = sorted({n.position for n in nodes if n.position is not None})
    times = record_times(conn, positions)
    for node in nodes:
        node.recorded_at = None if node.position is None else times.get(node.position)
