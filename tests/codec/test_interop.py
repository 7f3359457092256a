"""Interop: the Apache avro package, from the .avsc files alone, agrees with the codec."""

import json

import avro.schema
import pytest

from ledger.codec.single_object import AvroCodec
from tests.apache_avro import decode, load_schemas, spec_fingerprint
from tests.factories import ALL_TYPES, make

codec = AvroCodec()


def test_fingerprints_match_apache_avro() -> None:
    apache = load_schemas()
    for version in codec.registry.all_versions():
        stem = f"{version.event_type}.v{version.version}"
        assert spec_fingerprint(apache[stem]) == version.fingerprint, stem


def test_plain_schema_fingerprint_matches_apache_exactly() -> None:
    """Without logical types Apache avro's own fingerprint() is the spec's, and ours."""
    from ledger.codec.schema_registry import crc64_fingerprint

    plain = {
        "type": "record",
        "name": "Plain",
        "namespace": "t",
        "fields": [{"name": "a", "type": "string"}, {"name": "b", "type": ["null", "long"]}],
    }
    apache = avro.schema.parse(json.dumps(plain)).fingerprint("CRC-64-AVRO")
    assert apache == crc64_fingerprint(plain)[1]


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_apache_avro_decodes_our_bytes(event_type: str) -> None:
    by_fingerprint = {spec_fingerprint(s): s for s in load_schemas().values()}
    event = make(event_type)
    decoded = decode(codec.encode(event), by_fingerprint)
    assert decoded == event.model_dump(mode="python") | _apache_forms(event.model_dump())


def _apache_forms(record: dict[str, object]) -> dict[str, object]:
    """Apache avro returns uuids as strings; everything else compares as is."""
    out: dict[str, object] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            out[key] = _apache_forms(value)
        elif type(value).__name__ == "UUID":
            out[key] = str(value)
    return {**record, **out}
