"""The fold of one range of positions: the fact rows of the events in (start, target]
that a clearance sees, copied into a projection's tables on a given connection. The
incremental fold runs it behind its cursor; each worker of a parallel fold runs it on
its own share of a fresh schema."""

from collections import defaultdict
from collections.abc import Callable

from ledger.domain.marking import OPERATOR, Clearance
from ledger.ports import LedgerStore
from ledger.projection.definition import Projection, Row, marking_values
from ledger.store.connection import Conn

FLUSH_ROWS = 20_000
"""Fact rows buffered per table before they are copied into PostgreSQL."""

PROGRESS_EVERY = 10_000
"""Events read between two calls of a fold's ``progress`` callback."""


def fold_range(
    ledger: LedgerStore,
    conn: Conn,
    definition: Projection,
    schema: str,
    start: int,
    target: int,
    progress: Callable[[int], None] | None,
    clearance: Clearance = OPERATOR,
) -> tuple[dict[str, int], int]:
    """Copy the rows of the events in (start, target] that ``clearance`` sees into the
    projection's tables."""
    rows: dict[str, list[Row]] = defaultdict(list)
    added: dict[str, int] = defaultdict(int)
    folded = read = 0
    if target <= start:
        return {}, 0
    handlers = definition.handlers
    for position, event_type, record in ledger.read_records(
        after=start, until=target, types=list(definition.event_types), clearance=clearance
    ):
        read += 1
        if progress is not None and read % PROGRESS_EVERY == 0:
            progress(position)
        handler = handlers.get(event_type)
        if handler is None:
            continue
        table_rows = rows[handler.table]
        table_rows.append((*handler.row(position, record), *marking_values(record)))
        folded += 1
        if len(table_rows) >= FLUSH_ROWS:  # keep memory flat on big folds
            added[handler.table] += definition.table(handler.table).copy_rows(
                conn, schema, table_rows
            )
            rows[handler.table] = []
    for table, pending in rows.items():
        added[table] += definition.table(table).copy_rows(conn, schema, pending)
    return dict(added), folded
