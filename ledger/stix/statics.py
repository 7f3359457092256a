"""The objects no event makes: the ledger software's identity (author of the extension
definition), the extension definition, and the identity of one ledger (creator of all it
exports). Their content is fixed, or a function of the log's name, so every export of a
ledger holds the same ones, at the head of the bundle."""

from typing import Any

from ledger.stix.context import Context
from ledger.stix.ids import EXTENSION, SOFTWARE_IDENTITY
from ledger.stix.markings import STATIC_CREATED

EXTENSION_VERSION = "1.0.0"
SCHEMA_FILE = f"{EXTENSION}.json"
"""Our extension's JSON schema, shipped in ``ledger/stix/schema/`` under the name
stix2-validator looks for (``--schemas ledger/stix/schema``)."""


def software_identity() -> dict[str, Any]:
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": SOFTWARE_IDENTITY,
        "created": STATIC_CREATED,
        "modified": STATIC_CREATED,
        "name": "ledger (intelligence ledger software)",
        "identity_class": "system",
        "description": "The software that exports ledger events as STIX 2.1 and defines "
        "the extension its objects carry.",
    }


def extension_definition() -> dict[str, Any]:
    return {
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": EXTENSION,
        "created": STATIC_CREATED,
        "modified": STATIC_CREATED,
        "created_by_ref": SOFTWARE_IDENTITY,
        "name": "ledger",
        "description": "What an intelligence ledger knows that STIX has no property for: "
        "Admiralty reliability and credibility with their history, strength estimates and "
        "activities, independence of assessments, markings (level and compartments), and "
        "the ledger positions every object rests on, with their inclusion proofs.",
        "schema": f"The JSON schema shipped with the ledger package as ledger/stix/schema/"
        f"{SCHEMA_FILE} (it describes the whole object carrying the extension).",
        "version": EXTENSION_VERSION,
        "extension_types": ["property-extension"],
    }


def ledger_identity(context: Context) -> dict[str, Any]:
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": context.creator,
        "created": STATIC_CREATED,
        "modified": STATIC_CREATED,
        "name": context.log,
        "identity_class": "system",
        "description": "An intelligence ledger: every object it exports is derived from "
        "its events, named by their positions in its log.",
        "extensions": {
            EXTENSION: {"extension_type": "property-extension", "ledger_object": "ledger"}
        },
    }


def statics(context: Context) -> list[dict[str, Any]]:
    """The objects every export of the ledger of ``context`` begins with."""
    return [software_identity(), extension_definition(), ledger_identity(context)]
