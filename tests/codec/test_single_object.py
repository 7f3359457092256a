"""Single-object encoding: round trips, wire format, schema resolution, bad bytes."""

import io
import json
import uuid

import pytest
from fastavro import parse_schema, schemaless_writer
from hypothesis import given, settings

from ledger.codec.schema_registry import SchemaRegistry
from ledger.codec.single_object import MAGIC, AvroCodec, fingerprint_of
from ledger.domain.events import DocumentIngested, Event
from ledger.errors import DecodeError
from tests.factories import ALL_TYPES, make
from tests.strategies import any_event

codec = AvroCodec()


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_every_type_round_trips(event_type: str) -> None:
    event = make(event_type)
    payload = codec.encode(event)
    assert codec.decode(payload) == event


@settings(max_examples=300, deadline=None)
@given(any_event)
def test_generated_events_round_trip(event: Event) -> None:
    assert codec.decode(codec.encode(event)) == event


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_wire_format_is_marker_fingerprint_body(event_type: str) -> None:
    payload = codec.encode(make(event_type))
    assert payload[:2] == MAGIC == b"\xc3\x01"
    assert fingerprint_of(payload) == codec.registry.latest(event_type).fingerprint


def test_encoding_is_deterministic() -> None:
    event = make("DeploymentReported")
    assert codec.encode(event) == codec.encode(event.model_copy())


def _v1_document_payload() -> tuple[bytes, dict[str, object]]:
    v1 = codec.registry.versions("DocumentIngested")[0]
    assert v1.version == 1
    record = make("DocumentIngested").model_dump()
    del record["archive_url"]
    buffer = io.BytesIO()
    buffer.write(MAGIC + v1.fingerprint)
    schemaless_writer(buffer, parse_schema(v1.schema), record)
    return buffer.getvalue(), record


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_events_written_before_compartments_decode_with_none(event_type: str) -> None:
    first = codec.registry.versions(event_type)[0]
    record = make(event_type).model_dump()
    del record["envelope"]["compartments"]
    if event_type == "DocumentIngested":
        del record["archive_url"]
    buffer = io.BytesIO()
    buffer.write(MAGIC + first.fingerprint)
    schemaless_writer(buffer, parse_schema(first.schema), record)
    event = codec.decode(buffer.getvalue())
    assert event.envelope.compartments == []
    assert event.envelope.marking.compartments == frozenset()


def test_compartments_round_trip_each_once_in_order() -> None:
    event = make("ClaimAsserted")
    marked = event.model_copy(
        update={
            "envelope": event.envelope.model_validate(
                {**event.envelope.model_dump(), "compartments": ["BRAVO", "ALPHA", "BRAVO"]}
            )
        }
    )
    assert codec.decode(codec.encode(marked)).envelope.compartments == ["ALPHA", "BRAVO"]


def test_v1_document_decodes_as_newest_model() -> None:
    payload, record = _v1_document_payload()
    event = codec.decode(payload)
    assert isinstance(event, DocumentIngested)
    assert event.archive_url is None
    assert event.title == record["title"]
    assert codec.writer_of(payload).version == 1


def test_unknown_enum_symbol_resolves_to_unknown() -> None:
    latest = codec.registry.latest("ClaimAsserted")
    newer = json.loads(json.dumps(latest.schema))
    kind = next(f for f in newer["fields"] if f["name"] == "kind")["type"]
    kind["symbols"].append("LOGISTICS")
    from ledger.codec.schema_registry import build_version

    future = build_version("ClaimAsserted", 99, newer, {})
    reader = AvroCodec(SchemaRegistry([latest, future]))
    # the reader's newest version is the future one; decode with the present registry
    record = make("ClaimAsserted").model_dump()
    record["kind"] = "LOGISTICS"
    buffer = io.BytesIO()
    buffer.write(MAGIC + future.fingerprint)
    schemaless_writer(buffer, future.parsed, record)
    present = AvroCodec(SchemaRegistry([latest]))
    present.registry.add(future)
    present.registry._by_type["ClaimAsserted"].sort(key=lambda v: -v.version)  # latest = v1
    assert present.decode(buffer.getvalue()).kind == "UNKNOWN"  # type: ignore[attr-defined]
    assert reader.registry.latest("ClaimAsserted").version == 99


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "not Avro single-object encoded"),
        (b"\x00\x01" + bytes(8) + b"x", "not Avro single-object encoded"),
        (MAGIC + bytes(8) + b"x", "not in the schema registry"),
    ],
)
def test_bad_payloads_are_refused(payload: bytes, message: str) -> None:
    with pytest.raises(DecodeError, match=message):
        codec.decode(payload)


def test_truncated_body_is_refused() -> None:
    payload = codec.encode(make("ClaimAsserted"))
    with pytest.raises(DecodeError, match="does not decode as ClaimAsserted v2"):
        codec.decode(payload[:-5])


def test_trailing_bytes_are_refused() -> None:
    payload = codec.encode(make("ClaimAsserted"))
    with pytest.raises(DecodeError, match="trailing bytes"):
        codec.decode(payload + b"\x00")


def _uuids_as_text(value: object) -> object:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {k: _uuids_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_uuids_as_text(v) for v in value]
    return value


@settings(max_examples=200, deadline=None)
@given(any_event)
def test_a_fold_record_is_the_decoded_record_with_uuids_as_text(event: Event) -> None:
    payload = codec.encode(event)
    _, record = codec.decode_record(payload)
    folded = codec.fold_record(payload)
    assert folded == _uuids_as_text(record)
    assert isinstance(folded["envelope"]["event_id"], str)


def test_a_fold_record_of_an_older_version_is_resolved_to_the_newest() -> None:
    payload, _ = _v1_document_payload()
    _, record = codec.decode_record(payload)
    assert codec.fold_record(payload) == _uuids_as_text(record)
    assert "archive_url" in codec.fold_record(payload)


def test_a_bad_fold_record_is_refused_as_a_decoded_one_is() -> None:
    payload = codec.encode(make("ClaimAsserted"))
    with pytest.raises(DecodeError, match="trailing bytes"):
        codec.fold_record(payload + b"\x00")
