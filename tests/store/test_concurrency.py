"""Several processes appending at once keep positions contiguous and the chain valid."""

import multiprocessing
import uuid
from concurrent.futures import ProcessPoolExecutor

import pytest

from ledger.config import Settings
from ledger.runtime import open_ledger
from ledger.store.postgres import PostgresLedger
from tests.factories import make
from tests.helpers import assert_chain_valid

WRITERS = 4
ROUNDS = 15


def _writer(database_url: str, writer: int, shared_id: str) -> list[int]:
    """Appends single events and batches, some repeating an id every writer uses."""
    positions: list[int] = []
    shared = make("ClaimAsserted", claim_id="claim:shared")
    shared = shared.model_copy(
        update={"envelope": shared.envelope.model_copy(update={"event_id": uuid.UUID(shared_id)})}
    )
    with open_ledger(Settings(database_url=database_url)) as ledger:
        for round_ in range(ROUNDS):
            size = 1 if round_ % 3 == 0 else 7 + writer
            batch = [
                make("ClaimAsserted", claim_id=f"claim:w{writer}-{round_}-{i}") for i in range(size)
            ]
            if round_ % 5 == 0:
                batch.append(shared)
            positions += [r.position for r in ledger.append(batch) if r.appended]
    return positions


@pytest.mark.slow
def test_concurrent_appends_from_processes(database_url: str, ledger: PostgresLedger) -> None:
    shared_id = str(uuid.uuid4())
    # An executor, not multiprocessing.Pool: leaving a Pool's block terminates its
    # workers, and its worker-maintenance thread can start a replacement meanwhile that
    # is never terminated, so the test hung once in CI. The executor's shutdown lets
    # each worker finish and exit on its own.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(WRITERS, mp_context=context) as pool:
        results = list(
            pool.map(_writer, [database_url] * WRITERS, range(WRITERS), [shared_id] * WRITERS)
        )
    appended = sorted(p for positions in results for p in positions)
    total = assert_chain_valid(ledger)
    assert appended == list(range(1, total + 1)), "every position used exactly once"
    ids = [r.event_id for r in ledger.read()]
    assert len(ids) == len(set(ids))
    assert sum(1 for r in ledger.read(stream="claim:shared")) == 1
