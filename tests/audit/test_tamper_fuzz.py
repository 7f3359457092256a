"""Tamper fuzz: random damage done as a superuser to a real PostgreSQL ledger, hundreds of
cases. ``verify`` must always find it (exit 1) at the damaged position and never stop
(exit 2). One seeded ledger serves every case: each tampering is undone from a copy.

The ledger carries a signed checkpoint of its head, so even removing the very last event
(which leaves a shorter but intact chain and tree) is found.
"""

import json
import random
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest

from ledger.audit.verify import verify
from ledger.demo import load_seed
from ledger.log.note import Signer
from ledger.projection import fold
from ledger.projection.catalog import PROJECTIONS
from ledger.store.checkpoints import Checkpoints
from ledger.store.postgres import PostgresLedger
from tests.helpers import ledger_cli

CASES = 300
SEED = 20261201
WITH_PROJECTIONS_EVERY = 25
"""One case in this many also runs the projection check (a fresh fold: slower)."""

Conn = psycopg.Connection[Any]
Tamper = Callable[[random.Random, Conn, int], tuple[str, int]]
"""Damages the ledger; returns what it did and the position verify must name."""

BACKED_UP = ("events", "schemas", "merkle_nodes", "checkpoints")


def _row(conn: Conn, position: int) -> dict[str, Any]:
    cur = conn.execute("SELECT * FROM ledger.events WHERE position = %s", (position,))
    names = [d.name for d in cur.description or []]
    values = cur.fetchone()
    assert values is not None
    return dict(zip(names, values, strict=True))


def _set(conn: Conn, position: int, column: str, value: Any) -> None:
    conn.execute(
        f"UPDATE ledger.events SET {column} = %s WHERE position = %s",
        (value, position),
    )


def change_byte(rng: random.Random, conn: Conn, head: int) -> tuple[str, int]:
    p = rng.randint(1, head)
    payload = bytearray(_row(conn, p)["payload"])
    i = rng.randrange(len(payload))
    payload[i] = (payload[i] + rng.randint(1, 255)) % 256
    _set(conn, p, "payload", bytes(payload))
    return f"payload byte {i} of position {p} changed", p


def truncate(rng: random.Random, conn: Conn, head: int) -> tuple[str, int]:
    p = rng.randint(1, head)
    payload = bytes(_row(conn, p)["payload"])
    cut = rng.randrange(len(payload))
    _set(conn, p, "payload", payload[:cut])
    return f"payload of position {p} cut to {cut} bytes", p


def extend(rng: random.Random, conn: Conn, head: int) -> tuple[str, int]:
    p = rng.randint(1, head)
    payload = bytes(_row(conn, p)["payload"])
    _set(conn, p, "payload", payload + rng.randbytes(rng.randint(1, 4)))
    return f"bytes added after the payload of position {p}", p


def record_time(rng: random.Random, conn: Conn, head: int) -> tuple[str, int]:
    p = rng.randint(1, head)
    shift = rng.choice([-1, 1]) * rng.randint(1, 10**9)
    conn.execute(
        "UPDATE ledger.events SET recorded_at = recorded_at + %s * interval '1 microsecond'"
        " WHERE position = %s",
        (shift, p),
    )
    return f"record time of position {p} moved by {shift} µs", p


def column(rng: random.Random, conn: Conn, head: int) -> tuple[str, int]:
    p = rng.randint(1, head)
    row = _row(conn, p)
    name, value = rng.choice(
        [
            ("event_id", uuid.uuid4()),
            ("stream_id", row["stream_id"] + "x"),
            ("event_type", "ClaimRetracted" if row["event_type"] != "ClaimRetracted" else "X"),
        ]
    )
    _set(conn, p, name, value)
    return f"{name} column of position {p} changed", p


def hashes(rng: random.Random, conn: Conn, head: int) -> tuple[str, int]:
    p = rng.randint(1, head)
    name = rng.choice(["hash", "prev_hash"])
    value = bytearray(_row(conn, p)[name])
    value[rng.randrange(32)] ^= 1 << rng.randrange(8)
    _set(conn, p, name, bytes(value))
    return f"{name} of position {p} changed", p


def delete(rng: random.Random, conn: Conn, head: int) -> tuple[str, int]:
    p = rng.choice([head, rng.randint(1, head)])  # the last one: only the checkpoint shows it
    conn.execute("DELETE FROM ledger.events WHERE position = %s", (p,))
    return f"position {p} deleted", p


def swap(rng: random.Random, conn: Conn, head: int) -> tuple[str, int]:
    a, b = sorted(rng.sample(range(1, head + 1), 2))
    conn.execute("UPDATE ledger.events SET position = 999999999 WHERE position = %s", (a,))
    conn.execute("UPDATE ledger.events SET position = %s WHERE position = %s", (a, b))
    conn.execute("UPDATE ledger.events SET position = %s WHERE position = 999999999", (b,))
    return f"positions {a} and {b} swapped", a


def insert(rng: random.Random, conn: Conn, head: int) -> tuple[str, int]:
    p = rng.randint(1, head)
    copied = rng.randint(1, head)
    conn.execute(
        "UPDATE ledger.events SET position = position + 1000000 WHERE position >= %s", (p,)
    )
    conn.execute("UPDATE ledger.events SET position = position - 999999 WHERE position > 1000000")
    conn.execute(
        "INSERT INTO ledger.events SELECT %s, %s, event_type, stream_id, recorded_at,"
        " valid_from, valid_to, payload, prev_hash, hash FROM ledger.events WHERE position = %s",
        (p, uuid.uuid4(), copied if copied < p else copied + 1),
    )
    return f"a copy of position {copied} inserted at {p}", p


def registry(rng: random.Random, conn: Conn, head: int) -> tuple[str, int]:
    used = conn.execute(
        "SELECT substring(payload FROM 3 FOR 8), min(position) FROM ledger.events GROUP BY 1"
    ).fetchall()
    fingerprint, first = rng.choice(used)
    (text,) = conn.execute(
        "SELECT schema_json FROM ledger.schemas WHERE fingerprint = %s", (fingerprint,)
    ).fetchone() or ("",)
    schema = json.loads(text)
    how = rng.choice(["drop a field", "retype a field", "not json", "rename"])
    if how == "drop a field":
        schema["fields"] = schema["fields"][:-1]
        changed = json.dumps(schema)
    elif how == "retype a field":
        schema["fields"][-1] = {**schema["fields"][-1], "type": "bytes"}
        changed = json.dumps(schema)
    elif how == "rename":
        schema["name"] = schema["name"] + "Forged"
        changed = json.dumps(schema)
    else:
        changed = text[: len(text) // 2]
    conn.execute(
        "UPDATE ledger.schemas SET schema_json = %s WHERE fingerprint = %s", (changed, fingerprint)
    )
    return f"registry entry {bytes(fingerprint).hex()} altered ({how})", first


def tree_node(rng: random.Random, conn: Conn, head: int) -> tuple[str, int]:
    nodes = conn.execute('SELECT "position", level FROM ledger.merkle_nodes').fetchall()
    position, level = rng.choice(nodes)
    how = rng.choice(["changed", "deleted", "forged"])
    if how == "changed":
        conn.execute(
            "UPDATE ledger.merkle_nodes SET hash = sha256(hash)"
            ' WHERE "position" = %s AND level = %s',
            (position, level),
        )
    elif how == "deleted":
        conn.execute(
            'DELETE FROM ledger.merkle_nodes WHERE "position" = %s AND level = %s',
            (position, level),
        )
    else:
        position = rng.randint(1, head + 3)
        level = rng.choice([0, 1, 2, 9])
        conn.execute(
            'INSERT INTO ledger.merkle_nodes ("position", level, hash) VALUES (%s, %s, %s)'
            " ON CONFLICT DO NOTHING",
            (position, level, rng.randbytes(32)),
        )
    return f"tree node of level {level} at position {position} {how}", position


def checkpoint(rng: random.Random, conn: Conn, head: int) -> tuple[str, int]:
    how = rng.choice(["root", "note", "size"])
    if how == "root":
        conn.execute("UPDATE ledger.checkpoints SET root = sha256(root) WHERE size = %s", (head,))
    elif how == "note":
        (note,) = conn.execute(
            "SELECT note FROM ledger.checkpoints WHERE size = %s", (head,)
        ).fetchone() or ("",)
        i = rng.randrange(len(note))
        changed = note[:i] + chr(ord(note[i]) ^ (1 << rng.randrange(5))) + note[i + 1 :]
        conn.execute("UPDATE ledger.checkpoints SET note = %s WHERE size = %s", (changed, head))
    else:
        conn.execute("UPDATE ledger.checkpoints SET size = size - 1 WHERE size = %s", (head,))
        return f"checkpoint moved to size {head - 1}", head - 1
    return f"checkpoint of size {head}: {how} changed", head


TAMPERS: list[Tamper] = [
    change_byte,
    change_byte,
    change_byte,
    truncate,
    extend,
    record_time,
    column,
    hashes,
    delete,
    swap,
    insert,
    registry,
    tree_node,
    tree_node,
    checkpoint,
]


@pytest.fixture
def attacker(database_url: str) -> Iterator[Conn]:
    """A superuser session with triggers off and the CHECK constraints of the events and
    the tree dropped (so even the single-object marker can be damaged), and a copy to
    restore from."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        for table, name in conn.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'c'"
            " AND conrelid IN ('ledger.events'::regclass, 'ledger.merkle_nodes'::regclass)"
        ).fetchall():
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for table in BACKED_UP:
            conn.execute(f"CREATE TEMP TABLE {table}_copy AS SELECT * FROM ledger.{table}")
        yield conn


def _restore(conn: Conn) -> None:
    with conn.transaction():
        for table in BACKED_UP:
            conn.execute(f"DELETE FROM ledger.{table}")
            conn.execute(f"INSERT INTO ledger.{table} SELECT * FROM {table}_copy")


LOG_KEY = Signer.generate("test.example/log")


@pytest.fixture
def seeded(ledger: PostgresLedger) -> PostgresLedger:
    load_seed(ledger)
    for name in PROJECTIONS:
        fold(ledger, name)
    Checkpoints(ledger).issue(LOG_KEY)
    return ledger


def test_every_random_tampering_is_found_at_its_position(
    seeded: PostgresLedger, attacker: Conn
) -> None:
    head = seeded.head().position
    assert verify(seeded, log_key=LOG_KEY.verifier).ok
    rng = random.Random(SEED)
    kinds: dict[str, int] = {}
    for case in range(CASES):
        tamper = rng.choice(TAMPERS)
        with attacker.transaction():
            what, expected = tamper(rng, attacker, head)
        try:
            report = verify(
                seeded,
                projections=case % WITH_PROJECTIONS_EVERY == 0,
                log_key=LOG_KEY.verifier,
            )
        except Exception as exc:  # a crash is exactly what this test hunts
            pytest.fail(f"case {case} ({what}): verify stopped: {exc!r}")
        assert not report.ok, f"case {case} ({what}): not found"
        assert report.first_bad_position == expected, (
            f"case {case} ({what}): first bad position {report.first_bad_position}, "
            f"findings {report.findings.kept[:3]}"
        )
        kinds[tamper.__name__] = kinds.get(tamper.__name__, 0) + 1
        _restore(attacker)
    assert set(kinds) == {t.__name__ for t in TAMPERS}
    assert verify(seeded, log_key=LOG_KEY.verifier).ok  # the restore left it as it was


@pytest.mark.parametrize("tamper", [change_byte, truncate, registry, swap])
def test_the_cli_exits_1_naming_the_position(
    seeded: PostgresLedger, attacker: Conn, database_url: str, tamper: Tamper
) -> None:
    with attacker.transaction():
        what, expected = tamper(random.Random(tamper.__name__), attacker, seeded.head().position)
    result = ledger_cli("audit", "verify", "--json", database_url=database_url)
    assert result.returncode == 1, (what, result.stdout, result.stderr)
    assert json.loads(result.stdout)["first_bad_position"] == expected, what
