"""Fresh answers: a CLI read first folds what the projections have not seen yet (an
incremental fold of each projection in catalog order), and says so when it answers from
behind the ledger head (``--no-refresh``, or events appended meanwhile) or from before
the ledger's first event (an ``--as-of`` earlier than anything recorded)."""

from datetime import UTC, datetime

from ledger.cli.context import err
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.fold import fold
from ledger.projection.service import ReadPosition
from ledger.runtime import Runtime


def refresh(runtime: Runtime, enabled: bool = True) -> int:
    """Bring every projection to the head (when ``enabled``); the head position."""
    head = runtime.store.head().position
    if enabled:
        for name in PROJECTIONS:
            fold(runtime.store, name, upto=head, with_digest=False)
    runtime.reads.catch_up_with_operator()
    return head


def note_if_behind(at: ReadPosition, head: int) -> None:
    """One line on stderr when the answer rests on fewer events than the ledger holds
    (and the user did not ask for a past record time)."""
    if at.as_of is None and at.position < head:
        err.print(
            f"note: answered at position {at.position}; the ledger head is {head}"
            f" ({head - at.position} events not folded yet: run without --no-refresh,"
            " or `ledger project`)"
        )


def note_if_before_first(runtime: Runtime, at: ReadPosition, flag: str = "--as-of") -> None:
    """One line on stderr when a record-time cut falls before the first event: the
    answer is empty because nothing was recorded yet then, not because nothing is known."""
    if at.as_of is None or at.position > 0:
        return
    first = next(iter(runtime.store.read(limit=1, clearance=runtime.reads.clearance)), None)
    if first is None:
        return
    asked = _utc(at.as_of)
    recorded = _utc(first.recorded_at)
    err.print(
        f"note: nothing was recorded by {asked} ({flag}): the ledger's first event was "
        f"recorded at {recorded}; {flag} is record time (when the ledger learnt a fact), "
        "--valid-at is world time (when it was true)"
    )


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
