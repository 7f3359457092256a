"""End to end: `ledger keys` and `ledger serve` (and `demo --serve`) as a user runs them,
with real uvicorn processes on free ports and real PostgreSQL."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from ledger.config import Settings
from ledger.runtime import open_ledger
from tests.factories import json_line
from tests.helpers import ledger_cli, seed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request(
    url: str, key: str | None = None, body: Any = None, method: str | None = None
) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@contextmanager
def running(*args: str, database_url: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`python -m ledger ARGS --port P` in the background until /health answers."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env["LEDGER_DATABASE_URL"] = database_url
    process = subprocess.Popen(
        [sys.executable, "-m", "ledger", *args, "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.communicate()
            try:
                if request(f"{base}/health")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield process, base
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()


def create_key(database_url: str, role: str) -> str:
    made = ledger_cli(
        "keys", "create", "--role", role, "--name", f"{role} tester", database_url=database_url
    )
    assert made.returncode == 0, made.stderr
    return made.stdout.strip()


def test_keys_are_shown_once_listed_without_secrets_and_revoked(database_url: str) -> None:
    key = create_key(database_url, "analyst")
    assert key.startswith("ldg_") and len(key.splitlines()) == 1
    key_id = key.split("_")[1]
    listed = ledger_cli("keys", "list", "--json", database_url=database_url)
    assert listed.returncode == 0
    records = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["key_id"], r["role"], r["revoked_at"]) for r in records] == [
        (key_id, "analyst", None)
    ]
    assert key not in listed.stdout
    table = ledger_cli("keys", "list", database_url=database_url)
    assert key_id in table.stdout and key not in table.stdout
    revoked = ledger_cli("keys", "revoke", key_id, database_url=database_url)
    assert revoked.returncode == 0 and "revoked" in revoked.stdout
    again = ledger_cli("keys", "list", "--json", database_url=database_url)
    assert json.loads(again.stdout)["revoked_at"] is not None


def test_key_commands_refuse_bad_input(database_url: str) -> None:
    wrong_role = ledger_cli(
        "keys", "create", "--role", "spy", "--name", "x", database_url=database_url
    )
    assert wrong_role.returncode == 2 and "spy" in wrong_role.stderr
    unknown = ledger_cli("keys", "revoke", "0123456789ab", database_url=database_url)
    assert unknown.returncode == 1
    assert "no API key has the id '0123456789ab'" in unknown.stderr
    blank = ledger_cli(
        "keys", "create", "--role", "analyst", "--name", " ", database_url=database_url
    )
    assert blank.returncode == 1 and "name" in blank.stderr


@pytest.mark.slow
def test_serve_answers_reads_and_appends_and_revocation_bites_at_once(
    database_url: str,
) -> None:
    with open_ledger(Settings(database_url=database_url)) as ledger:
        seed(ledger)
    analyst = create_key(database_url, "analyst")
    producer = create_key(database_url, "producer")
    with running("serve", "--workers", "2", database_url=database_url) as (process, base):
        status, spec = request(f"{base}/openapi.json")
        assert status == 200 and "/posture" in spec["paths"]
        assert request(f"{base}/posture")[0] == 401
        status, page = request(f"{base}/posture?actor=actor:hezbollah", analyst)
        assert status == 200 and page["items"]
        event = json_line("SourceRegistered", source_id="source:over-http")
        assert request(f"{base}/events", analyst, event)[0] == 403
        status, appended = request(f"{base}/events", producer, event)
        assert status == 201 and appended["receipts"][0]["position"] == 139
        assert ledger_cli("keys", "revoke", analyst, database_url=database_url).returncode == 0
        for _ in range(4):  # every worker refuses it at once
            assert request(f"{base}/posture", analyst)[0] == 401
        process.send_signal(signal.SIGINT)
        assert process.wait(15) == 0
        assert process.stderr is not None
        assert "Traceback" not in process.stderr.read()


@pytest.mark.slow
def test_demo_serve_prints_a_key_and_a_curl_line_that_work(database_url: str) -> None:
    with running("demo", "--serve", database_url=database_url) as (process, base):
        assert process.stdout is not None
        lines: list[str] = []
        while not lines or not lines[-1].startswith("try: curl"):
            lines.append(process.stdout.readline().strip())
        key = lines[-2]
        url = lines[-1].rsplit(" ", 1)[1].strip('"')
        assert url.startswith(base)
        status, page = request(url, key)
        assert status == 200 and page["items"]
        assert {row["actor_id"] for row in page["items"]} == {"actor:hezbollah"}
