"""An independent reader: the Apache ``avro`` package, fed only the ``.avsc`` files.

It shares no code with the ledger's codec: each event schema file is parsed alone, as
any Avro user would.

One known divergence: Apache avro for Python (1.12) writes a primitive that carries a
``logicalType`` as ``{"type":"long"}`` in its parsing canonical form, where the spec's
[STRIP] and [PRIMITIVES] rules (and the Java reference implementation, and fastavro)
give ``"long"``. ``spec_fingerprint`` applies [PRIMITIVES] to Apache's own canonical form
and fingerprints the result with Apache's own code.
"""

import io
import json
from pathlib import Path
from typing import Any

import avro.io
import avro.schema

import schemas


def load_schemas(root: Path = schemas.SCHEMA_DIR) -> dict[str, avro.schema.Schema]:
    """Every event schema version by file stem, e.g. ``DocumentIngested.v2``, each file
    parsed alone: it defines every named type it uses where it first uses it."""
    return {
        path.name.removesuffix(".avsc"): avro.schema.parse(path.read_text())
        for path in sorted((root / "events").glob("*.avsc"))
    }


_PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}


def _primitives_simple(node: Any) -> Any:
    if isinstance(node, dict):
        if set(node) == {"type"} and node["type"] in _PRIMITIVES:
            return node["type"]
        return {key: _primitives_simple(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_primitives_simple(item) for item in node]
    return node


def spec_fingerprint(schema: avro.schema.Schema) -> bytes:
    """CRC-64-AVRO of the spec's canonical form, computed with the Apache package."""
    canonical = _primitives_simple(json.loads(schema.canonical_form))
    text = json.dumps(canonical, separators=(",", ":"))
    fingerprint: bytes = avro.schema.parse(text).fingerprint("CRC-64-AVRO")
    return fingerprint


def decode(payload: bytes, schemas_by_fingerprint: dict[bytes, avro.schema.Schema]) -> Any:
    """Decode a single-object payload with the writer schema its fingerprint names."""
    assert payload[:2] == b"\xc3\x01", "not single-object encoded"
    writer = schemas_by_fingerprint[payload[2:10]]
    reader = avro.io.DatumReader(writer, writer)
    return reader.read(avro.io.BinaryDecoder(io.BytesIO(payload[10:])))
