"""The OpenAPI description of an event as producers post it, built from the domain models.

A posted event is the JSON form the CLI reads: ``{"type": "<EventType>", "envelope":
{...}, ...fields}``, or a signed event (``ledger.intake.signed``). Validation itself is
done by the same pydantic models (through ``ledger.intake.lines``), so the CLI and the API
accept and refuse exactly the same events.
"""

from typing import Any

from pydantic.json_schema import models_json_schema

from ledger.domain.events import EVENT_TYPES

REF = "#/components/schemas/{model}"


def event_components() -> dict[str, Any]:
    """Component schemas: one per event type (with its ``type`` tag), ``Event`` (any of
    them, told apart by ``type``), and the value types they share."""
    _, top = models_json_schema(
        [(model, "validation") for model in EVENT_TYPES.values()], ref_template=REF
    )
    components: dict[str, Any] = dict(top.get("$defs", {}))
    envelope = components["Envelope"]
    envelope["required"] = [f for f in envelope["required"] if f != "stream_id"]
    given = envelope["properties"]["stream_id"]
    envelope["properties"]["stream_id"] = {
        "anyOf": [given, {"type": "null"}],
        "title": given.get("title", "Stream Id"),
        "description": "Left out or null: the event's subject, e.g. claim:<claim_id>.",
    }
    for name in EVENT_TYPES:
        schema = components[name]
        schema["properties"] = {
            "type": {"const": name, "type": "string", "description": "The event type."},
            **schema["properties"],
        }
        schema["required"] = ["type", *schema.get("required", [])]
    components["Event"] = {
        "description": "One event, as written by its producer; `type` says which kind.",
        "oneOf": [{"$ref": REF.format(model=name)} for name in EVENT_TYPES],
        "discriminator": {
            "propertyName": "type",
            "mapping": {name: REF.format(model=name) for name in EVENT_TYPES},
        },
    }
    components["SignedEvent"] = {
        "description": "An event its producer signed: its exact single-object Avro bytes and "
        "the producer's signature over them, appended byte for byte. The signature is checked "
        "against the producer key register (ProducerKeyRegistered events).",
        "type": "object",
        "properties": {
            "payload": {
                "type": "string",
                "format": "byte",
                "description": "The event's single-object Avro bytes, base64.",
            },
            "signature": {
                "type": "string",
                "format": "byte",
                "description": "72 bytes, base64: the key id (first 8 bytes of SHA-256 of the "
                "raw Ed25519 public key), then the Ed25519 signature over the payload.",
            },
        },
        "required": ["payload", "signature"],
        "additionalProperties": False,
    }
    components["PostedEvent"] = {
        "description": "An event as JSON (encoded by the ledger) or signed by its producer.",
        "anyOf": [{"$ref": REF.format(model="Event")}, {"$ref": REF.format(model="SignedEvent")}],
    }
    components["EventBatch"] = {
        "description": "Events appended together: all of them, or none.",
        "type": "object",
        "properties": {
            "events": {
                "type": "array",
                "items": {"$ref": REF.format(model="PostedEvent")},
                "minItems": 1,
                "maxItems": 10_000,
            }
        },
        "required": ["events"],
        "additionalProperties": False,
    }
    return components


def request_body(component: str) -> dict[str, Any]:
    """An ``openapi_extra`` entry declaring a JSON body of the named component."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": REF.format(model=component)}}},
        }
    }
