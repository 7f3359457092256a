"""A projection's definition: DDL and COPY come from one column list, and a changed
definition makes the next fold rebuild the projection instead of skipping the change."""

from dataclasses import replace
from typing import Any

from ledger.demo import load_seed
from ledger.projection import sources
from ledger.projection.definition import Handler, Table
from ledger.projection.fold import fold
from ledger.projection.schema import cursor_of
from ledger.store.postgres import PostgresLedger


def test_ddl_and_copy_come_from_one_column_list() -> None:
    table = Table("t", ("position bigint NOT NULL", "name text"), indexes=(("name",),))
    assert table.column_names == ("position", "name")
    ddl = table.ddl()
    assert "position bigint NOT NULL" in ddl and "PRIMARY KEY (position)" in ddl
    assert "CREATE INDEX IF NOT EXISTS t_name ON {s}.t (name)" in ddl
    assert table.copy_statement("x").as_string() == 'COPY "x"."t" ("position", "name") FROM STDIN'


def test_copy_is_told_the_declared_types() -> None:
    table = Table(
        "t",
        (
            "position bigint NOT NULL",
            "seen bigint[] NOT NULL",
            "score double precision",
            "at timestamptz DEFAULT now()",
        ),
        marked=True,
    )
    assert table.column_types == (
        "bigint",
        "bigint[]",
        "double precision",
        "timestamptz",
        "smallint",
        "text[]",
    )


def test_the_fingerprint_follows_the_definition() -> None:
    base = sources.PROJECTION
    assert replace(base, version=2).fingerprint != base.fingerprint
    wider = replace(base, tables=(*base.tables[:-1], _with_column(base.tables[-1], "x text")))
    assert wider.fingerprint != base.fingerprint
    assert replace(base).fingerprint == base.fingerprint


def _with_column(table: Table, column: str) -> Table:
    return replace(table, columns=(*table.columns, column))


def test_a_changed_definition_rebuilds_on_the_next_fold(ledger: PostgresLedger) -> None:
    load_seed(ledger)
    first = fold(ledger, "sources")
    assert not first.rebuilt and first.start == 0
    assert fold(ledger, "sources").folded == 0  # nothing new: nothing folded

    base = sources.PROJECTION
    documents = base.table("documents")

    def document_row(position: int, r: dict[str, Any]) -> tuple[Any, ...]:
        row = base.handlers["DocumentIngested"].row(position, r)
        return (*row, r["title"].lower())

    changed = replace(
        base,
        tables=tuple(
            _with_column(t, "title_lower text NOT NULL") if t is documents else t
            for t in base.tables
        ),
        handlers={**base.handlers, "DocumentIngested": Handler("documents", document_row)},
    )
    again = fold(ledger, changed)
    assert again.rebuilt and again.start == 0 and again.cursor == first.cursor
    assert again.folded == first.folded  # every event folded again, from the start
    with ledger.connection() as conn:
        row = conn.execute("SELECT title, title_lower FROM projection.documents").fetchone()
        stored = cursor_of(conn, "sources")
    assert row is not None and row[1] == row[0].lower()
    assert stored is not None and stored.version == changed.fingerprint
    assert not fold(ledger, changed).rebuilt  # the new definition is now the stored one
    assert fold(ledger, "sources").rebuilt  # and going back rebuilds again
