"""End to end: the Kafka commands as a user runs them, against the real test broker."""

import json
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from ledger.config import KafkaSettings
from tests.broker import Broker
from tests.factories import json_line
from tests.helpers import ledger_cli, positions, write_lines
from tests.kafka.helpers import ledger_env

REPO = Path(__file__).resolve().parents[2]


def run(database_url: str, settings: KafkaSettings, *args: str) -> subprocess.CompletedProcess[str]:
    return ledger_cli(*args, env_extra=ledger_env(database_url, settings))


def test_kafka_round_trip_through_the_cli(
    database_url: str, broker: Broker, tmp_path: Path
) -> None:
    settings = KafkaSettings(bootstrap=broker.bootstrap, topic=f"cli.{uuid.uuid4().hex[:8]}")
    created = run(database_url, settings, "kafka", "init", "--partitions", "2")
    assert created.returncode == 0, created.stderr
    assert "created 2 partitions, retention unlimited" in created.stdout
    again = run(database_url, settings, "kafka", "init")
    assert "already exists: 2 partitions" in again.stdout

    file = write_lines(
        tmp_path / "e.jsonl",
        json_line("ActorRegistered"),
        json_line("ClaimAsserted"),
        json_line("DeploymentReported"),
    )
    sent = run(database_url, settings, "append", str(file))
    assert sent.returncode == 0, sent.stderr
    assert f"sent 3 events to Kafka topic {settings.topic} as one transaction" in sent.stdout
    as_json = run(database_url, settings, "append", str(file), "--json")
    rows = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3]
    assert all(r["topic"] == settings.topic and r["offset"] >= 0 for r in rows)

    lagging = run(database_url, settings, "archive", "--status")
    assert lagging.returncode == 0, lagging.stderr
    assert "events to archive" in lagging.stdout

    archived = run(database_url, settings, "archive")
    assert archived.returncode == 0, archived.stderr
    assert "archived 6 messages" in archived.stdout
    assert "3 appended, 3 already in the ledger, 0 rejected" in archived.stdout
    assert positions(database_url) == [1, 2, 3]

    # the factory's events name things never registered: say so to the direct path
    direct = run(
        database_url, settings, "append", str(file), "--via", "direct", "--allow-unresolved"
    )
    assert "3 events were already in the ledger at positions 1-3" in direct.stdout


def test_follow_stops_cleanly_on_sigterm(database_url: str, broker: Broker, tmp_path: Path) -> None:
    settings = KafkaSettings(bootstrap=broker.bootstrap, topic=f"cli.{uuid.uuid4().hex[:8]}")
    assert run(database_url, settings, "kafka", "init", "--partitions", "1").returncode == 0
    env = ledger_env(database_url, settings)
    follower = subprocess.Popen(
        [sys.executable, "-m", "ledger", "archive", "--follow"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    file = write_lines(tmp_path / "e.jsonl", json_line("PlaceRegistered"))
    assert run(database_url, settings, "append", str(file)).returncode == 0
    deadline = time.monotonic() + 30
    while positions(database_url) != [1] and time.monotonic() < deadline:
        time.sleep(0.2)
    follower.send_signal(signal.SIGTERM)
    out, err = follower.communicate(timeout=30)
    assert follower.returncode == 0, err
    assert "1 appended" in out


def test_archive_without_kafka_is_a_clear_error(database_url: str) -> None:
    result = ledger_cli("archive", database_url=database_url)
    assert result.returncode == 1
    assert "set LEDGER_KAFKA_BOOTSTRAP" in result.stderr


def test_unreachable_broker_exits_2(database_url: str, tmp_path: Path) -> None:
    from tests.broker import free_port

    settings = KafkaSettings(bootstrap=f"127.0.0.1:{free_port()}", topic="nowhere")
    file = write_lines(tmp_path / "e.jsonl", json_line("PlaceRegistered"))
    env = {**ledger_env(database_url, settings), "LEDGER_KAFKA_REQUEST_TIMEOUT_MS": "2000"}
    result = ledger_cli("append", str(file), env_extra=env)
    assert result.returncode == 2, result.stderr
    assert "cannot reach Kafka" in result.stderr


def _status_rows(out: str) -> list[list[str]]:
    """The table rows of `ledger archive --status`: partition, archived to, end, to archive."""
    return [
        [cell.strip() for cell in line.strip("│").split("│")]
        for line in out.splitlines()
        if line.startswith("│")
    ]


def test_archive_status_counts_events_not_offsets(
    database_url: str, broker: Broker, tmp_path: Path
) -> None:
    """One event is one Kafka message plus its transaction's commit marker: two offsets,
    one event to archive."""
    settings = KafkaSettings(bootstrap=broker.bootstrap, topic=f"cli.{uuid.uuid4().hex[:8]}")
    assert run(database_url, settings, "kafka", "init", "--partitions", "1").returncode == 0
    file = write_lines(tmp_path / "e.jsonl", json_line("ActorRegistered"))
    assert run(database_url, settings, "append", str(file)).returncode == 0
    status = run(database_url, settings, "archive", "--status")
    assert status.returncode == 0, status.stderr
    assert "events to archive" in status.stdout
    assert _status_rows(status.stdout) == [["0", "-", "2", "1"]]
    assert run(database_url, settings, "archive").returncode == 0
    after = run(database_url, settings, "archive", "--status")
    assert _status_rows(after.stdout) == [["0", "2", "2", "0"]]


def test_kafka_broker_runs_a_local_broker_until_ctrl_c(database_url: str) -> None:
    from tests.broker import free_port

    port = free_port()
    started = subprocess.Popen(
        [sys.executable, "-m", "ledger", "kafka", "broker", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert started.stdout is not None
        said = [started.stdout.readline() for _ in range(3)]
        assert f"Kafka-protocol broker (Tansu, topics in memory) at 127.0.0.1:{port}" in said[0]
        assert f"export LEDGER_KAFKA_BOOTSTRAP=127.0.0.1:{port}; ledger kafka init" in said[1]
        assert "production runs Apache Kafka (infra/compose.yaml)" in said[2]
        settings = KafkaSettings(bootstrap=f"127.0.0.1:{port}", topic="trial.events")
        made = run(database_url, settings, "kafka", "init", "--partitions", "2")
        assert made.returncode == 0, made.stderr
        assert "created 2 partitions" in made.stdout
    finally:
        started.send_signal(signal.SIGINT)
        out, err = started.communicate(timeout=30)
    assert started.returncode == 0, err
    assert out.rstrip().endswith("broker stopped")
