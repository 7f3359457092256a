"""Every released version of every event schema, indexed by type and by fingerprint.

Schema files reference shared named types (``ledger.Envelope``...) by name; the registry
expands each event schema into one self-contained schema, so any Avro implementation can
parse it, and computes its canonical form and CRC-64-AVRO fingerprint.
"""

import copy
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fastavro
from fastavro.schema import fingerprint as avro_fingerprint
from fastavro.schema import to_parsing_canonical_form

import schemas
from ledger.errors import SchemaError

_TYPE_REVISION = re.compile(r"^[A-Za-z][A-Za-z0-9]*\.v(?P<version>[2-9]|[1-9][0-9]+)\.avsc$")
"""A later revision of a shared type (``Envelope.v2.avsc``), found by a draft schema as
``ledger.Envelope.v2`` and inlined under its own name (``ledger.Envelope``), so versions
written before it keep their fingerprints. Released files inline every type they use
(each parses alone with any Avro tool); such a name is for drafting only."""

_EVENT_FILE = re.compile(r"^(?P<type>[A-Za-z][A-Za-z0-9]*)\.v(?P<version>[1-9][0-9]*)\.avsc$")

AvroJson = Any
"""A schema as parsed JSON: a dict, list or type name."""


@dataclass(frozen=True)
class SchemaVersion:
    """One released version of one event type's schema."""

    event_type: str
    version: int
    schema: dict[str, Any]
    canonical_form: str
    fingerprint: bytes
    parsed: Any = field(repr=False, compare=False)

    @property
    def fingerprint_hex(self) -> str:
        return self.fingerprint.hex()

    @property
    def schema_json(self) -> str:
        """The self-contained schema as stable JSON text."""
        return json.dumps(self.schema, sort_keys=True, separators=(",", ":"))


def crc64_fingerprint(schema: AvroJson) -> tuple[str, bytes]:
    """Parsing canonical form and its 8-byte little-endian CRC-64-AVRO fingerprint."""
    canonical = to_parsing_canonical_form(schema)
    return canonical, bytes.fromhex(avro_fingerprint(canonical, "CRC-64-AVRO"))


def _load_json(path: Path) -> AvroJson:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SchemaError(f"{path}: cannot read schema file: {exc}") from exc


def expand(schema: AvroJson, named: dict[str, AvroJson], defined: set[str] | None = None) -> Any:
    """Inline each referenced named type at its first use, so the schema stands alone."""
    defined = set() if defined is None else defined
    if isinstance(schema, str):
        if schema in named and schema not in defined:
            defined.add(schema)
            return expand(copy.deepcopy(named[schema]), named, defined)
        return schema
    if isinstance(schema, list):
        return [expand(branch, named, defined) for branch in schema]
    if isinstance(schema, dict):
        out = dict(schema)
        if "name" in out and out.get("type") in ("record", "enum", "fixed"):
            namespace = out.get("namespace", "")
            defined.add(f"{namespace}.{out['name']}" if namespace else out["name"])
        if out.get("type") == "record":
            out["fields"] = [
                {**f, "type": expand(f["type"], named, defined)} for f in out.get("fields", [])
            ]
        elif out.get("type") == "array":
            out["items"] = expand(out["items"], named, defined)
        elif out.get("type") == "map":
            out["values"] = expand(out["values"], named, defined)
        return out
    return schema


class SchemaRegistry:
    """Schema versions by event type and by fingerprint; the newest is the reader."""

    def __init__(self, versions: Iterable[SchemaVersion]) -> None:
        self._by_type: dict[str, list[SchemaVersion]] = {}
        self._by_fingerprint: dict[bytes, SchemaVersion] = {}
        for version in versions:
            self.add(version)

    def add(self, version: SchemaVersion) -> None:
        known = self._by_fingerprint.get(version.fingerprint)
        if known is not None and known.event_type != version.event_type:
            raise SchemaError(
                f"{version.event_type} v{version.version} has the fingerprint of "
                f"{known.event_type} v{known.version}"
            )
        self._by_fingerprint[version.fingerprint] = version
        listed = self._by_type.setdefault(version.event_type, [])
        listed.append(version)
        listed.sort(key=lambda v: v.version)

    @classmethod
    def from_directory(cls, root: Path = schemas.SCHEMA_DIR) -> "SchemaRegistry":
        """Load ``types/*.avsc`` and every ``events/<Type>.v<N>.avsc`` under ``root``."""
        named: dict[str, AvroJson] = {}
        for path in sorted((root / "types").glob("*.avsc")):
            schema = _load_json(path)
            full = f"{schema.get('namespace', '')}.{schema['name']}".lstrip(".")
            revision = _TYPE_REVISION.match(path.name)
            named[f"{full}.v{revision['version']}" if revision else full] = schema
        versions = []
        for path in sorted((root / "events").glob("*.avsc")):
            match = _EVENT_FILE.match(path.name)
            if match is None:
                raise SchemaError(f"{path}: event schema files are named <EventType>.v<N>.avsc")
            raw = _load_json(path)
            if raw.get("name") != match["type"]:
                raise SchemaError(f"{path}: record name {raw.get('name')!r} differs from file")
            versions.append(build_version(match["type"], int(match["version"]), raw, named))
        if not versions:
            raise SchemaError(f"{root}: no event schemas found")
        return cls(versions)

    def event_types(self) -> list[str]:
        return list(self._by_type)

    def versions(self, event_type: str) -> list[SchemaVersion]:
        try:
            return list(self._by_type[event_type])
        except KeyError:
            raise SchemaError(f"no schema is registered for event type {event_type!r}") from None

    def latest(self, event_type: str) -> SchemaVersion:
        return self.versions(event_type)[-1]

    def by_fingerprint(self, fingerprint: bytes) -> SchemaVersion | None:
        return self._by_fingerprint.get(fingerprint)

    def all_versions(self) -> list[SchemaVersion]:
        return [v for listed in self._by_type.values() for v in listed]


def build_version(
    event_type: str, version: int, raw: AvroJson, named: dict[str, AvroJson]
) -> SchemaVersion:
    """Expand, canonicalise, fingerprint and parse one event schema version."""
    expanded = expand(raw, named)
    try:
        parsed = fastavro.parse_schema(copy.deepcopy(expanded))
    except Exception as exc:  # fastavro raises several unrelated types for bad schemas
        raise SchemaError(f"{event_type} v{version}: not a valid Avro schema: {exc}") from exc
    canonical, fp = crc64_fingerprint(expanded)
    return SchemaVersion(event_type, version, expanded, canonical, fp, parsed)
