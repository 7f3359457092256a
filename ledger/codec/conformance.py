"""Proof that the pydantic models and the Avro schemas describe the same records.

The ``.avsc`` files are the source of truth; this compares each event model field by
field (names, order, types, optionality, defaults, enum symbols) with the newest schema
of its type, so the two cannot drift apart unnoticed.
"""

import types
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin
from uuid import UUID

from pydantic import AwareDatetime, BaseModel

from ledger.codec.schema_registry import SchemaRegistry
from ledger.domain.events import EVENT_TYPES

_PRIMITIVES: dict[str, type] = {
    "string": str,
    "long": int,
    "int": int,
    "double": float,
    "float": float,
    "boolean": bool,
}


def _strip_annotated(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _optional_inner(annotation: Any) -> Any | None:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1 and len(get_args(annotation)) == 2:
            return args[0]
    return None


def _is_subclass(annotation: Any, base: type) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, base)


# one branch per Avro type, as the specification lists them
def _compare(  # noqa: C901
    path: str, annotation: Any, avro_type: Any, named: dict[str, Any]
) -> list[str]:
    annotation = _strip_annotated(annotation)
    if isinstance(avro_type, str) and avro_type in named:
        avro_type = named[avro_type]
    if isinstance(avro_type, list):
        inner = _optional_inner(annotation)
        if len(avro_type) != 2 or avro_type[0] != "null":
            return [f"{path}: only [null, T] unions are supported, schema has {avro_type}"]
        if inner is None:
            return [f"{path}: schema is nullable but the model field is not Optional"]
        return _compare(path, inner, avro_type[1], named)
    if _optional_inner(annotation) is not None:
        return [f"{path}: model field is Optional but the schema is not nullable"]
    if isinstance(avro_type, str):
        expected = _PRIMITIVES.get(avro_type)
        if expected is None or annotation is not expected:
            return [f"{path}: schema type {avro_type} but model type {annotation}"]
        return []
    kind = avro_type.get("type")
    logical = avro_type.get("logicalType")
    if logical == "uuid":
        return [] if annotation is UUID else [f"{path}: schema uuid but model {annotation}"]
    if logical == "timestamp-micros":
        if annotation is AwareDatetime:
            return []
        return [f"{path}: schema timestamp-micros needs an AwareDatetime, model has {annotation}"]
    if kind in ("record", "enum"):
        namespace = avro_type.get("namespace", "")
        full = f"{namespace}.{avro_type['name']}" if namespace else avro_type["name"]
        named[full] = avro_type
        named.setdefault(avro_type["name"], avro_type)
    if kind == "enum":
        return _compare_enum(path, annotation, avro_type)
    if kind == "record":
        if not _is_subclass(annotation, BaseModel):
            return [f"{path}: schema record {avro_type['name']} but model type {annotation}"]
        return model_mismatches(annotation, avro_type, named, path)
    if kind == "array":
        if get_origin(annotation) is not list:
            return [f"{path}: schema array but model type {annotation}"]
        return _compare(f"{path}[]", get_args(annotation)[0], avro_type["items"], named)
    if kind in _PRIMITIVES:
        return _compare(path, annotation, kind, named)
    return [f"{path}: unsupported schema type {avro_type}"]


def _compare_enum(path: str, annotation: Any, avro_type: dict[str, Any]) -> list[str]:
    if not _is_subclass(annotation, Enum):
        return [f"{path}: schema enum {avro_type['name']} but model type {annotation}"]
    problems = []
    if annotation.__name__ != avro_type["name"]:
        problems.append(f"{path}: enum {annotation.__name__} is {avro_type['name']} in schema")
    symbols = [member.value for member in annotation]
    if symbols != avro_type["symbols"]:
        problems.append(f"{path}: enum symbols {symbols} != schema {avro_type['symbols']}")
    if avro_type.get("default") != "UNKNOWN" or avro_type["symbols"][:1] != ["UNKNOWN"]:
        problems.append(f"{path}: enum {avro_type['name']} must start with and default to UNKNOWN")
    return problems


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    return value


def model_mismatches(
    model: type[BaseModel],
    schema: dict[str, Any],
    named: dict[str, Any] | None = None,
    path: str | None = None,
) -> list[str]:
    """Every difference between a pydantic model and an Avro record schema."""
    named = {} if named is None else named
    path = path or model.__name__
    problems: list[str] = []
    if model.__name__ != schema.get("name"):
        problems.append(f"{path}: model {model.__name__} is record {schema.get('name')}")
    schema_fields = [f["name"] for f in schema["fields"]]
    model_fields = list(model.model_fields)
    if schema_fields != model_fields:
        problems.append(f"{path}: fields {model_fields} != schema fields {schema_fields}")
    for avro_field in schema["fields"]:
        name = avro_field["name"]
        info = model.model_fields.get(name)
        if info is None:
            continue
        where = f"{path}.{name}"
        problems += _compare(where, info.annotation, avro_field["type"], named)
        if "default" in avro_field:
            if info.is_required():
                problems.append(f"{where}: schema has a default but the model field is required")
            elif _plain(info.get_default(call_default_factory=True)) != avro_field["default"]:
                problems.append(
                    f"{where}: model default {info.default!r} != schema default "
                    f"{avro_field['default']!r}"
                )
        elif not info.is_required():
            problems.append(f"{where}: model has a default but the schema field has none")
    return problems


def conformance_problems(registry: SchemaRegistry) -> list[str]:
    """Differences between every event model and the newest schema of its type."""
    problems = []
    for missing in sorted(set(EVENT_TYPES) - set(registry.event_types())):
        problems.append(f"{missing}: event model has no schema file")
    for missing in sorted(set(registry.event_types()) - set(EVENT_TYPES)):
        problems.append(f"{missing}: schema has no event model")
    for name, model in EVENT_TYPES.items():
        if name in registry.event_types():
            problems += model_mismatches(model, registry.latest(name).schema)
    return problems
