"""The assets: thin wrappers around the folds in ``ledger.projection``."""

from typing import Any

from dagster import AssetExecutionContext, Config, MaterializeResult, MetadataValue, asset

from ledger.log.key_file import load_signer
from ledger.projection.clearances import fold_cleared
from ledger.projection.fold import FoldResult, fold, shadow_schema, swap_in
from ledger.projection.schema import SCHEMA
from ledger.store.checkpoints import Checkpoints
from ledger.web import keys
from projections.resources import KafkaResource, LedgerResource


class FoldConfig(Config):
    """``rebuild: true`` folds every projection from scratch into a shadow schema and
    swaps it in when the last one is done; queries keep reading the old tables meanwhile."""

    rebuild: bool = False


def _schema(context: AssetExecutionContext, config: FoldConfig) -> str:
    return shadow_schema(context.run.run_id) if config.rebuild else SCHEMA


def _fold(ledger: LedgerResource, name: str, schema: str) -> FoldResult:
    """Fold one projection; a rebuild also digests what it built (a digest reads every
    row, so an incremental run leaves it to the full checks)."""
    with ledger.open() as runtime:
        return fold(runtime.store, name, schema=schema, with_digest=schema != SCHEMA)


def _result(result: FoldResult) -> MaterializeResult[None]:
    metadata: dict[str, Any] = {
        "events_folded": result.folded,
        "cursor": result.cursor,
        "from_position": result.start,
        "rows_added": MetadataValue.json(result.rows),
        "rebuilt_for_new_definition": result.rebuilt,
    }
    if result.digest:
        metadata["digest"] = result.digest
    return MaterializeResult(metadata=metadata)


@asset(group_name="ledger")
def ledger_events(ledger: LedgerResource, kafka: KafkaResource) -> MaterializeResult[None]:
    """The archived ledger. In Kafka mode, materializing it runs the archiver's catch-up."""
    with ledger.open() as runtime:
        archived = None
        if kafka.bootstrap:
            # Imported only in Kafka mode: kafka-python takes 0.2 s to import, a fifth
            # of a `ledger project` run's own work.
            from ledger.kafka.archiver import Archiver

            archived = Archiver(runtime.store, kafka.settings()).run()
        head = runtime.store.head()
    return MaterializeResult(
        metadata={
            "head_position": head.position,
            "head_hash": head.hash.hex(),
            "archived_from_kafka": archived.appended if archived else 0,
            "rejected_from_kafka": archived.rejected if archived else 0,
        }
    )


@asset(deps=[ledger_events], group_name="projections")
def sources(
    context: AssetExecutionContext, config: FoldConfig, ledger: LedgerResource
) -> MaterializeResult[None]:
    """Source register (with reliability history), actors, places and documents."""
    return _result(_fold(ledger, "sources", _schema(context, config)))


@asset(deps=[ledger_events], group_name="projections")
def claim_history(
    context: AssetExecutionContext, config: FoldConfig, ledger: LedgerResource
) -> MaterializeResult[None]:
    """Claims, their attribution hops, assessments and retractions."""
    return _result(_fold(ledger, "claim_history", _schema(context, config)))


@asset(deps=[sources, claim_history], group_name="projections")
def force_posture(
    context: AssetExecutionContext, config: FoldConfig, ledger: LedgerResource
) -> MaterializeResult[None]:
    """Deployment reports and the current posture per actor and place."""
    schema = _schema(context, config)
    result = _fold(ledger, "force_posture", schema)
    if config.rebuild:
        with ledger.open() as runtime:
            swap_in(runtime.store, schema)
    return _result(result)


@asset(deps=[force_posture], group_name="projections")
def cleared_projections(ledger: LedgerResource) -> MaterializeResult[None]:
    """The projections of every clearance a reading key holds, folded from the events
    that clearance sees, as far as the operator's projections have got."""
    with ledger.open() as runtime, runtime.store.connection() as conn:
        held = keys.clearances_in_use(conn)
    with ledger.open() as runtime:
        folded = fold_cleared(runtime.store, held)
    return MaterializeResult(metadata={"events_folded": MetadataValue.json(folded)})


@asset(deps=[force_posture], group_name="ledger")
def checkpoint(context: AssetExecutionContext, ledger: LedgerResource) -> MaterializeResult[None]:
    """A signed checkpoint of the Merkle tree's head, issued once the projections are
    folded (none when the log has no signing key: `ledger init` creates it)."""
    with ledger.open() as opened:
        path = ledger.settings().signing_key_path
        if not path.exists():
            context.log.warning(f"no signing key at {path}: no checkpoint signed")
            return MaterializeResult(metadata={"signed": False, "key_file": str(path)})
        stored, new = Checkpoints(opened.store).issue(load_signer(path))
    return MaterializeResult(
        metadata={
            "signed": True,
            "new": new,
            "size": stored.size,
            "root": stored.root.hex(),
            "note": MetadataValue.text(stored.note),
        }
    )


ALL_ASSETS = [
    ledger_events,
    sources,
    claim_history,
    force_posture,
    cleared_projections,
    checkpoint,
]
