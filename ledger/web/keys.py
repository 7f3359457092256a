"""Bearer API keys: created once and shown once, stored as a SHA-256, revocable at once.

A key reads ``ldg_<key id>_<secret>``. The key id finds the row; the hash of the whole
key is compared in constant time. Every request looks its key up again, so a revoked key
stops working on the next request, in every worker.
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from ledger.domain.enums import Symbol
from ledger.domain.marking import PUBLIC, Clearance
from ledger.errors import LedgerError
from ledger.store import api_keys

Conn = psycopg.Connection[Any]

_KEY = re.compile(r"^ldg_(?P<key_id>[0-9a-f]{12})_[A-Za-z0-9_-]{43}$")


class Role(Symbol):
    """What a key may do: producers append, analysts and auditors read, admins do both."""

    PRODUCER = "producer"
    ANALYST = "analyst"
    AUDITOR = "auditor"
    ADMIN = "admin"


READERS = frozenset({Role.ANALYST, Role.AUDITOR, Role.ADMIN})
WRITERS = frozenset({Role.PRODUCER, Role.ADMIN})


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None
    clearance: Clearance = PUBLIC
    """What its holder may see, and the highest marking a producer may write."""

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _clearance(rank: Any, compartments: Any) -> Clearance:
    return Clearance(int(rank), frozenset(compartments or ()))


def _hash(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def create(conn: Conn, role: Role, name: str, clearance: Clearance = PUBLIC) -> tuple[ApiKey, str]:
    """A new key for ``role`` holding ``clearance`` (by default UNCLASSIFIED and no
    compartments): its record and the key itself (shown once, never stored)."""
    if not name.strip():
        raise LedgerError("key name is empty: name each key for who or what uses it")
    if clearance.is_operator:
        raise LedgerError("a key cannot hold the operator's clearance: give it a level")
    key_id = secrets.token_hex(6)
    key = f"ldg_{key_id}_{secrets.token_urlsafe(32)}"
    created = api_keys.insert(
        conn,
        key_id,
        name.strip(),
        role.value,
        _hash(key),
        clearance.rank,
        sorted(clearance.compartments),
    )
    return ApiKey(key_id, name.strip(), role, created, None, clearance), key


def listing(conn: Conn, include_revoked: bool = True) -> list[ApiKey]:
    """Every key (without secrets), oldest first."""
    rows = api_keys.rows(conn, include_revoked)
    return [ApiKey(r[0], r[1], Role(r[2]), r[3], r[4], _clearance(r[5], r[6])) for r in rows]


def clearances_in_use(conn: Conn) -> list[Clearance]:
    """The distinct clearances of the keys not revoked that read (their projections are
    kept folded by the Dagster run)."""
    rows = api_keys.clearances(conn, [r.value for r in READERS])
    return [_clearance(rank, compartments) for rank, compartments in rows]


def revoke(conn: Conn, key_id: str) -> ApiKey:
    """Revoke a key by its id (or by the whole key); revoking twice keeps the first time."""
    match = _KEY.match(key_id)
    wanted = match["key_id"] if match else key_id
    row = api_keys.revoked(conn, wanted)
    if row is None:
        raise LedgerError(f"no API key has the id {wanted!r}; `ledger keys list` shows them")
    return ApiKey(row[0], row[1], Role(row[2]), row[3], row[4], _clearance(row[5], row[6]))


def key_id_of(key: str) -> str | None:
    """The id part of a well-formed key, else None."""
    match = _KEY.match(key)
    return match["key_id"] if match else None


def active(row: tuple[Any, ...] | None) -> ApiKey | None:
    """The key record of ``row`` (as ``verified`` takes it) if it is not revoked: for a
    workbench session, which stands for a key checked when it began."""
    if row is None or row[0] is None or row[4] is not None:
        return None
    return ApiKey(row[0], row[1], Role(row[2]), row[3], row[4], _clearance(row[6], row[7]))


def verified(row: tuple[Any, ...] | None, key: str) -> ApiKey | None:
    """The key record if ``row`` (id, name, role, created, revoked, hash, clearance rank,
    compartments) is the presented key's and it is not revoked."""
    if row is None or row[4] is not None:
        return None
    if not hmac.compare_digest(bytes(row[5]), _hash(key)):
        return None
    return ApiKey(row[0], row[1], Role(row[2]), row[3], row[4], _clearance(row[6], row[7]))
