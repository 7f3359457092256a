"""An independent reader: the Apache ``avro`` package, fed only the ``.avsc`` files.

It shares no code with the ledger's codec: named types are parsed into one ``Names``
table, then each event schema is parsed against it, as any Avro user would.

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
import avro.name
import avro.schema

import schemas


def _references(body: Any) -> set[str]:
    if isinstance(body, str):
        return {body} if "." in body else set()
    if isinstance(body, list):
        return set().union(*(_references(b) for b in body)) if body else set()
    if isinstance(body, dict):
        found: set[str] = set()
        for key in ("type", "items", "values", "fields"):
            if key in body:
                found |= _references(body[key])
        return found
    return set()


def _in_dependency_order(types: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_name = {f"{t['namespace']}.{t['name']}": t for t in types}
    ordered: list[dict[str, Any]] = []
    done: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        done.add(name)
        for dependency in _references(by_name[name]) & set(by_name):
            visit(dependency)
        ordered.append(by_name[name])

    for name in sorted(by_name):
        visit(name)
    return ordered


def _revision_of(path: Path) -> str:
    """``ledger.Envelope`` for ``Envelope.avsc``, ``ledger.Envelope.v2`` for its revision."""
    body = json.loads(path.read_text())
    stem = path.name.removesuffix(".avsc")
    suffix = stem[len(body["name"]) :]
    return f"{body['namespace']}.{body['name']}{suffix}"


def load_schemas(root: Path = schemas.SCHEMA_DIR) -> dict[str, avro.schema.Schema]:
    """Every event schema version by file stem, e.g. ``DocumentIngested.v2``.

    A type revision (``types/Envelope.v2.avsc``, referred to as ``ledger.Envelope.v2``)
    stands in for the type of its name in the event schemas that refer to it."""
    files = {_revision_of(p): p for p in sorted((root / "types").glob("*.avsc"))}
    loaded: dict[str, avro.schema.Schema] = {}
    for event_file in sorted((root / "events").glob("*.avsc")):
        text = event_file.read_text()
        chosen = {key: path for key, path in files.items() if key.count(".v") == 0}
        for key, path in files.items():
            if ".v" in key and f'"{key}"' in text:
                base = key.rsplit(".v", 1)[0]
                chosen[base] = path
                text = text.replace(f'"{key}"', f'"{base}"')
        types = _in_dependency_order([json.loads(p.read_text()) for p in chosen.values()])
        names = avro.name.Names()
        for body in types:
            avro.schema.make_avsc_object(body, names)
        loaded[event_file.name.removesuffix(".avsc")] = avro.schema.make_avsc_object(
            json.loads(text), names
        )
    return loaded


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
