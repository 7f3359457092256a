"""The ``sources`` projection: the source register with its reliability history, and
the gazetteer (actors, places) and documents the other projections refer to."""

from collections import defaultdict
from typing import Any

from psycopg import sql

from ledger.domain.enums import Reliability
from ledger.domain.gazetteer import Entry
from ledger.projection.definition import Handler, Projection, Table
from ledger.projection.schema import SCHEMA, all_of, qualified
from ledger.projection.views import DocumentView, Grading, SourceView
from ledger.store.connection import Conn

TABLES = (
    Table(
        "sources",
        (
            "position bigint NOT NULL",
            "source_id text NOT NULL",
            "kind text NOT NULL",
            "name text NOT NULL",
            "aliases text[] NOT NULL",
            "affiliated_source_id text",
        ),
        indexes=(("source_id",),),
    ),
    Table(
        "reliability",
        (
            "position bigint NOT NULL",
            "source_id text NOT NULL",
            "reliability text NOT NULL",
            "effective_at timestamptz NOT NULL",
            "rationale text NOT NULL",
        ),
        indexes=(("source_id", "position"),),
    ),
    Table(
        "actors",
        (
            "position bigint NOT NULL",
            "actor_id text NOT NULL",
            "name text NOT NULL",
            "kind text NOT NULL",
            "aliases text[] NOT NULL",
            "parent_actor_id text",
            "member_of text[] NOT NULL",
        ),
    ),
    Table(
        "places",
        (
            "position bigint NOT NULL",
            "place_id text NOT NULL",
            "name text NOT NULL",
            "kind text NOT NULL",
            "aliases text[] NOT NULL",
            "latitude double precision",
            "longitude double precision",
        ),
    ),
    Table(
        "documents",
        (
            "position bigint NOT NULL",
            "document_id text NOT NULL",
            "title text NOT NULL",
            "outlet_source_id text NOT NULL",
            "published_at timestamptz",
        ),
    ),
)


def _row(*fields: str) -> Any:
    """A handler row of the position and these fields of the record, in order."""

    def row(position: int, r: dict[str, Any]) -> tuple[Any, ...]:
        return (position, *(r[f] for f in fields))

    return row


PROJECTION = Projection(
    name="sources",
    version=1,
    description="Source register (with reliability history), actors, places and documents.",
    tables=TABLES,
    handlers={
        "SourceRegistered": Handler(
            "sources", _row("source_id", "kind", "name", "aliases", "affiliated_source_id")
        ),
        "SourceReliabilityAssessed": Handler(
            "reliability", _row("source_id", "reliability", "effective_at", "rationale")
        ),
        "ActorRegistered": Handler(
            "actors", _row("actor_id", "name", "kind", "aliases", "parent_actor_id", "member_of")
        ),
        "PlaceRegistered": Handler(
            "places", _row("place_id", "name", "kind", "aliases", "latitude", "longitude")
        ),
        "DocumentIngested": Handler(
            "documents", _row("document_id", "title", "outlet_source_id", "published_at")
        ),
    },
)


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


def reliability_history(
    conn: Conn, source_ids: list[str], position: int, schema: str = SCHEMA
) -> list[tuple[int, str, Reliability]]:
    """Every grading of the sources up to ``position``, in position order: what
    ``reliabilities_at`` needs to answer for any cut before it."""
    rows = conn.execute(
        qualified(
            "SELECT position, source_id, reliability FROM {s}.reliability"
            " WHERE position <= %s AND source_id = ANY(%s) ORDER BY position",
            schema,
        ),
        (position, source_ids),
    )
    return [(int(p), str(source), Reliability(value)) for p, source, value in rows]


def reliabilities_at(
    history: list[tuple[int, str, Reliability]], cut: int
) -> dict[str, Reliability]:
    """Each source's reliability as last assessed at or before ``cut``."""
    found: dict[str, Reliability] = {}
    for position, source, reliability in history:
        if position > cut:
            break
        found[source] = reliability
    return found


def _first_registrations(
    conn: Conn,
    table: str,
    key: str,
    columns: str,
    position: int,
    *,
    ids: list[str] | None,
    after: str | None,
    limit: int | None,
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
        " ORDER BY {k}, position{n}"
    ).format(
        k=sql.Identifier(key),
        c=sql.SQL(columns),
        s=sql.Identifier(schema),
        t=sql.Identifier(table),
        w=all_of(conditions + (where or [])),
        n=sql.SQL(" LIMIT {}").format(limit) if limit is not None else sql.SQL(""),
    )
    return conn.execute(query).fetchall()


def sources(
    conn: Conn,
    position: int,
    *,
    source_ids: list[str] | None = None,
    after: str | None = None,
    limit: int | None = 100,
    schema: str = SCHEMA,
) -> list[SourceView]:
    """A page of sources registered by ``position``, each with its grading history
    (``limit=None``: all of them)."""
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
            source_id=r[0],
            position=r[1],
            name=r[2],
            kind=r[3],
            aliases=tuple(r[4]),
            affiliated_source_id=r[5],
            reliability=history[r[0]][-1].reliability if history[r[0]] else None,
            history=tuple(history[r[0]]),
        )
        for r in found
    ]


def documents(
    conn: Conn,
    position: int,
    *,
    document_ids: list[str] | None = None,
    outlet: str | None = None,
    after: str | None = None,
    limit: int | None = 100,
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


def gazetteer_entries(
    conn: Conn, position: int, schema: str = SCHEMA, since: int = 0
) -> tuple[list[Entry], list[Entry], list[Entry], list[Entry]]:
    """Actors, places, sources and documents (named by their titles) registered or
    ingested by ``position``, each as first recorded. With ``since``, only rows after
    that position: an index built up to ``since`` adds those whose ids it lacks."""
    later: list[sql.Composable] | None = [sql.SQL("position > {}").format(since)] if since else None

    def rows(table: str, key: str, columns: str) -> list[tuple[Any, ...]]:
        return _first_registrations(
            conn,
            table,
            key,
            columns,
            position,
            ids=None,
            after=None,
            limit=None,
            schema=schema,
            where=later,
        )

    actors = [
        Entry(r[0], r[2], r[3], tuple(r[4]), r[5], tuple(r[6]), position=r[1])
        for r in rows("actors", "actor_id", "name, kind, aliases, parent_actor_id, member_of")
    ]
    places = [
        Entry(r[0], r[2], r[3], tuple(r[4]), latitude=r[5], longitude=r[6], position=r[1])
        for r in rows("places", "place_id", "name, kind, aliases, latitude, longitude")
    ]
    registered = [
        Entry(r[0], r[2], r[3], tuple(r[4]), r[5], position=r[1])
        for r in rows("sources", "source_id", "name, kind, aliases, affiliated_source_id")
    ]
    documents = [
        Entry(r[0], r[2], "DOCUMENT", parent_id=r[3], position=r[1])
        for r in rows("documents", "document_id", "title, outlet_source_id")
    ]
    return actors, places, registered, documents
