"""Kafka transport throughput: SDK against raw kafka-python, archiver against a raw read.

Starts its own Tansu broker (the test broker, in memory) on a free port and uses the
PostgreSQL server of ``bench.common``. Workloads, each with its baseline in the same run:

- send: ``KafkaEventProducer.send`` of 5,000-event batches (validate, encode, one
  transaction each) against raw kafka-python sending the same pre-encoded bytes, keys
  and headers with the same settings (idempotent, acks=all, transactional);
- archive: ``Archiver.run`` catching up the topic into an empty ledger against a raw
  kafka-python read (read_committed, manual assignment) of the same topic;
- memory: peak RSS of a ``ledger archive`` process as the topic grows.

    python -m bench.kafka --events 100000 --memory-events 100000,1000000
"""

import argparse
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import psutil
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from bench.common import Measurement, report, scratch_database
from bench.synthetic import synthetic_events
from ledger.codec.single_object import AvroCodec
from ledger.config import KafkaSettings, Settings
from ledger.domain.events import Event
from ledger.kafka.archiver import Archiver
from ledger.kafka.producer import KafkaEventProducer, headers_for
from ledger.kafka.topic import ensure_topic
from ledger.runtime import open_ledger
from tests.broker import Broker

BATCH = 5000
PARTITIONS = 6


def _topic(broker: Broker, label: str) -> KafkaSettings:
    settings = KafkaSettings(
        bootstrap=broker.bootstrap,
        topic=f"bench.{label}.{uuid.uuid4().hex[:6]}",
        partitions=PARTITIONS,
    )
    ensure_topic(settings)
    return settings


def _timed_batches(label: str, system: str, batches: Sequence[object], send: object) -> Measurement:
    latencies = []
    count = 0
    start = time.perf_counter()
    for batch in batches:
        t0 = time.perf_counter()
        send(batch)  # type: ignore[operator]
        latencies.append((time.perf_counter() - t0) * 1000)
        count += len(batch)  # type: ignore[arg-type]
    return Measurement(system, label, count, time.perf_counter() - start, latencies)


def bench_send(
    broker: Broker, events: list[Event]
) -> tuple[Measurement, Measurement, KafkaSettings]:
    batches = [events[i : i + BATCH] for i in range(0, len(events), BATCH)]
    sdk_topic = _topic(broker, "sdk")
    with KafkaEventProducer(sdk_topic) as producer:
        producer.send(events[:100])  # warm up connections and the transaction coordinator
        sdk = _timed_batches(f"send x{BATCH}", "ledger SDK", batches, producer.send)

    codec = AvroCodec()
    raw_topic = _topic(broker, "raw")
    prepared = []
    for batch in batches:
        rows = []
        for event in batch:
            payload = codec.encode(event)
            rows.append(
                (
                    event.envelope.stream_id.encode(),
                    payload,
                    headers_for(event.event_type(), payload),
                )
            )
        prepared.append(rows)
    raw_producer = KafkaProducer(
        **raw_topic.client_config(),
        acks="all",
        enable_idempotence=True,
        transactional_id=f"bench-raw-{uuid.uuid4()}",
        linger_ms=5,
        batch_size=256 * 1024,
        max_request_size=8 * 1024 * 1024,
    )
    raw_producer.init_transactions()

    def raw_send(rows: list[tuple[bytes, bytes, list[tuple[str, bytes]]]]) -> None:
        raw_producer.begin_transaction()
        for key, value, headers in rows:
            raw_producer.send(raw_topic.topic, key=key, value=value, headers=headers)
        raw_producer.commit_transaction()

    raw = _timed_batches(f"send x{BATCH}", "raw kafka-python", prepared, raw_send)
    raw_producer.close()
    return sdk, raw, sdk_topic


def raw_read(settings: KafkaSettings) -> Measurement:
    consumer = KafkaConsumer(
        **settings.client_config(),
        group_id=None,
        enable_auto_commit=False,
        isolation_level="read_committed",
        max_poll_records=2000,
        fetch_max_bytes=64 * 1024 * 1024,
        max_partition_fetch_bytes=8 * 1024 * 1024,
    )
    partitions = [TopicPartition(settings.topic, p) for p in range(PARTITIONS)]
    consumer.assign(partitions)
    consumer.seek_to_beginning()
    ends = consumer.end_offsets(partitions)
    count, latencies = 0, []
    start = time.perf_counter()
    while any(consumer.position(tp) < ends[tp] for tp in partitions):
        t0 = time.perf_counter()
        polled = consumer.poll(timeout_ms=500, max_records=2000)
        count += sum(len(m) for m in polled.values())
        latencies.append((time.perf_counter() - t0) * 1000)
    consumer.close()
    return Measurement("raw kafka-python", "read", count, time.perf_counter() - start, latencies)


def archive(settings: KafkaSettings, url: str) -> Measurement:
    with open_ledger(Settings(database_url=url), prepare="init") as ledger:
        stats = Archiver(ledger, settings).run()
    return Measurement(
        "ledger archiver",
        "archive",
        stats.appended,
        stats.seconds,
        [stats.seconds * 1000 / max(stats.batches, 1)],
    )


def fill(settings: KafkaSettings, count: int) -> None:
    """Put ``count`` synthetic events on the topic (raw producer, pre-encoded, fast)."""
    codec = AvroCodec()
    producer = KafkaProducer(
        **settings.client_config(), acks="all", linger_ms=5, batch_size=256 * 1024
    )
    for event in synthetic_events(count, seed=11):
        payload = codec.encode(event)
        producer.send(
            settings.topic,
            key=event.envelope.stream_id.encode(),
            value=payload,
            headers=headers_for(event.event_type(), payload),
        )
    producer.flush()
    producer.close()


def archiver_peak_rss(settings: KafkaSettings, url: str) -> tuple[float, float]:
    """Run `ledger archive` as a process; returns (seconds, peak RSS in MB)."""
    env = {
        "LEDGER_DATABASE_URL": url,
        "LEDGER_KAFKA_BOOTSTRAP": str(settings.bootstrap),
        "LEDGER_KAFKA_TOPIC": settings.topic,
        "PATH": "/usr/bin:/bin",
    }
    with open_ledger(Settings(database_url=url), prepare="init"):
        pass
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "ledger", "archive"],
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.DEVNULL,
    )
    watched = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        try:
            peak = max(peak, watched.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.05)
    if process.returncode != 0:
        raise RuntimeError(f"ledger archive exited with {process.returncode}")
    return time.perf_counter() - start, peak / 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Kafka transport benchmark (see module doc).")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument(
        "--memory-events",
        default="100000,1000000",
        help="comma-separated topic sizes for the archiver memory run",
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.memory_events.split(",") if s]

    broker = Broker(Path("/tmp") / f"bench-tansu-{uuid.uuid4().hex[:6]}.log")
    try:
        events = list(synthetic_events(args.events, seed=5))
        sdk, raw_send, topic = bench_send(broker, events)
        read = raw_read(topic)
        with scratch_database("ledger_bench_kafka") as url:
            archived = archive(topic, url)
        memory: dict[str, float] = {}
        for size in sizes:
            settings = _topic(broker, f"mem{size}")
            fill(settings, size)
            with scratch_database("ledger_bench_kafka_mem") as url:
                seconds, peak = archiver_peak_rss(settings, url)
            memory[f"archiver peak RSS MB at {size} events"] = peak
            memory[f"archiver process events/s at {size} events"] = size / seconds
    finally:
        broker.stop()
    ratios = {
        "send: SDK / raw kafka-python": sdk.rate / raw_send.rate,
        "archive: archiver / raw read": archived.rate / read.rate,
    }
    report(
        "kafka",
        [sdk, raw_send, archived, read],
        ratios,
        {"events": args.events, "batch": BATCH, "partitions": PARTITIONS},
        memory,
    )


if __name__ == "__main__":
    main()
