"""One read service behind every interface: for the same position, `ledger posture`,
`GET /posture`, `ledger audit replay` and the Dagster fresh-fold check give the same rows."""

import json
from pathlib import Path

from ledger.audit.projection_check import compare_with_fresh_fold
from ledger.audit.replay import replay
from ledger.cli.posture import as_dict
from ledger.config import Settings
from ledger.domain.marking import PUBLIC
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.fold import fold
from ledger.projection.service import LIVE, POSTURE, ReadService, choose_position
from ledger.runtime import bootstrap
from tests.factories import make
from tests.helpers import ledger_cli, seed, serving


def test_the_same_position_gives_the_same_rows_everywhere(
    database_url: str, tmp_path: Path
) -> None:
    with bootstrap(Settings(database_url=database_url)) as runtime:
        seed(runtime.store)
        # a later event the projections have not folded: every answer stays at the cursor
        runtime.store.append([make("ClaimAsserted")])
        at = runtime.reads.position(POSTURE)
        assert at.position == 138
        service_rows = [as_dict(v) for v in runtime.reads.posture(at, limit=None).items]

        cli = ledger_cli("posture", "--no-refresh", "--format", "json", database_url=database_url)
        assert cli.returncode == 0, cli.stderr
        cli_document = json.loads(cli.stdout)
        assert cli_document["position"] == at.position

        with serving(database_url) as api:
            body = api.get("/posture", limit=1000)
        assert body["read_at"]["position"] == at.position

        replayed = replay(runtime.store, position=at.position, schema="projection_replay_same")
        replay_reads = ReadService(runtime.store, replayed.schema or "")
        replay_at = choose_position(replay_reads.cursors(), POSTURE, pinned=at.position)
        replay_rows = [as_dict(v) for v in replay_reads.posture(replay_at, limit=None).items]

        checks = compare_with_fresh_fold(runtime.store)

    assert len(service_rows) == 18
    assert cli_document["rows"] == service_rows
    assert body["items"] == service_rows
    assert replay_rows == service_rows
    assert checks and all(c.equal and not c.answer_differences for c in checks)
    assert all(r["status"] in {s.value for s in LIVE} for r in service_rows)


def test_a_clearance_reads_an_empty_ledger_once_its_projections_are_built(
    database_url: str,
) -> None:
    """Projected while still empty (cursor 0), the ledger answers a cleared reader with
    nothing, not with a missing table: the first catch-up creates that clearance's tables."""
    with bootstrap(Settings(database_url=database_url)) as runtime:
        for name in PROJECTIONS:
            fold(runtime.store, name)
        reads = ReadService(runtime.store).for_clearance(PUBLIC)
        at = ReadService(runtime.store).position(POSTURE)
        assert at.position == 0
        reads.catch_up(at.projection_cursor)
        assert reads.posture(at, limit=None).items == []
        assert reads.sources(at, limit=None).items == []
