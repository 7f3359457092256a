"""The schema registry: loading, expansion of shared types, fingerprints."""

import json
from pathlib import Path

import pytest

from ledger.codec.schema_registry import SchemaRegistry, expand
from ledger.domain.events import EVENT_TYPES
from ledger.errors import SchemaError

registry = SchemaRegistry.from_directory()


def test_every_event_type_has_a_schema() -> None:
    assert set(registry.event_types()) == set(EVENT_TYPES)


def test_document_has_three_versions_and_v3_is_the_reader() -> None:
    versions = registry.versions("DocumentIngested")
    assert [v.version for v in versions] == [1, 2, 3]
    assert registry.latest("DocumentIngested") is versions[-1]
    assert len({v.fingerprint for v in versions}) == 3


def test_the_newest_envelope_has_compartments_and_the_first_versions_do_not() -> None:
    """Types from before markings had compartments got a second version; types born
    after (the producer and witness key registers) start with the newest envelope."""
    for event_type in registry.event_types():
        first, *_, newest = registry.versions(event_type) * 2
        if len(registry.versions(event_type)) == 1:
            assert event_type in (
                "ProducerKeyRegistered",
                "ProducerKeyRevoked",
                "WitnessKeyRegistered",
                "WitnessKeyRevoked",
            )
            continue

        def envelope_fields(version: object) -> list[str]:
            schema = version.schema  # type: ignore[attr-defined]
            envelope = next(f for f in schema["fields"] if f["name"] == "envelope")
            return [f["name"] for f in envelope["type"]["fields"]]

        assert "compartments" in envelope_fields(newest), event_type
        assert "compartments" not in envelope_fields(first), event_type


def test_fingerprints_are_unique_and_indexed() -> None:
    versions = registry.all_versions()
    assert len({v.fingerprint for v in versions}) == len(versions)
    for v in versions:
        assert registry.by_fingerprint(v.fingerprint) is v
        assert len(v.fingerprint) == 8


def test_expanded_schemas_stand_alone() -> None:
    for v in registry.all_versions():
        text = json.dumps(v.schema)
        assert '"name": "Envelope"' in text
        assert text.count('"name": "Envelope"') == 1  # defined once, referenced after


def test_expand_inlines_first_use_only() -> None:
    named = {"n.T": {"type": "enum", "name": "T", "namespace": "n", "symbols": ["A"]}}
    record = {
        "type": "record",
        "name": "R",
        "fields": [{"name": "a", "type": "n.T"}, {"name": "b", "type": "n.T"}],
    }
    expanded = expand(record, named)
    assert expanded["fields"][0]["type"]["type"] == "enum"
    assert expanded["fields"][1]["type"] == "n.T"


def test_unknown_type_is_a_clear_error() -> None:
    with pytest.raises(SchemaError, match="no schema is registered for event type 'Nope'"):
        registry.latest("Nope")


def test_misnamed_schema_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "types").mkdir()
    (tmp_path / "events").mkdir()
    (tmp_path / "events" / "Claim.avsc").write_text("{}")
    with pytest.raises(SchemaError, match=r"named <EventType>\.v<N>\.avsc"):
        SchemaRegistry.from_directory(tmp_path)


def test_malformed_schema_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "types").mkdir()
    (tmp_path / "events").mkdir()
    (tmp_path / "events" / "X.v1.avsc").write_text('{"type": "record", "name": "X"')
    with pytest.raises(SchemaError, match="cannot read schema file"):
        SchemaRegistry.from_directory(tmp_path)
