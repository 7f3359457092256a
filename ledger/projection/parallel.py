"""Folding the fact rows of a fresh schema in parallel processes.

A fact row depends on one event alone, so the events of a from-scratch fold split into
position ranges that fold independently, each in a worker process with its own
connections (Python decodes one event at a time per process; two cores fold about twice
as fast). The after-fold step (the current posture of every pair) then runs in the same
processes, one share of the keys each. Only a fold into a schema nobody reads yet (a
rebuild's shadow, a replay's or a check's scratch schema) goes this way: its rows need
not appear in one transaction, because the schema is swapped in, or read, only once
every projection is done.
"""

import psycopg

from ledger.projection.catalog import PROJECTIONS
from ledger.projection.range_fold import fold_range
from ledger.split import ranges
from ledger.store.worker import worker_store

PARALLEL_MIN_EVENTS = 200_000
"""Ranges shorter than this fold in the calling process: starting workers costs about a
second."""


def fold_facts(
    conninfo: str,
    name: str,
    schema: str,
    start: int,
    target: int,
    workers: int,
    *,
    after_fold: bool = False,
) -> tuple[dict[str, int], int]:
    """Fold the events in (start, target] of the catalog projection ``name`` into
    ``schema``'s fact tables across ``workers`` processes; rows added per table, and
    events folded. With ``after_fold``, the same processes then run the projection's
    after-fold step, one share each (``definition.AfterFold``), once every fact row is
    written."""
    # imported here: process pools take 0.03 s to import, and most folds never start one
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    added: dict[str, int] = {}
    folded = 0
    context = get_context("spawn")  # never fork a process that holds a connection pool
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        parts = [
            pool.submit(_fold_part, conninfo, name, schema, after, until)
            for after, until in ranges(start, target, workers)
        ]
        for part in parts:
            rows, events = part.result()
            folded += events
            for table, count in rows.items():
                added[table] = added.get(table, 0) + count
        if after_fold:
            shares = [
                pool.submit(_after_fold_share, conninfo, name, schema, start, target, (i, workers))
                for i in range(workers)
            ]
            for share in shares:
                share.result()
    return added, folded


def _fold_part(
    conninfo: str, name: str, schema: str, after: int, until: int
) -> tuple[dict[str, int], int]:
    """One worker's range, in one transaction of its own."""
    with worker_store(conninfo, "ledger-fold") as store, store.connection() as conn:
        with conn.transaction():
            return fold_range(store, conn, PROJECTIONS[name], schema, after, until, None)


def _after_fold_share(
    conninfo: str, name: str, schema: str, start: int, target: int, part: tuple[int, int]
) -> None:
    """One worker's share of the after-fold step, in one transaction of its own."""
    step = PROJECTIONS[name].after_fold
    assert step is not None
    with psycopg.connect(conninfo, autocommit=True, application_name="ledger-fold") as conn:
        with conn.transaction():
            step(conn, schema, start, target, part)
