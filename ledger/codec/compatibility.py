"""BACKWARD_TRANSITIVE checks: every version of a type reads all of its earlier versions."""

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ledger.codec.schema_registry import SchemaRegistry, SchemaVersion

if TYPE_CHECKING:
    import avro.schema


@dataclass(frozen=True)
class Incompatibility:
    event_type: str
    reader_version: int
    writer_version: int
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.event_type}: v{self.reader_version} cannot read data written with "
            f"v{self.writer_version}: {self.reason}"
        )


def _apache(version: SchemaVersion) -> "avro.schema.Schema":
    import avro.schema

    return avro.schema.parse(json.dumps(version.schema))


def check_backward_transitive(registry: SchemaRegistry) -> list[Incompatibility]:
    """Every pair (later reader, earlier writer) of each type, checked by Apache Avro
    (imported here: only `ledger schemas check` and the tests need it, and it takes a
    twentieth of a second to load)."""
    from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType

    problems: list[Incompatibility] = []
    for event_type in registry.event_types():
        versions = registry.versions(event_type)
        parsed = {v.version: _apache(v) for v in versions}
        for i, writer in enumerate(versions):
            for reader in versions[i + 1 :]:
                checker = ReaderWriterCompatibilityChecker()  # type: ignore[no-untyped-call]
                result = checker.get_compatibility(parsed[reader.version], parsed[writer.version])
                if result.compatibility is not SchemaCompatibilityType.compatible:
                    reason = "; ".join(sorted(str(m) for m in result.messages)) or "incompatible"
                    problems.append(
                        Incompatibility(event_type, reader.version, writer.version, reason)
                    )
    return problems
