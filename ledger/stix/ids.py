"""STIX identifiers derived from ledger ids, so the same ledger object always has the
same STIX id, and the constant ids of the objects every export shares.

STIX 2.1 (section 2.9) asks domain objects, relationships and bundles for UUIDv4 ids,
and stix2-validator's strict mode refuses any other version. A derived id is therefore
the first 16 bytes of a SHA-256, shaped as a version 4 UUID (RFC 4122 variant): 122 bits
of the hash, the same bytes for the same input. The input names the STIX type (one UUID
is never shared by two types), the log the object comes from (two ledgers holding the
same ledger id are two producers, and STIX wants different ids for them), the kind of
ledger object and its ledger id.
"""

import hashlib
import uuid
from functools import lru_cache

DOMAIN = b"ledger-stix-id/v1\n"
"""Hashed before every derived id: a change of scheme changes every id at once."""

SOFTWARE_IDENTITY = "identity--26b21e40-1ed2-4ccc-94a2-c59f25e16596"
"""The ledger software itself: the author of the extension definition (the same in
every deployment, so the extension definition is one object everywhere)."""

EXTENSION = "extension-definition--367878b3-6e5b-4f8c-839e-b0f1b56b62ba"
"""Our one extension definition (a property-extension)."""


def derived_uuid(*parts: str) -> str:
    """A UUIDv4-shaped UUID (as text) that is a function of ``parts`` alone: what
    ``uuid.UUID(bytes=digest[:16], version=4)`` gives, at a third of its cost."""
    head = bytearray(hashlib.sha256(DOMAIN + "\n".join(parts).encode("utf-8")).digest()[:16])
    head[6] = (head[6] & 0x0F) | 0x40  # version 4
    head[8] = (head[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = head.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def stix_id(stix_type: str, *parts: str) -> str:
    """``<type>--<uuid>`` derived from the type and ``parts``."""
    return f"{stix_type}--{derived_uuid(stix_type, *parts)}"


@lru_cache(maxsize=1 << 16)
def object_id(stix_type: str, log: str, kind: str, ledger_id: str) -> str:
    """The STIX id of a ledger object: its type, the log, the kind and the ledger id
    (recent ones kept: the same actors, places and documents are named again and again)."""
    return stix_id(stix_type, log, kind, ledger_id)


def ledger_identity(log: str) -> str:
    """The identity of one ledger (its log name): the creator of everything it exports."""
    return stix_id("identity", log, "ledger")


def is_stix_id(value: object, stix_type: str | None = None) -> bool:
    """Whether ``value`` is ``<type>--<RFC 4122 UUID>`` (of ``stix_type``, if given)."""
    if not isinstance(value, str) or "--" not in value:
        return False
    kind, _, rest = value.partition("--")
    if stix_type is not None and kind != stix_type:
        return False
    if not kind or len(kind) > 250 or not all(c.islower() or c.isdigit() or c == "-" for c in kind):
        return False
    try:
        parsed = uuid.UUID(rest)
    except ValueError:
        return False
    return str(parsed) == rest
