"""The pydantic models agree with the Avro schemas, and drift is caught."""

import copy

from pydantic import BaseModel

from ledger.codec.conformance import conformance_problems, model_mismatches
from ledger.codec.schema_registry import SchemaRegistry
from ledger.domain.enums import ClaimKind
from ledger.domain.events import ClaimAsserted

registry = SchemaRegistry.from_directory()


def test_models_agree_with_schemas() -> None:
    assert conformance_problems(registry) == []


def test_missing_field_is_caught() -> None:
    schema = copy.deepcopy(registry.latest("ClaimAsserted").schema)
    schema["fields"] = [f for f in schema["fields"] if f["name"] != "statement"]
    problems = model_mismatches(ClaimAsserted, schema)
    assert any("fields" in p and "statement" in p for p in problems)


def test_enum_symbol_drift_is_caught() -> None:
    schema = copy.deepcopy(registry.latest("ClaimAsserted").schema)
    kind = next(f for f in schema["fields"] if f["name"] == "kind")
    kind["type"]["symbols"] = [*ClaimKind, "LOGISTICS"]
    assert any("enum symbols" in p for p in model_mismatches(ClaimAsserted, schema))


def test_optionality_drift_is_caught() -> None:
    schema = copy.deepcopy(registry.latest("ClaimAsserted").schema)
    statement = next(f for f in schema["fields"] if f["name"] == "statement")
    statement["type"] = ["null", "string"]
    statement["default"] = None
    problems = model_mismatches(ClaimAsserted, schema)
    assert any("statement" in p and "not Optional" in p for p in problems)


def test_type_drift_in_nested_record_is_caught() -> None:
    schema = copy.deepcopy(registry.latest("ClaimAsserted").schema)
    span = next(f for f in schema["fields"] if f["name"] == "valid_time")["type"]
    start = next(f for f in span["fields"] if f["name"] == "start")
    start["type"] = "string"
    problems = model_mismatches(ClaimAsserted, schema)
    assert any("valid_time.start" in p for p in problems)


def test_default_drift_is_caught() -> None:
    class Loose(BaseModel):
        name: str = "x"

    schema = {"type": "record", "name": "Loose", "fields": [{"name": "name", "type": "string"}]}
    assert any("has a default" in p for p in model_mismatches(Loose, schema))
