"""``ledger watch`` as a user runs it, against a real uvicorn server over real PostgreSQL:
the standing first, then one line per change as events are appended, until Ctrl-C."""

import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from ledger.config import Settings
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.fold import fold
from ledger.runtime import open_ledger
from tests.factories import make
from tests.helpers import Served, seed, served


@pytest.fixture
def server(database_url: str) -> Iterator[Served]:
    with open_ledger(Settings(database_url=database_url)) as ledger:
        seed(ledger)
    with served(database_url) as running:
        yield running


def watching(server: Served, *args: str) -> tuple[subprocess.Popen[str], "queue.Queue[str]"]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "ledger", "watch", "--url", server.base, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**env, "LEDGER_API_KEY": server.key},
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout

    def pump() -> None:
        for line in stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return process, lines


def next_line(lines: "queue.Queue[str]", process: subprocess.Popen[str]) -> str:
    try:
        return lines.get(timeout=30).rstrip("\n")
    except queue.Empty:
        process.kill()
        stderr = process.communicate()[1]
        raise AssertionError(f"no line from ledger watch; stderr: {stderr}") from None


def test_prints_the_standing_then_each_change_until_ctrl_c(server: Served) -> None:
    process, lines = watching(
        server, "--actor", "Hizballah", "--place", "Idlib", "--claim", "claim:seed-20"
    )
    try:
        assert next_line(lines, process) == (
            "position 138: Hezbollah at Idlib: ACTIVE REINFORCING (B3, from 2015-10-01), "
            "rests on 104"
        )
        assert next_line(lines, process).startswith("position 138: claim:seed-20: ASSERTED, ")

        withdrawn = make(
            "DeploymentReported",
            claim_id="claim:seed-20",
            actor_id="actor:hezbollah",
            place={"name": "around Idlib", "place_id": "place:idlib", "precision": "AREA"},
            activity="WITHDRAWN",
            strength=None,
            valid_time={"start": "2015-11-01T00:00:00Z", "precision": "DAY"},
        )
        (appended,) = server.ledger.append([withdrawn])
        for name in PROJECTIONS:
            fold(server.ledger, name)
        changed, claim = next_line(lines, process), next_line(lines, process)
        assert changed.startswith(f"position {appended.position}: Hezbollah at Idlib: ")
        assert changed.endswith(
            f"Idlib: WITHDRAWN (B3, from 2015-11-01), rests on {appended.position}"
        )
        assert claim.startswith(f"position {appended.position}: claim:seed-20: ASSERTED")
        assert claim.endswith(f", 134, {appended.position}")  # the report joins its claim

        (retracted,) = server.ledger.append([make("ClaimRetracted", claim_id="claim:seed-20")])
        for name in PROJECTIONS:
            fold(server.ledger, name)
        seen = [next_line(lines, process) for _ in range(2)]
        claim = next(line for line in seen if "claim:seed-20:" in line)
        assert claim.startswith(f"position {retracted.position}: claim:seed-20: RETRACTED")
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr


def test_watching_nothing_is_refused_in_one_line(server: Served) -> None:
    process, _ = watching(server)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "name what to watch: --actor, --place and/or --claim" in stderr


def test_a_wrong_key_is_one_line(server: Served) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    result = subprocess.run(
        [sys.executable, "-m", "ledger", "watch", "--url", server.base, "--claim", "claim:x"],
        capture_output=True,
        text=True,
        env={**env, "LEDGER_API_KEY": "ldg_nothing"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "401" in result.stderr, result.stderr
