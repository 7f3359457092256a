"""The server runs every query as the least-privilege login ``ledger_service``, on a
server URL and on the embedded default alike: a query run for a request can take no role
beyond the reader's, writer's and projector's, so it cannot escalate to the owner's or a
superuser's, nor switch off the ledger's triggers or row-level security."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg.conninfo import make_conninfo

from ledger.api.app import create_app
from ledger.config import KafkaSettings, Settings
from ledger.domain.marking import PUBLIC
from ledger.errors import LedgerError
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.clearances import fold_cleared
from ledger.projection.fold import fold
from ledger.runtime import open_ledger
from ledger.web import keys
from ledger.web.keys import Role
from ledger.web.services import Services
from tests.factories import make
from tests.helpers import free_port, ledger_cli, seed, serving, uvicorn_server

ESCALATIONS = [
    "SELECT set_config('role', 'postgres', true)",
    "SELECT set_config('role', 'postgres', false)",
    "SET ROLE postgres",
    "SET SESSION AUTHORIZATION postgres",
    "ALTER TABLE ledger.events DISABLE ROW LEVEL SECURITY",
    "ALTER TABLE ledger.events DISABLE TRIGGER USER",
    "UPDATE ledger.events SET stream_id = 'x' WHERE position = 1",
    "DELETE FROM ledger.events",
    "SELECT * FROM ledger.api_keys FOR UPDATE",
    "GRANT ledger_service TO ledger_reader",
    "CREATE ROLE mallory SUPERUSER",
    "ALTER ROLE ledger_service SUPERUSER",
]


def test_a_request_connection_cannot_escalate(seeded_url: str) -> None:
    with serving(seeded_url) as api:
        found = api.client.app.state.services  # type: ignore[attr-defined]
        assert isinstance(found, Services)
        with found.ledger.connection() as conn:
            row = conn.execute(
                "SELECT session_user, current_user, current_setting('is_superuser')"
            ).fetchone()
            assert row == ("ledger_service", "ledger_service", "off")
        for statement in ESCALATIONS:
            with found.ledger.connection() as conn:
                conn.execute("SELECT set_config('ledger.clearance_rank', '0', false)")
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(statement)
                row = conn.execute(
                    "SELECT current_user, current_setting('is_superuser')"
                ).fetchone()
                assert row == ("ledger_service", "off"), statement
        # a read as a reader may go back to the service's own roles, and no further
        with found.ledger.cleared(found.reads.clearance) as conn:
            assert conn.execute("SELECT current_user").fetchone() == ("ledger_service",)
        assert api.client.get("/posture", headers=api.headers()).status_code == 200


def test_every_connection_of_a_running_server_is_the_service_login(seeded_url: str) -> None:
    setup = Settings(database_url=seeded_url, application_name="setup")
    with open_ledger(setup) as ledger, ledger.connection() as conn:
        key = keys.create(conn, Role.ANALYST, "probe")[1]
    with uvicorn_server(Settings(database_url=seeded_url)) as base:
        request = urllib.request.Request(
            f"{base}/claims", headers={"Authorization": f"Bearer {key}"}
        )
        with urllib.request.urlopen(request, timeout=10) as answered:
            assert answered.status == 200
        with psycopg.connect(seeded_url, application_name="probe") as probe:
            users = probe.execute(
                "SELECT usename, count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND application_name = 'ledger'"
                " GROUP BY usename"
            ).fetchall()
    assert [user for user, _ in users] == ["ledger_service"], users
    assert users[0][1] >= 2  # the pool of reads and appends, and the lookups' pool


def test_a_server_refuses_to_serve_as_a_superuser(seeded_url: str) -> None:
    settings = Settings(database_url=seeded_url, service_database_url=seeded_url)
    app = create_app(settings, KafkaSettings(bootstrap=None))
    with pytest.raises(LedgerError, match="least-privilege login, but 'postgres' is a superuser"):
        with TestClient(app):
            pass


def _postmaster(pgdata: Path) -> tuple[str, str]:
    """(socket directory, port) of the embedded server, from its postmaster.pid."""
    lines = (pgdata / "postmaster.pid").read_text().splitlines()
    return lines[4], lines[3]


def test_ledger_serve_on_the_embedded_default_serves_as_the_service_login(tmp_path: Path) -> None:
    home = tmp_path / "home"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(LEDGER_HOME=str(home), LEDGER_SIGNING_KEY_FILE=str(tmp_path / "signing.key"))
    process = subprocess.Popen(
        [sys.executable, "-m", "ledger", "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, process.communicate()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "ledger serve did not start"
            time.sleep(0.2)
        socket_dir, pg_port = _postmaster(home / "pgdata")
        with psycopg.connect(
            host=socket_dir,
            port=pg_port,
            user="postgres",
            dbname="ledger",
            application_name="probe",
        ) as probe:
            users = probe.execute(
                "SELECT usename, count(*) FROM pg_stat_activity WHERE datname = 'ledger'"
                " AND application_name = 'ledger' GROUP BY usename"
            ).fetchall()
        assert [user for user, _ in users] == ["ledger_service"], users
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_the_server_and_the_owner_fold_the_same_projection_tables(database_url: str) -> None:
    """The owner's `ledger project` makes a clearance's projections; the server (as the
    service login) folds new events into them on a read; the owner folds on after it."""
    with open_ledger(Settings(database_url=database_url)) as ledger:
        seed(ledger)
        fold_cleared(ledger, [PUBLIC])
        ledger.append([make("SourceRegistered", source_id="source:later", name="Later")])
        for name in PROJECTIONS:
            fold(ledger, name)
    with serving(database_url) as api:
        found = api.get("/sources/source:later")
        assert found["source"]["name"] == "Later"
    with open_ledger(Settings(database_url=database_url)) as ledger:
        ledger.append([make("SourceRegistered", source_id="source:latest", name="Latest")])
        for name in PROJECTIONS:
            fold(ledger, name)
        assert fold_cleared(ledger, [PUBLIC])
        with ledger.connection() as conn:
            owners = conn.execute(
                "SELECT DISTINCT pg_get_userbyid(c.relowner) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname LIKE 'projection%' AND c.relkind = 'r'"
                " UNION SELECT DISTINCT pg_get_userbyid(nspowner) FROM pg_namespace"
                " WHERE nspname LIKE 'projection%'"
            ).fetchall()
    assert owners == [("ledger_projector",)]


def test_ledger_serve_will_not_start_as_a_superuser(database_url: str) -> None:
    started = ledger_cli(
        "serve",
        "--port",
        str(free_port()),
        database_url=database_url,
        env_extra={"LEDGER_SERVICE_DATABASE_URL": database_url},
    )
    assert started.returncode != 0
    assert "least-privilege login, but 'postgres' is a superuser" in started.stderr
    assert "Traceback" not in started.stderr


def test_a_missing_service_login_is_a_clear_refusal(database_url: str) -> None:
    missing = make_conninfo(database_url, user="no_such_ledger_login")
    started = ledger_cli(
        "serve",
        "--port",
        str(free_port()),
        database_url=database_url,
        env_extra={"LEDGER_SERVICE_DATABASE_URL": missing, "LEDGER_POOL_TIMEOUT": "1"},
    )
    assert started.returncode == 2
    assert "least-privilege login" in started.stderr and "LEDGER_SERVICE_DATABASE_URL" in (
        started.stderr.replace("\n", " ")
    )
    assert "Traceback" not in started.stderr
