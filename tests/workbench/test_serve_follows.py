"""End to end, as a user runs it: `ledger serve --workers 2` keeps the projections at the
ledger head by itself (one follower per database, however many workers), and a producer
that posts and then reads at its receipt's position (``at_least=``) sees its event, over
HTTP and in the workbench (Debian chromium), with the embedded default and with a server
URL. `--no-follow` leaves the folding to someone else, and the lag shows."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from playwright.sync_api import Browser

from ledger.config import Settings
from ledger.kafka.broker import free_port
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.fold import fold
from ledger.runtime import open_ledger
from ledger.store.election import FOLLOWER_LOCK
from ledger.store.embedded import embedded_database
from ledger.web import keys
from ledger.web.keys import Role
from tests.helpers import SESSION_KEY
from tests.workbench.conftest import Served, sign_in

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "examples" / "seed-article.jsonl"


def call(base: str, path: str, key: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base + path,
        data=data,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST" if body is not None else "GET",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "ledger", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@contextmanager
def serving(env: dict[str, str], *args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`ledger serve ARGS` on a free port until /health answers; stopped with Ctrl-C."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ledger", "serve", "--port", str(port), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, process.communicate()[0]
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        yield process, base
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(45)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _env(tmp_path: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(LEDGER_HOME=str(tmp_path / "home"), LEDGER_READ_WAIT="20")
    if database_url is None:  # the embedded default, under LEDGER_HOME
        return env
    env.update(LEDGER_DATABASE_URL=database_url, LEDGER_SIGNING_KEY_FILE=str(SESSION_KEY))
    return env


def _keys(env: dict[str, str], url: str | None) -> tuple[str, str]:
    """A producer key and an analyst key, made in the server's database (joining the
    embedded PostgreSQL the server runs, as a second `ledger` command would)."""
    with ExitStack() as stack:
        if url is None:
            url = stack.enter_context(embedded_database(Path(env["LEDGER_HOME"])))
        conn = stack.enter_context(psycopg.connect(url, autocommit=True))
        return (
            keys.create(conn, Role.PRODUCER, "e2e producer")[1],
            keys.create(conn, Role.ANALYST, "e2e analyst")[1],
        )


def _report(place: str) -> dict[str, Any]:
    return {
        "type": "DeploymentReported",
        "envelope": {"event_id": str(uuid.uuid4()), "recorded_by": "analyst:e2e"},
        "report_id": f"dep:e2e-{uuid.uuid4().hex[:8]}",
        "claim_id": "claim:seed-19",
        "actor_id": "actor:hezbollah",
        "place": {"name": place, "precision": "CITY"},
        "strength": {"best": 321, "qualifier": "EXACT", "unit": "fighters", "text": "321"},
        "activity": "PRESENT",
        "valid_time": {"start": "2015-10-03", "precision": "DAY"},
        "credibility": "POSSIBLY_TRUE",
    }


def _followers(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
            " WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()"
            " AND (l.classid::bigint << 32 | l.objid::bigint) = %s",
            (FOLLOWER_LOCK,),
        ).fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.slow
@pytest.mark.parametrize("where", ["server", "embedded"])
def test_post_then_read_over_http_and_in_the_workbench(
    where: str, database_url: str, tmp_path: Path, browser: Browser
) -> None:
    url = database_url if where == "server" else None
    env = _env(tmp_path, url)
    with serving(env, "--workers", "2") as (process, base):
        producer, analyst = _keys(env, url)
        # a new, empty ledger: the follower builds the projections, reads answer (no 503)
        deadline = time.monotonic() + 30
        while (empty := call(base, "/posture", analyst))[0] != 200:
            assert empty[0] == 503 and time.monotonic() < deadline, empty
            time.sleep(0.2)
        assert empty[1]["items"] == [] and empty[1]["read_at"]["position"] == 0
        events = [json.loads(line) for line in SEED.read_text().splitlines()]
        status, posted = call(base, "/events/batch", producer, {"events": events})
        assert status == 201, posted
        last = posted["receipts"][-1]["position"]

        # read your writes: the answer waits for the fold of the receipt's position
        status, body = call(base, f"/posture?at_least={last}", analyst)
        assert status == 200, body
        assert body["read_at"]["position"] == last and body["read_at"]["behind_by"] is None
        assert {row["actor_id"] for row in body["items"]} >= {"actor:hezbollah"}

        # and without asking: the server's follower keeps the projections at the head
        status, one = call(base, "/events", producer, _report("Latakia"))
        assert status == 201, one
        deadline = time.monotonic() + 30
        while True:
            _, fresh = call(base, "/posture?actor=Hezbollah&valid_at=2015-10-04", analyst)
            if fresh["read_at"]["behind_by"] is None:
                break
            assert time.monotonic() < deadline, fresh["read_at"]
            time.sleep(0.2)
        assert "Latakia" in {row["place"] for row in fresh["items"]}
        if url is not None:
            assert _followers(url) == 1  # two workers, one follower

        # the workbench honours at_least too, in a real browser
        status, again = call(base, "/events", producer, _report("Tartus"))
        position = again["receipts"][0]["position"]
        context = browser.new_context()
        try:
            sign_in(context, Served(base, {Role.ANALYST: analyst}), analyst)
            page = context.new_page()
            page.goto(f"{base}/workbench/?at_least={position}&valid_at=2015-10-04T00:00:00Z")
            page.wait_for_selector("svg.posture-map")
            text = page.inner_text("main")
            assert "Tartus" in text and "events behind the ledger" not in text
            assert f"position {position}" in text
        finally:
            context.close()
    output = process.communicate()[0]
    assert "follower: following" in output and "follower: stopped" in output, output
    if url is not None:
        assert _followers(url) == 0  # gone with the server


@pytest.mark.slow
def test_no_follow_leaves_the_folding_to_others_and_says_how_far_behind(
    database_url: str, tmp_path: Path
) -> None:
    env = {**_env(tmp_path, database_url), "LEDGER_READ_WAIT": "0.5"}
    with serving(env, "--no-follow") as (process, base):
        producer, analyst = _keys(env, database_url)
        with open_ledger(Settings(database_url=database_url)) as ledger:
            for name in PROJECTIONS:  # built once, as a separate follower would
                fold(ledger, name)
        place = {  # names nothing: a key's event must name only what the ledger holds
            "type": "PlaceRegistered",
            "envelope": {"event_id": str(uuid.uuid4()), "recorded_by": "analyst:e2e"},
            "place_id": "place:latakia-port",
            "name": "Latakia port",
            "kind": "TOWN",
        }
        status, posted = call(base, "/events", producer, place)
        assert status == 201, posted
        position = posted["receipts"][0]["position"]
        time.sleep(1.5)  # a follower would have folded it by now
        status, body = call(base, f"/posture?at_least={position}", analyst)
        if status != 200:
            process.send_signal(signal.SIGINT)
            raise AssertionError(process.communicate()[0])
        assert body["read_at"]["behind_by"] == 1 and body["read_at"]["at_least"] == position
        assert _followers(database_url) == 0
    assert "follower" not in process.communicate()[0]
