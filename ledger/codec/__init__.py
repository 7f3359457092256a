"""Avro codec: schema registry, single-object encoding, compatibility and conformance."""

from ledger.codec.compatibility import Incompatibility, check_backward_transitive
from ledger.codec.conformance import conformance_problems
from ledger.codec.schema_registry import SchemaRegistry, SchemaVersion
from ledger.codec.single_object import MAGIC, AvroCodec, fingerprint_of

__all__ = [
    "MAGIC",
    "AvroCodec",
    "Incompatibility",
    "SchemaRegistry",
    "SchemaVersion",
    "check_backward_transitive",
    "conformance_problems",
    "fingerprint_of",
]
