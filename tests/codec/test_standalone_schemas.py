"""Every ``.avsc`` file parses with Apache avro alone, given only the file (no names
table, no project code), and the event schemas' fingerprints are those of the events
already written: the files changed form (types inlined), not their canonical form."""

import json
from pathlib import Path

import avro.schema
import pytest

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
FILES = sorted(SCHEMAS.glob("*/*.avsc"))

WRITTEN = {
    "ActorRegistered.v1": "7b52246dc1420af9",
    "ActorRegistered.v2": "d7b1a0b1611f1a22",
    "AttributionMade.v1": "3237810cb30423c4",
    "AttributionMade.v2": "8c8cb0de291f1bd1",
    "ClaimAsserted.v1": "5b7f135e03ae7d02",
    "ClaimAsserted.v2": "014f08fefadb32ca",
    "ClaimAssessed.v1": "33157ad4ced9ca4f",
    "ClaimAssessed.v2": "43b8a8d01776d319",
    "ClaimRetracted.v1": "a5b086aca6343cf9",
    "ClaimRetracted.v2": "6554236fd9b24395",
    "DeploymentReported.v1": "a0be797be2034ca2",
    "DeploymentReported.v2": "b5876cc30c6c3bfe",
    "DocumentIngested.v1": "601ab38570aef616",
    "DocumentIngested.v2": "44e1479b152bb667",
    "DocumentIngested.v3": "fc3725d487f3ee80",
    "PlaceRegistered.v1": "7e7861a7d4c22176",
    "PlaceRegistered.v2": "4e2d6c1fd63e65a5",
    "ProducerKeyRegistered.v1": "7dbc7969e7455a4c",
    "ProducerKeyRevoked.v1": "7b1a2e098aed66f8",
    "SourceRegistered.v1": "584594273c35eb09",
    "SourceRegistered.v2": "a549d9b8b40ee3d9",
    "SourceReliabilityAssessed.v1": "02e5afeac9b8cac1",
    "SourceReliabilityAssessed.v2": "47c9341ea3bd0ba0",
    "WitnessKeyRegistered.v1": "b52e971187a96742",
    "WitnessKeyRevoked.v1": "28b867bc4ddc743f",
}
"""CRC-64-AVRO of each event schema version, as events were written before the files
were made self-contained (the codec's fingerprints at that commit)."""

_PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}


def _spec_form(node: object) -> object:
    """Apache avro 1.12 writes ``{"type": "string"}`` for a primitive that carried a
    logicalType; the spec's [PRIMITIVES] rule writes ``"string"``."""
    if isinstance(node, dict):
        if set(node) == {"type"} and node["type"] in _PRIMITIVES:
            return node["type"]
        return {key: _spec_form(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_spec_form(item) for item in node]
    return node


def _fingerprint(schema: avro.schema.Schema) -> str:
    canonical = json.dumps(_spec_form(json.loads(schema.canonical_form)), separators=(",", ":"))
    found: bytes = avro.schema.parse(canonical).fingerprint("CRC-64-AVRO")
    return found.hex()


def test_there_are_schema_files() -> None:
    assert len(FILES) == len(WRITTEN) + len(list((SCHEMAS / "types").glob("*.avsc")))


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_file_parses_alone_with_apache_avro(path: Path) -> None:
    avro.schema.parse(path.read_text())


def test_the_fingerprints_of_written_events_are_unchanged() -> None:
    found = {
        path.name.removesuffix(".avsc"): _fingerprint(avro.schema.parse(path.read_text()))
        for path in sorted((SCHEMAS / "events").glob("*.avsc"))
    }
    assert found == WRITTEN


def test_the_codec_fingerprints_as_it_did() -> None:
    from ledger.codec.schema_registry import SchemaRegistry

    registry = SchemaRegistry.from_directory()
    found = {f"{v.event_type}.v{v.version}": v.fingerprint_hex for v in registry.all_versions()}
    assert found == WRITTEN
