"""Avro single-object encoding: ``C3 01``, the writer schema's fingerprint, the body.

Any Avro implementation can decode these bytes given the schema the fingerprint names;
the ledger stores and ships exactly these bytes.
"""

import io
from typing import Any

from fastavro import parse_schema, schemaless_reader, schemaless_writer
from pydantic import BaseModel, ValidationError

from ledger.codec.schema_registry import SchemaRegistry, SchemaVersion
from ledger.domain.events import EVENT_TYPES, Event
from ledger.errors import DecodeError

MAGIC = b"\xc3\x01"
HEADER_LENGTH = len(MAGIC) + 8


def to_record(model: BaseModel) -> dict[str, Any]:
    """The model as the plain dict fastavro writes (a faster ``model_dump``)."""
    record = dict(model.__dict__)
    for name, value in record.items():
        if isinstance(value, BaseModel):
            record[name] = to_record(value)
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            record[name] = [to_record(item) for item in value]
    return record


def fingerprint_of(payload: bytes) -> bytes:
    """The writer schema fingerprint named in a single-object payload."""
    if len(payload) < HEADER_LENGTH or payload[:2] != MAGIC:
        raise DecodeError(
            "payload is not Avro single-object encoded: it does not start with C3 01 "
            "followed by an 8-byte fingerprint"
        )
    return payload[2:HEADER_LENGTH]


def _without_uuids(schema: Any) -> Any:
    """The schema with its uuid logical types left out: the same bytes, read as text."""
    if isinstance(schema, dict):
        return {
            k: _without_uuids(v)
            for k, v in schema.items()
            if not (k == "logicalType" and v == "uuid")
        }
    if isinstance(schema, list):
        return [_without_uuids(branch) for branch in schema]
    return schema


class AvroCodec:
    """Encodes events with the newest schema of their type; decodes any known version."""

    def __init__(self, registry: SchemaRegistry | None = None) -> None:
        self.registry = registry if registry is not None else SchemaRegistry.from_directory()
        self._plain: dict[bytes, tuple[Any, Any]] = {}
        """Per writer fingerprint: it and its newest version parsed without uuid types."""

    def encode(self, event: Event) -> bytes:
        version = self.registry.latest(event.event_type())
        buffer = io.BytesIO()
        buffer.write(MAGIC)
        buffer.write(version.fingerprint)
        schemaless_writer(buffer, version.parsed, to_record(event))
        return buffer.getvalue()

    def writer_of(self, payload: bytes) -> SchemaVersion:
        """The registered schema version that wrote ``payload``."""
        fingerprint = fingerprint_of(payload)
        version = self.registry.by_fingerprint(fingerprint)
        if version is None:
            raise DecodeError(
                f"payload names schema fingerprint {fingerprint.hex()}, "
                "which is not in the schema registry"
            )
        return version

    def decode_record(self, payload: bytes) -> tuple[SchemaVersion, dict[str, Any]]:
        """The writer version and the record resolved to the newest schema of its type."""
        writer = self.writer_of(payload)
        reader = self.registry.latest(writer.event_type)
        return writer, self._read(
            payload, writer, writer.parsed, None if reader is writer else reader.parsed
        )

    def fold_record(self, payload: bytes) -> dict[str, Any]:
        """The record as ``decode_record`` gives it, except that uuid fields stay the
        canonical strings they are written as: a projection stores none of them as a
        UUID object, and building one per event is a tenth of a fold's time."""
        writer = self.writer_of(payload)
        parsed = self._plain.get(writer.fingerprint)
        if parsed is None:
            reader = self.registry.latest(writer.event_type)
            parsed = self._plain[writer.fingerprint] = (
                parse_schema(_without_uuids(writer.schema)),
                None if reader is writer else parse_schema(_without_uuids(reader.schema)),
            )
        return self._read(payload, writer, *parsed)

    def _read(
        self, payload: bytes, writer: SchemaVersion, parsed: Any, reader: Any
    ) -> dict[str, Any]:
        body = io.BytesIO(payload)
        body.seek(HEADER_LENGTH)
        try:
            record = schemaless_reader(body, parsed, reader)
        except Exception as exc:  # fastavro raises EOFError, ValueError, SchemaResolutionError
            raise DecodeError(
                f"payload does not decode as {writer.event_type} v{writer.version}: {exc}"
            ) from exc
        if body.tell() != len(payload):
            raise DecodeError(
                f"payload has {len(payload) - body.tell()} trailing bytes after the "
                f"{writer.event_type} v{writer.version} record"
            )
        if not isinstance(record, dict):
            raise DecodeError(f"payload of {writer.event_type} is not an Avro record")
        return record

    def decode(self, payload: bytes) -> Event:
        """The event in ``payload``, as the newest version of its pydantic model."""
        return self.event_of(*self.decode_record(payload))

    def event_of(self, writer: SchemaVersion, record: dict[str, Any]) -> Event:
        """The event of a record ``decode_record`` returned, validated by its model."""
        model = EVENT_TYPES.get(writer.event_type)
        if model is None:
            raise DecodeError(f"schema {writer.event_type} has no event model in this version")
        try:
            return model.model_validate(record)
        except ValidationError as exc:
            raise DecodeError(
                f"payload decodes as {writer.event_type} but fails validation: "
                f"{exc.errors()[0]['msg']}"
            ) from exc
