"""Failure: archivers killed, PostgreSQL connections cut, producers killed mid-batch."""

import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ledger.config import KafkaSettings
from ledger.kafka.producer import KafkaEventProducer
from ledger.store.postgres import PostgresLedger
from tests.helpers import assert_chain_valid
from tests.kafka.helpers import archive_all, ledger_env, numbered_events

REPO = Path(__file__).resolve().parents[2]


def _archiver(database_url: str, settings: KafkaSettings, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "ledger", "archive", *args],
        env=ledger_env(database_url, settings),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _produced_offsets(ledger: PostgresLedger) -> set[tuple[int, int]]:
    with ledger.connection() as conn:
        rows = conn.execute(
            "SELECT kafka_partition, kafka_offset FROM ledger.events WHERE kafka_topic IS NOT NULL"
        ).fetchall()
    return {(int(p), int(o)) for p, o in rows}


@pytest.mark.slow
def test_archiver_killed_again_and_again_loses_and_repeats_nothing(
    database_url: str, ledger: PostgresLedger, kafka_settings: KafkaSettings
) -> None:
    events = numbered_events(50_000, "crash")
    with KafkaEventProducer(kafka_settings) as producer:
        sent = [s for i in range(0, len(events), 5000) for s in producer.send(events[i : i + 5000])]
    rng = random.Random(20151001)
    kills = 0
    while kills < 12:
        # kill -9 once it has stored a random number of further events: mid-batch, between
        # batches, during a commit, wherever that moment falls
        start = ledger.head().position
        target = start + rng.randint(500, 3500)
        process = _archiver(database_url, kafka_settings, "--batch-size", "300")
        while process.poll() is None and ledger.head().position < target:
            time.sleep(rng.uniform(0.001, 0.02))
        if process.poll() is not None:
            break  # it caught up before the kill
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1
    assert kills >= 10, f"only {kills} kills landed while the archiver was running"
    assert ledger.head().position < len(events), "the kills were meant to land mid-way"
    final = _archiver(database_url, kafka_settings)
    _, err = final.communicate(timeout=300)
    assert final.returncode == 0, err.decode()
    assert assert_chain_valid(ledger) == len(events)
    ids = [r.event_id for r in ledger.read()]
    assert len(set(ids)) == len(events)
    assert _produced_offsets(ledger) == {(s.partition, s.offset) for s in sent}
    assert ledger.count_rejected() == 0


@pytest.mark.slow
def test_postgres_connections_cut_mid_archive(
    database_url: str, ledger: PostgresLedger, kafka_settings: KafkaSettings
) -> None:
    events = numbered_events(20_000, "outage")
    process = _archiver(database_url, kafka_settings, "--follow", "--batch-size", "200")
    try:
        _cut_connections_while_archiving(database_url, ledger, kafka_settings, process, events)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _cut_connections_while_archiving(
    database_url: str,
    ledger: PostgresLedger,
    kafka_settings: KafkaSettings,
    process: subprocess.Popen[bytes],
    events: list[Any],
) -> None:
    dbname = psycopg.conninfo.conninfo_to_dict(database_url)["dbname"]
    cuts = 0
    with KafkaEventProducer(kafka_settings) as producer:
        for i in range(0, len(events), 2000):
            producer.send(events[i : i + 2000])
            if i == 0:  # cut mid-archive, not while the process is still starting up
                started = time.monotonic() + 60
                while ledger.head().position == 0 and time.monotonic() < started:
                    time.sleep(0.1)
            time.sleep(0.3)
            with psycopg.connect(database_url, autocommit=True) as admin:
                cut = admin.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = %s AND application_name = 'ledger-archiver'",
                    (dbname,),
                ).fetchone()
            cuts += int(cut[0]) if cut else 0
    deadline = time.monotonic() + 120
    while ledger.head().position < len(events) and time.monotonic() < deadline:
        time.sleep(0.5)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err.decode()
    assert cuts >= 5
    assert assert_chain_valid(ledger) == len(events)
    assert len({r.event_id for r in ledger.read()}) == len(events)
    assert b"archived 20000 messages" in out or b"appended" in out


@pytest.mark.slow
def test_producer_killed_mid_batch_then_resent(
    ledger: PostgresLedger, kafka_settings: KafkaSettings
) -> None:
    """The producer's stable transactional id lets its successor fence the dead one, whose
    open transaction would otherwise hold back read_committed readers until it times out."""
    from kafka import KafkaConsumer, TopicPartition

    transactional_id = f"ledger-test-{kafka_settings.topic}"
    script = (
        "import sys\n"
        "from ledger.kafka import KafkaEventProducer, KafkaSettings\n"
        "from tests.kafka.helpers import numbered_events\n"
        f"settings = KafkaSettings(bootstrap={kafka_settings.bootstrap!r},"
        f" topic={kafka_settings.topic!r}, transactional_id={transactional_id!r})\n"
        "events = numbered_events(30000, 'cut')\n"
        "with KafkaEventProducer(settings) as producer:\n"
        "    producer.send(events)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script], cwd=REPO)
    consumer = KafkaConsumer(bootstrap_servers=kafka_settings.bootstrap, group_id=None)
    partitions = [TopicPartition(kafka_settings.topic, p) for p in range(3)]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if sum(consumer.end_offsets(partitions).values()) > 0:
            break
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    partial = sum(consumer.end_offsets(partitions).values())
    consumer.close()
    assert partial > 0, "the producer was killed before it sent anything"

    events = numbered_events(30000, "cut")
    stable = kafka_settings.model_copy(update={"transactional_id": transactional_id})
    with KafkaEventProducer(stable) as producer:
        producer.send(events)
    stats = archive_all(ledger, kafka_settings)
    assert stats.appended == len(events)
    assert assert_chain_valid(ledger) == len(events)
    assert {r.event_id for r in ledger.read()} == {e.envelope.event_id for e in events}
