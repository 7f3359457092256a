"""The projection tables, created in a schema of their own (``projection``, or a shadow)."""

from typing import Any

import psycopg
from psycopg import sql

SCHEMA = "projection"

_DDL = """
CREATE TABLE IF NOT EXISTS {s}.cursors (
    name text PRIMARY KEY, position bigint NOT NULL, updated_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS {s}.sources (
    position bigint PRIMARY KEY, source_id text NOT NULL, kind text NOT NULL,
    name text NOT NULL, aliases text[] NOT NULL, affiliated_source_id text
);
CREATE TABLE IF NOT EXISTS {s}.reliability (
    position bigint PRIMARY KEY, source_id text NOT NULL, reliability text NOT NULL,
    effective_at timestamptz NOT NULL, rationale text NOT NULL
);
CREATE TABLE IF NOT EXISTS {s}.actors (
    position bigint PRIMARY KEY, actor_id text NOT NULL, name text NOT NULL, kind text NOT NULL,
    aliases text[] NOT NULL, parent_actor_id text, member_of text[] NOT NULL
);
CREATE TABLE IF NOT EXISTS {s}.places (
    position bigint PRIMARY KEY, place_id text NOT NULL, name text NOT NULL, kind text NOT NULL,
    aliases text[] NOT NULL, latitude double precision, longitude double precision
);
CREATE TABLE IF NOT EXISTS {s}.documents (
    position bigint PRIMARY KEY, document_id text NOT NULL, title text NOT NULL,
    outlet_source_id text NOT NULL, published_at timestamptz
);
CREATE TABLE IF NOT EXISTS {s}.claims (
    position bigint PRIMARY KEY, claim_id text NOT NULL, document_id text NOT NULL,
    kind text NOT NULL, statement text NOT NULL, valid_from timestamptz NOT NULL,
    valid_to timestamptz, credibility text NOT NULL
);
CREATE TABLE IF NOT EXISTS {s}.attributions (
    position bigint PRIMARY KEY, claim_id text NOT NULL, source_id text NOT NULL,
    via_source_id text, mode text NOT NULL, access text NOT NULL
);
CREATE TABLE IF NOT EXISTS {s}.assessments (
    position bigint PRIMARY KEY, claim_id text NOT NULL, related_claim_id text NOT NULL,
    relation text NOT NULL, independence text NOT NULL, rationale text NOT NULL
);
CREATE TABLE IF NOT EXISTS {s}.retractions (
    position bigint PRIMARY KEY, claim_id text NOT NULL, retracted_by text NOT NULL,
    reason text NOT NULL, superseded_by_claim_id text
);
CREATE TABLE IF NOT EXISTS {s}.reports (
    position bigint PRIMARY KEY, report_id text NOT NULL, actor_id text NOT NULL,
    place_key text NOT NULL, place_name text NOT NULL, activity text NOT NULL,
    valid_from timestamptz NOT NULL, valid_to timestamptz, credibility text NOT NULL,
    low bigint, best bigint, high bigint, strength_text text, claim_id text
);
CREATE TABLE IF NOT EXISTS {s}.current_posture (
    actor_id text NOT NULL, place_key text NOT NULL, place_name text NOT NULL,
    status text NOT NULL, activity text NOT NULL, low bigint, best bigint, high bigint,
    strength_text text, valid_from timestamptz NOT NULL, valid_to timestamptz,
    grade text NOT NULL, report_position bigint NOT NULL, supporting bigint[] NOT NULL,
    contradicting bigint[] NOT NULL, positions bigint[] NOT NULL,
    PRIMARY KEY (actor_id, place_key)
);
CREATE INDEX IF NOT EXISTS reports_key ON {s}.reports (actor_id, place_key);
CREATE INDEX IF NOT EXISTS reports_claim ON {s}.reports (claim_id);
CREATE INDEX IF NOT EXISTS claims_id ON {s}.claims (claim_id);
CREATE INDEX IF NOT EXISTS attributions_claim ON {s}.attributions (claim_id);
CREATE INDEX IF NOT EXISTS attributions_source ON {s}.attributions (source_id);
CREATE INDEX IF NOT EXISTS assessments_claim ON {s}.assessments (claim_id);
CREATE INDEX IF NOT EXISTS assessments_related ON {s}.assessments (related_claim_id);
CREATE INDEX IF NOT EXISTS retractions_claim ON {s}.retractions (claim_id);
CREATE INDEX IF NOT EXISTS reliability_source ON {s}.reliability (source_id, position);
CREATE INDEX IF NOT EXISTS sources_id ON {s}.sources (source_id);
"""

FACT_TABLES = (
    "sources",
    "reliability",
    "actors",
    "places",
    "documents",
    "claims",
    "attributions",
    "assessments",
    "retractions",
    "reports",
)


def qualified(text: str, schema: str) -> sql.Composed:
    """SQL with ``{s}`` standing for the (quoted) projection schema."""
    return sql.SQL(text).format(s=sql.Identifier(schema))


def create(conn: psycopg.Connection[Any], schema: str = SCHEMA) -> None:
    """Create the schema and its tables if missing (idempotent)."""
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
    conn.execute(qualified(_DDL, schema))


def exists(conn: psycopg.Connection[Any], schema: str = SCHEMA) -> bool:
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f"{schema}.cursors",)).fetchone()
    return bool(row and row[0])
