"""Helpers the tests share: running the CLI as a user does, test databases, and the
chain check every store test ends with."""

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import uvicorn
from fastapi.testclient import TestClient
from psycopg.conninfo import make_conninfo

from ledger.api.app import create_app
from ledger.chain import GENESIS_HASH, chain_hash
from ledger.config import KafkaSettings, Settings
from ledger.demo import load_seed
from ledger.domain.marking import PUBLIC, Clearance
from ledger.ports import LedgerStore
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.fold import fold
from ledger.runtime import open_ledger
from ledger.store.postgres import PostgresLedger
from ledger.web import keys
from ledger.web.keys import Role


def database_url_for(server_url: str, name: str) -> str:
    return make_conninfo(server_url, dbname=name)


def create_database(server_url: str, template: str | None) -> str:
    """A new database on the server (copied from ``template`` if given); its name."""
    name = f"ledger_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        suffix = f" TEMPLATE {template}" if template else ""
        conn.execute(f"CREATE DATABASE {name}{suffix}")
    return name


def drop_database(server_url: str, name: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def assert_chain_valid(ledger: LedgerStore) -> int:
    """Positions contiguous from 1, every hash recomputed, record time never backwards;
    returns how many events there are."""
    previous, count, last_time = GENESIS_HASH, 0, None
    for recorded in ledger.read():
        count += 1
        assert recorded.position == count, "positions must be contiguous from 1"
        assert recorded.prev_hash == previous
        assert recorded.hash == chain_hash(
            previous, recorded.position, recorded.recorded_at, recorded.payload
        )
        if last_time is not None:
            assert recorded.recorded_at >= last_time, "record time never goes backwards"
        previous, last_time = recorded.hash, recorded.recorded_at
    return count


SESSION_KEY = Path(tempfile.mkdtemp(prefix="ledger-test-key-")) / "signing.key"
"""The checkpoint signing key of CLI runs that name no LEDGER_HOME (made on first use)."""


def ledger_cli(
    *args: str,
    database_url: str | None = None,
    stdin: str | None = None,
    home: Path | None = None,
    env_extra: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m ledger ARGS` as a user would, with only the LEDGER_* given here."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(env_extra or {})
    if database_url is not None:
        env["LEDGER_DATABASE_URL"] = database_url
    if home is not None:
        env["LEDGER_HOME"] = str(home)
    else:  # never the working directory's .ledger: one key for the whole test session
        env.setdefault("LEDGER_SIGNING_KEY_FILE", str(SESSION_KEY))
    env["COLUMNS"] = (env_extra or {}).get("COLUMNS", "200")
    return subprocess.run(
        [sys.executable, "-m", "ledger", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def ledger_cli_bytes(
    *args: str, database_url: str, stdin: bytes
) -> subprocess.CompletedProcess[bytes]:
    """Run `python -m ledger ARGS` with ``stdin`` given byte for byte."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(
        LEDGER_DATABASE_URL=database_url, LEDGER_SIGNING_KEY_FILE=str(SESSION_KEY), COLUMNS="200"
    )
    return subprocess.run(
        [sys.executable, "-m", "ledger", *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )


def write_lines(path: Path, *records: dict[str, object] | str) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n")
    return path


def positions(database_url: str) -> list[int]:
    result = ledger_cli("events", "--json", "--limit", "0", database_url=database_url)
    assert result.returncode == 0, result.stderr
    return [json.loads(line)["position"] for line in result.stdout.splitlines()]


@dataclass
class Api:
    """A client of the app plus a key per role, and the ledger behind it."""

    client: TestClient
    keys: dict[Role, str]
    ledger: PostgresLedger

    def headers(self, role: Role = Role.ANALYST) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}

    def get(self, path: str, role: Role = Role.ANALYST, **params: Any) -> Any:
        """GET as ``role``; asserts 200 and returns the JSON body."""
        response = self.client.get(path, params=params, headers=self.headers(role))
        assert response.status_code == 200, response.text
        return response.json()

    def post(
        self, path: str, body: Any, role: Role = Role.PRODUCER, *, allow_unresolved: bool = False
    ) -> Any:
        params = {"allow_unresolved": "true"} if allow_unresolved else None
        return self.client.post(path, json=body, headers=self.headers(role), params=params)

    def project(self) -> None:
        """Fold what was appended into the projections (as `ledger project` does)."""
        for name in PROJECTIONS:
            fold(self.ledger, name)


def seed(ledger: PostgresLedger) -> None:
    load_seed(ledger)
    for name in PROJECTIONS:
        fold(ledger, name)


@contextmanager
def serving(
    url: str,
    *,
    auth: bool = True,
    kafka: KafkaSettings | None = None,
    pool_timeout: float = 10,
    clearance: Clearance = PUBLIC,
    **settings_overrides: Any,
) -> Iterator[Api]:
    """The app over the database at ``url``, with a fresh key for every role, each
    holding ``clearance`` (by default, as any key made without one: UNCLASSIFIED)."""
    settings = Settings(database_url=url, pool_timeout=pool_timeout, **settings_overrides)
    with open_ledger(settings) as ledger:
        with ledger.connection() as conn:
            made = {
                role: keys.create(conn, role, f"test {role.value}", clearance)[1] for role in Role
            }
        app = create_app(settings, kafka or KafkaSettings(bootstrap=None), auth=auth)
        with TestClient(app, raise_server_exceptions=False) as client:
            yield Api(client, made, ledger)


_READ_POSITION = re.compile(r"\bat position \d+")


def normalised(body: Any) -> Any:
    """The answer without what may show the ledger's size (cursors, head, the read
    position a refusal names: "... registered at position 12") and without the page
    token's bytes (sealed afresh for every answer): only whether there is a next page."""
    if not isinstance(body, dict):
        return body
    kept = {k: v for k, v in body.items() if k not in ("read_at", "head")}
    if isinstance(kept.get("detail"), str):
        kept["detail"] = _READ_POSITION.sub("at position N", kept["detail"])
    if "next_cursor" in kept:
        kept["next_cursor"] = kept["next_cursor"] is not None
    return kept


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def uvicorn_server(
    settings: Settings, *, auth: bool = True, kafka: KafkaSettings | None = None
) -> Iterator[str]:
    """The app on a real uvicorn server (in a thread, on a free loopback port); its
    base URL."""
    port = free_port()
    app = create_app(settings, kafka or KafkaSettings(bootstrap=None), auth=auth)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
