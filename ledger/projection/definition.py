"""What a projection is: its tables (columns declared once), one handler per event type
it folds, an optional step after each fold, and a version.

The DDL, the COPY statement and the fingerprint kept beside the cursor are all derived
from this one declaration, so a changed column cannot be silently skipped: a stored
fingerprint that differs from the code's makes the next fold rebuild the projection.
"""

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from psycopg import sql

from ledger.domain.marking import rank_of
from ledger.store.connection import Conn

Row = tuple[Any, ...]
_CONSTRAINT = re.compile(r"\s+(?:NOT NULL|NULL|DEFAULT|PRIMARY|REFERENCES|CHECK|UNIQUE)\b")
Part = tuple[int, int]
"""``(i, n)``: the i-th of n disjoint shares of a piece of work."""
WHOLE: Part = (0, 1)
AfterFold = Callable[[Conn, str, int, int, Part], None]
"""``(conn, schema, start, target, part)``: runs in the fold's transaction after the new
rows. The shares ``(0, n)`` to ``(n - 1, n)`` write disjoint rows and together do what
``WHOLE`` does, so a rebuild can run them in ``n`` processes at once."""


MARKING_COLUMNS = ("marking_rank smallint NOT NULL", "marking_compartments text[] NOT NULL")
"""The marking of a fact row's event: level rank (``ledger.domain.marking.RANK``) and
compartments."""


def marking_values(record: dict[str, Any]) -> tuple[int, list[str]]:
    """The marking columns of a fact row, from its event's Avro record."""
    envelope = record["envelope"]
    return rank_of(envelope["classification"]), sorted(envelope.get("compartments") or ())


@dataclass(frozen=True)
class Table:
    """A table of a projection; each column is ``"name TYPE [constraints]"``."""

    name: str
    columns: tuple[str, ...]
    primary_key: tuple[str, ...] = ("position",)
    indexes: tuple[tuple[str, ...], ...] = ()
    order: str = "position"
    """The order its rows are digested in: a unique key."""
    marked: bool = False
    """A fact table (one row per event, written by a handler): each row carries the
    marking of its event (``MARKING_COLUMNS``), which row-level security checks."""

    @property
    def all_columns(self) -> tuple[str, ...]:
        return (*self.columns, *MARKING_COLUMNS) if self.marked else self.columns

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.split(maxsplit=1)[0] for column in self.all_columns)

    def ddl(self) -> str:
        """``CREATE TABLE`` and its indexes, with ``{s}`` standing for the schema."""
        body = ",\n    ".join((*self.all_columns, f"PRIMARY KEY ({', '.join(self.primary_key)})"))
        statements = [f"CREATE TABLE IF NOT EXISTS {{s}}.{self.name} (\n    {body}\n);"]
        for index in self.indexes:
            label = f"{self.name}_{'_'.join(index)}"
            statements.append(
                f"CREATE INDEX IF NOT EXISTS {label} ON {{s}}.{self.name} ({', '.join(index)});"
            )
        return "\n".join(statements)

    @property
    def column_types(self) -> tuple[str, ...]:
        """Each column's PostgreSQL type, as declared (``bigint[]``, ``timestamptz``)."""
        return tuple(_CONSTRAINT.split(c.split(maxsplit=1)[1])[0] for c in self.all_columns)

    def copy_statement(self, schema: str) -> sql.Composed:
        columns = sql.SQL(", ").join(sql.Identifier(c) for c in self.column_names)
        return sql.SQL("COPY {}.{} ({}) FROM STDIN").format(
            sql.Identifier(schema), sql.Identifier(self.name), columns
        )

    def copy_rows(self, conn: Conn, schema: str, rows: Iterable[Row]) -> int:
        """COPY ``rows`` (in column order) into the table in ``schema``; how many. COPY
        is told the column types, so it does not work out a dumper for every value (a
        third of the time of writing a posture row with its three arrays)."""
        count = 0
        with conn.cursor().copy(self.copy_statement(schema)) as copy:
            copy.set_types(list(self.column_types))
            for row in rows:
                copy.write_row(row)
                count += 1
        return count


@dataclass(frozen=True)
class Handler:
    """How one event type becomes a row: the table and the row for ``(position, record)``
    (the Avro record as stored, resolved to the newest schema)."""

    table: str
    row: Callable[[int, dict[str, Any]], Row]


@dataclass(frozen=True)
class Projection:
    """One view folded from the ledger, behind a cursor of its own."""

    name: str
    version: int
    tables: tuple[Table, ...]
    handlers: Mapping[str, Handler]
    upstream: tuple[str, ...] = ()
    """Projections this one reads while folding: it folds no further than they have."""
    after_fold: AfterFold | None = None
    description: str = ""
    _tables: dict[str, Table] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        written = {h.table for h in self.handlers.values()}
        unknown = written - {t.name for t in self.tables}
        if unknown:
            raise ValueError(f"projection {self.name}: handlers write unknown tables {unknown}")
        marked = tuple(replace(t, marked=t.name in written) for t in self.tables)
        object.__setattr__(self, "tables", marked)
        object.__setattr__(self, "_tables", {t.name: t for t in marked})

    @property
    def event_types(self) -> tuple[str, ...]:
        return tuple(self.handlers)

    def table(self, name: str) -> Table:
        return self._tables[name]

    def ddl(self) -> str:
        return "\n".join(t.ddl() for t in self.tables)

    @property
    def fingerprint(self) -> str:
        """Changes whenever the version, a table or the folded event types change."""
        text = "\n".join(
            (f"{self.name} v{self.version}", self.ddl(), *sorted(self.event_types), *self.upstream)
        )
        return f"v{self.version}:{hashlib.sha256(text.encode()).hexdigest()[:16]}"
