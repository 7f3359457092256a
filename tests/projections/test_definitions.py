"""The Dagster code location: loads whole, materializes against real PostgreSQL, checks
pass, and the sensor asks for a run only when the ledger head moves."""

import tempfile
from pathlib import Path

from dagster import (
    DagsterInstance,
    Definitions,
    RunRequest,
    SkipReason,
    build_sensor_context,
    materialize,
)

from ledger.demo import load_seed
from ledger.log.key_file import ensure_signer
from ledger.log.note import open_note
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.fold import digest
from ledger.store.checkpoints import Checkpoints
from ledger.store.postgres import PostgresLedger
from projections.assets import ALL_ASSETS
from projections.checks import ALL_CHECKS, RUN_CHECKS
from projections.jobs import FULL
from projections.resources import KafkaResource, LedgerResource
from projections.sensors import ledger_head_sensor
from tests.factories import make


def resources(database_url: str, key_file: Path | None = None) -> dict[str, object]:
    return {
        "ledger": LedgerResource(
            database_url=database_url,
            signing_key_file=str(key_file or Path(tempfile.mkdtemp()) / "absent.key"),
        ),
        "kafka": KafkaResource(),
    }


def test_code_location_loads() -> None:
    from projections import definitions

    assert isinstance(definitions.defs, Definitions)
    Definitions.validate_loadable(definitions.defs)
    graph = definitions.defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert keys == {
        "ledger_events",
        "sources",
        "claim_history",
        "force_posture",
        "cleared_projections",
        "checkpoint",
    }


def test_materialize_all_with_checks(
    database_url: str, ledger: PostgresLedger, tmp_path: Path
) -> None:
    load_seed(ledger)
    signer, _ = ensure_signer(tmp_path / "signing.key", "test.example/log")
    result = materialize(
        [*ALL_ASSETS, *RUN_CHECKS],
        resources=resources(database_url, tmp_path / "signing.key"),
        instance=DagsterInstance.ephemeral(),
    )
    assert result.success
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {
        "hash_chain_intact": True,
        "sources_increment_equals_fresh_fold": True,
        "claim_history_increment_equals_fresh_fold": True,
        "force_posture_increment_equals_fresh_fold": True,
        "no_unresolved_references": True,
    }
    full = materialize(
        [*ALL_ASSETS, *ALL_CHECKS],
        selection=FULL,
        resources=resources(database_url),
        instance=DagsterInstance.ephemeral(),
    )
    assert full.success and not full.get_asset_materialization_events()  # folds nothing
    assert {e.check_name: e.passed for e in full.get_asset_check_evaluations()} == {
        "whole_chain_intact": True,
        "sources_equal_fresh_fold": True,
        "claim_history_equal_fresh_fold": True,
        "force_posture_equal_fresh_fold": True,
        "no_unresolved_references_at_all": True,
    }
    folded = {
        e.materialization.asset_key.to_user_string(): e.materialization.metadata
        for e in result.get_asset_materialization_events()
    }
    assert folded["force_posture"]["events_folded"].value == 18
    assert folded["ledger_events"]["head_position"].value == 138
    with ledger.connection() as conn:
        live_digests = {name: digest(conn, name) for name in PROJECTIONS}
    assert folded["checkpoint"]["size"].value == 138 and folded["checkpoint"]["new"].value
    signed = Checkpoints(ledger).latest()
    assert signed is not None and signed.size == 138
    open_note(signed.note, signer.verifier)

    rebuilt = materialize(
        [*ALL_ASSETS],
        resources=resources(database_url),
        instance=DagsterInstance.ephemeral(),
        run_config={
            "ops": {
                n: {"config": {"rebuild": True}}
                for n in ("sources", "claim_history", "force_posture")
            }
        },
    )
    assert rebuilt.success
    digests = {
        e.materialization.asset_key.to_user_string(): e.materialization.metadata["digest"].value
        for e in rebuilt.get_asset_materialization_events()
        if "digest" in e.materialization.metadata
    }
    assert digests == live_digests  # the rebuild built exactly what the folds had


def test_unresolved_reference_warns(database_url: str, ledger: PostgresLedger) -> None:
    ledger.append([make("AttributionMade", claim_id="claim:missing")])
    result = materialize(
        [*ALL_ASSETS, *ALL_CHECKS],
        resources=resources(database_url),
        instance=DagsterInstance.ephemeral(),
    )
    assert result.success
    warned = [
        e
        for e in result.get_asset_check_evaluations()
        if e.check_name == "no_unresolved_references"
    ]
    assert not warned[0].passed and warned[0].severity.value == "WARN"


def test_sensor_requests_a_run_when_the_head_moves(
    database_url: str, ledger: PostgresLedger
) -> None:
    def evaluate() -> object:
        with build_sensor_context(resources=resources(database_url)) as context:
            return ledger_head_sensor(context)

    assert isinstance(evaluate(), SkipReason)
    ledger.append([make("ClaimAsserted")])
    runs = getattr(evaluate(), "run_requests", None)
    assert runs and isinstance(runs[0], RunRequest) and runs[0].run_key == "ledger-head-1"
    materialize(
        [*ALL_ASSETS], resources=resources(database_url), instance=DagsterInstance.ephemeral()
    )
    assert isinstance(evaluate(), SkipReason)
