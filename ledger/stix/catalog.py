"""Every kind of ledger object the export writes, and which event is about which object."""

from typing import Any

from ledger.stix import (
    actors,
    assessments,
    attributions,
    claims,
    deployments,
    documents,
    places,
    sources,
)
from ledger.stix.versions import ObjectKind

KINDS: tuple[ObjectKind, ...] = (
    sources.KIND,
    actors.KIND,
    places.KIND,
    documents.KIND,
    claims.KIND,
    attributions.KIND,
    assessments.KIND,
    deployments.KIND,
)
BY_NAME = {kind.name: kind for kind in KINDS}
KIND_OF_EVENT: dict[str, ObjectKind] = {t: kind for kind in KINDS for t in kind.event_types}
"""The kind of object each exported event type is about. Producer and witness key
events are the ledger's own housekeeping, not intelligence: no STIX object shows them."""

EXPORTED = tuple(sorted(KIND_OF_EVENT))


def object_key(event_type: str, record: dict[str, Any]) -> tuple[str, str] | None:
    """(kind, ledger id) of the object an event is about, or None if none is exported."""
    kind = KIND_OF_EVENT.get(event_type)
    return None if kind is None else (kind.name, str(record[kind.key]))
