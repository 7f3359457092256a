"""Replay: rebuild every projection as it was at a past record time, from the events alone.

The replay folds the ledger up to the last position recorded at or before the moment
into a scratch schema (never the live one), then optionally writes each table as CSV
in a fixed order, so the same ledger always gives byte-identical files, and compares the
result with what the live projections answer ``as_of`` that moment.
"""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from psycopg import sql

from ledger.domain.marking import OPERATOR, Clearance
from ledger.errors import LedgerError
from ledger.ports import LedgerStore
from ledger.projection import force_posture
from ledger.projection import schema as tables
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.clearances import schema_for
from ledger.projection.fold import drop_schema, fold
from ledger.projection.schema import SCHEMA, qualified
from ledger.projection.service import POSTURE, SOURCES, ReadService, choose_position
from ledger.projection.views import PostureView
from ledger.store.audit_reads import hash_at as stored_hash
from ledger.store.connection import Conn

Progress = Callable[[str, int], None]
"""Told (projection name, ledger position reached) as a replay folds."""

ORDER = {"cursors": "name", **{t: "actor_id, place_key" for t in force_posture.DERIVED}}
"""How each table is ordered when written out (every other table: by position)."""

MAX_DIFFERENCES = 50


@dataclass(frozen=True)
class Difference:
    """Where the live projection's ``as_of`` answer differs from the replay's."""

    projection: str
    key: str
    problem: str

    def __str__(self) -> str:
        return f"{self.projection} {self.key}: {self.problem}"


@dataclass
class ReplayResult:
    as_of: datetime | None
    position: int
    head_hash: bytes
    schema: str | None
    out: Path | None
    digests: dict[str, str]
    rows: dict[str, int]
    seconds: float
    compared: bool = False
    differences: list[Difference] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "position": self.position,
            "hash_at_position": self.head_hash.hex(),
            "schema": self.schema,
            "out": str(self.out) if self.out else None,
            "digests": self.digests,
            "rows": self.rows,
            "seconds": round(self.seconds, 3),
            "compared": self.compared,
            "differences": [
                {"projection": d.projection, "key": d.key, "problem": d.problem}
                for d in self.differences
            ],
        }


def replay_schema_name(position: int) -> str:
    return f"projection_replay_{position}"


def hash_at(conn: Conn, position: int) -> bytes:
    """The stored hash of ``position`` (the genesis hash for 0)."""
    if position == 0:
        return bytes(32)
    found = stored_hash(conn, position)
    if found is None:
        raise LedgerError(f"the ledger has no event at position {position}")
    return found


def fold_into(
    ledger: LedgerStore,
    position: int,
    schema: str,
    progress: Progress | None = None,
    clearance: Clearance = OPERATOR,
) -> dict[str, str]:
    """Fold every projection from scratch up to ``position`` into ``schema`` (replacing
    what it held), from the events ``clearance`` sees; returns each projection's digest."""
    if schema == SCHEMA:
        raise LedgerError(f"a replay never writes into the live schema {SCHEMA!r}")
    drop_schema(ledger, schema)
    digests = {}
    for name in PROJECTIONS:

        def told(reached: int, name: str = name) -> None:
            if progress is not None:
                progress(name, reached)

        digests[name] = fold(
            ledger, name, upto=position, schema=schema, progress=told, clearance=clearance
        ).digest
        told(position)
    return digests


def replay(
    ledger: LedgerStore,
    *,
    as_of: datetime | None = None,
    position: int | None = None,
    schema: str | None = None,
    out: Path | None = None,
    compare: bool = False,
    progress: Progress | None = None,
    clearance: Clearance = OPERATOR,
) -> ReplayResult:
    """Rebuild the projections as they were at record time ``as_of`` (or at ``position``;
    default the head) into ``schema`` (kept) or, given ``out``, into CSV files there: as a
    reader with ``clearance`` would have them (compared with that clearance's own)."""
    started = time.perf_counter()
    with ledger.connection() as conn:
        if position is None:
            position = ledger.position_at(as_of) if as_of is not None else ledger.head().position
        head_hash = hash_at(conn, position)
    target = schema or replay_schema_name(position)
    try:
        digests = fold_into(ledger, position, target, progress, clearance)
        with ledger.connection() as conn:
            rows = _row_counts(conn, target)
            live = schema_for(clearance)
            differences = compare_as_of(ledger, conn, position, target, live) if compare else []
            if out is not None:
                write_tables(conn, target, out)
                manifest = {
                    "as_of": as_of.isoformat() if as_of else None,
                    "position": position,
                    "hash_at_position": head_hash.hex(),
                    "digests": digests,
                    "rows": rows,
                }
                (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    finally:
        if out is not None:
            drop_schema(ledger, target)
    return ReplayResult(
        as_of=as_of,
        position=position,
        head_hash=head_hash,
        schema=None if out is not None else target,
        out=out,
        digests=digests,
        rows=rows,
        seconds=time.perf_counter() - started,
        compared=compare,
        differences=differences,
    )


def _tables() -> list[str]:
    return [t.name for p in PROJECTIONS.values() for t in p.tables]


def _row_counts(conn: Conn, schema: str) -> dict[str, int]:
    counts = {}
    for table in _tables():
        row = conn.execute(qualified(f"SELECT count(*) FROM {{s}}.{table}", schema)).fetchone()
        counts[table] = int(row[0]) if row else 0
    return counts


def write_tables(conn: Conn, schema: str, out: Path) -> None:
    """Each table of ``schema`` as ``<table>.csv`` under ``out``, in a fixed row order and
    with times in UTC, so equal projections give byte-identical files."""
    out.mkdir(parents=True, exist_ok=True)
    with conn.transaction():
        conn.execute("SET LOCAL TimeZone = 'UTC'")
        for table in ["cursors", *_tables()]:
            # a cursor's updated_at is the fold's wall-clock time: not part of the replay
            columns = "name, position" if table == "cursors" else "*"
            query = sql.SQL(
                "COPY (SELECT {} FROM {}.{} ORDER BY {}) TO STDOUT WITH CSV HEADER"
            ).format(
                sql.SQL(columns),
                sql.Identifier(schema),
                sql.Identifier(table),
                sql.SQL(ORDER.get(table, "position")),
            )
            with (out / f"{table}.csv").open("wb") as file, conn.cursor().copy(query) as copy:
                for chunk in copy:
                    file.write(chunk)


def compare_as_of(
    ledger: LedgerStore, conn: Conn, position: int, replayed: str, live: str = SCHEMA
) -> list[Difference]:
    """How the live projections, asked ``as_of`` ``position``, differ from the replay:
    every fact row known by then, the force posture and the source register."""
    if not tables.exists(conn, live):
        raise LedgerError("no live projections to compare with: run `ledger project` first")
    found: list[Difference] = []
    for name, projection in PROJECTIONS.items():
        cursor = tables.cursor(conn, name, live)
        if cursor < position:
            found.append(
                Difference(
                    name,
                    "cursor",
                    f"the live projection has folded only to position {cursor}, before "
                    f"{position}; run `ledger project` to compare",
                )
            )
            continue
        for table in projection.tables:
            if table.name in force_posture.DERIVED:
                continue  # answered as of any position by `posture`, compared below
            found.extend(_fact_differences(conn, name, table.name, position, replayed, live))
    if not any(d.key == "cursor" for d in found):
        found.extend(answer_differences(ledger, position, replayed, live))
    return found[:MAX_DIFFERENCES]


def _fact_differences(
    conn: Conn, name: str, table: str, position: int, replayed: str, live: str
) -> list[Difference]:
    query = sql.SQL(
        "SELECT position, 'live' FROM (SELECT * FROM {l}.{t} WHERE position <= {p}"
        " EXCEPT ALL SELECT * FROM {r}.{t}) x"
        " UNION ALL SELECT position, 'replay' FROM (SELECT * FROM {r}.{t}"
        " EXCEPT ALL SELECT * FROM {l}.{t} WHERE position <= {p}) y"
        " ORDER BY 1 LIMIT {n}"
    ).format(
        l=sql.Identifier(live),
        r=sql.Identifier(replayed),
        t=sql.Identifier(table),
        p=position,
        n=MAX_DIFFERENCES,
    )
    return [
        Difference(
            name,
            f"{table} position {p}",
            "the live projection has this row and the replay does not"
            if side == "live"
            else "the replay has this row and the live projection does not",
        )
        for p, side in conn.execute(query)
    ]


def answer_differences(
    ledger: LedgerStore, position: int, replayed: str, live: str
) -> list[Difference]:
    """The answers the read service gives at ``position`` from the live projections and
    from the replay: the force posture (every status) and the source register."""
    found = []
    answers = []
    for schema in (live, replayed):
        reads = ReadService(ledger, schema)
        cursors = reads.cursors()
        at = choose_position(cursors, POSTURE, pinned=position)
        rows = reads.posture(at, statuses=None, limit=None).items
        registered = reads.sources(choose_position(cursors, SOURCES, pinned=position), limit=None)
        answers.append(({r.key: r for r in rows}, registered.items))
    (live_rows, live_sources), (replay_rows, replay_sources) = answers
    for key in sorted(live_rows.keys() | replay_rows.keys()):
        a, b = live_rows.get(key), replay_rows.get(key)
        if a != b:
            found.append(
                Difference(
                    "force_posture",
                    f"{key[0]} at {key[1]}",
                    f"live answers {_posture_text(a)}, replay {_posture_text(b)}",
                )
            )
    if live_sources != replay_sources:
        found.append(Difference("sources", "register", "the source registers differ"))
    return found


def _posture_text(row: PostureView | None) -> str:
    if row is None:
        return "no row"
    strength = row.strength or "-"
    return (
        f"{row.status.value} {row.activity} {strength} {row.grade} (report {row.report_position})"
    )
