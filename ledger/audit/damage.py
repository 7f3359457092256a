"""The ledger as an audit replays it once damage was found: events at broken positions
are left out, and an event that does not decode is reported instead of stopping the fold.

A fresh replay over a tampered ledger must still run to the end, so that the projection
check can compare what it can and the verdict names every damaged position.
"""

from collections.abc import Iterator, Sequence
from typing import Any

from ledger.audit.report import Findings
from ledger.domain.marking import OPERATOR, Clearance
from ledger.errors import LedgerError
from ledger.store.postgres import PostgresLedger


class DamageTolerantLedger(PostgresLedger):
    """Reads the same database as ``ledger``, skipping ``broken`` positions."""

    parallel_folds = False  # worker processes would read the damage it leaves out

    def __init__(self, ledger: PostgresLedger, broken: frozenset[int], findings: Findings):
        super().__init__(ledger.pool, ledger.codec)
        self._broken = broken
        self._findings = findings

    def read_records(
        self,
        *,
        after: int = 0,
        until: int | None = None,
        types: Sequence[str] | None = None,
        clearance: Clearance = OPERATOR,
    ) -> Iterator[tuple[int, str, dict[str, Any]]]:
        rows = self.read_rows(
            after=after, until=until, types=types, batch_size=5000, clearance=clearance
        )
        for row in rows:
            position = int(row["position"])
            if position in self._broken:
                continue
            try:
                record = self.codec.fold_record(bytes(row["payload"]))
            except LedgerError as exc:
                self._findings.add("decoding", position, str(exc))
                continue
            yield position, str(row["event_type"]), record
