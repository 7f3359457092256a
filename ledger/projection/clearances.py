"""One projection schema per clearance: what a reader's answers are computed from.

The operator's projections live in ``projection`` and fold every event. A reader with a
clearance gets projections of their own, ``projection_c_<label>``, folded from the
events that clearance sees and no others, so every figure, status, count and page is
derived from visible events alone, by the same code as the operator's (not filtered
after the fact). Positions stay the ledger's own: the cursor of a cleared schema is the
last ledger position it has looked at, visible or not.
"""

from collections.abc import Iterable

from ledger.domain.marking import Clearance
from ledger.ports import LedgerStore
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.fold import FoldResult, fold
from ledger.projection.schema import SCHEMA, cursors


def schema_for(clearance: Clearance) -> str:
    """The projection schema answers for ``clearance`` are read from."""
    if clearance.is_operator:
        return SCHEMA
    return f"{SCHEMA}_c_{clearance.label}"


def fold_cleared(store: LedgerStore, clearances: Iterable[Clearance]) -> dict[str, int]:
    """Fold the projections of each clearance as far as the operator's have got (the
    Dagster run does it for the clearances of the keys in use, so that their first
    reads do not wait). Returns the events folded per clearance."""
    with store.connection() as conn:
        found = cursors(conn, SCHEMA)
    upto = min((found.get(name, 0) for name in PROJECTIONS), default=0) if found else 0
    folded: dict[str, int] = {}
    for clearance in clearances:
        if clearance.is_operator:
            continue
        results: list[FoldResult] = [
            fold(
                store,
                name,
                upto=upto,
                schema=schema_for(clearance),
                with_digest=False,
                clearance=clearance,
            )
            for name in PROJECTIONS
        ]
        folded[clearance.text()] = sum(r.folded for r in results)
    return folded
