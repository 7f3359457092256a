"""The archiver: committed Kafka messages into the PostgreSQL ledger, exactly once.

It assigns partitions itself (no consumer group), starts each partition at the offset
stored in ``ledger.kafka_offsets``, and writes every poll's events, rejections,
duplicates and new offsets in one PostgreSQL transaction. A crash at any moment leaves
the offsets and the ledger consistent: the next run re-reads what was not committed,
and event ids make repeats harmless. If PostgreSQL goes away it retries the batch in
hand with backoff until it is stored.
"""

import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from ledger.codec.single_object import AvroCodec
from ledger.config import KafkaSettings
from ledger.domain.marking import OPERATOR
from ledger.errors import ConflictError, LedgerError, StoreUnavailable
from ledger.intake.limits import InputLimits
from ledger.kafka.messages import classify
from ledger.kafka.producer import headers_for
from ledger.ports import LedgerStore
from ledger.records import EncodedEvent
from ledger.store.archive import ArchiveBatch, Rejection, load_offsets, store_batch
from ledger.store.producer_keys import RegisterChanged, SignatureRefused

Report = Callable[[str], None]


@dataclass
class ArchiveStats:
    messages: int = 0
    appended: int = 0
    duplicates: int = 0
    rejected: int = 0
    batches: int = 0
    retries: int = 0
    seconds: float = 0.0
    offsets: dict[int, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class PartitionStatus:
    partition: int
    archived_to: int | None
    end: int
    pending: int = 0
    """Events (committed messages) between the archived offset and the end: the lag. The
    offsets between count transaction markers too, one per Kafka transaction."""

    @property
    def lag(self) -> int:
        return self.pending


STATUS_READ_SECONDS = 120.0
"""Longest ``status`` reads the unarchived messages for before giving up."""


def _quiet(_: str) -> None:
    pass


class Archiver:
    """Reads the events topic and stores it in the ledger; see the module docstring."""

    def __init__(
        self,
        ledger: LedgerStore,
        settings: KafkaSettings,
        *,
        partitions: Sequence[int] | None = None,
        batch_size: int = 2000,
        report: Report = _quiet,
        max_backoff: float = 5.0,
        limits: InputLimits | None = None,
    ) -> None:
        self.ledger = ledger
        self.settings = settings
        self.codec: AvroCodec = ledger.codec
        self.requested = list(partitions) if partitions is not None else None
        self.batch_size = batch_size
        self.report = report
        self.max_backoff = max_backoff
        self.limits = limits if limits is not None else InputLimits()

    def _consumer(self) -> KafkaConsumer:
        try:
            return KafkaConsumer(
                **self.settings.client_config(),
                group_id=None,
                enable_auto_commit=False,
                isolation_level="read_committed",
                auto_offset_reset="earliest",
                max_poll_records=self.batch_size,
                fetch_max_bytes=64 * 1024 * 1024,
                max_partition_fetch_bytes=8 * 1024 * 1024,
            )
        except KafkaError as exc:
            raise StoreUnavailable(
                f"cannot reach Kafka at {self.settings.bootstrap}: {exc}"
            ) from exc

    def _partitions(self, consumer: KafkaConsumer) -> list[TopicPartition]:
        topic = self.settings.topic
        available = consumer.partitions_for_topic(topic)
        if not available:
            raise LedgerError(f"topic {topic} does not exist; create it with `ledger kafka init`")
        chosen = sorted(available) if self.requested is None else self.requested
        unknown = sorted(set(chosen) - set(available))
        if unknown:
            raise LedgerError(
                f"topic {topic} has partitions {sorted(available)}; there is no partition "
                f"{', '.join(map(str, unknown))}"
            )
        return [TopicPartition(topic, p) for p in chosen]

    def status(self) -> list[PartitionStatus]:
        """Archived offset, end offset and lag of every partition of the topic."""
        committed = load_offsets(self.ledger, self.settings.topic)
        consumer = self._consumer()
        try:
            partitions = self._partitions(consumer)
            ends = {tp: int(end) for tp, end in consumer.end_offsets(partitions).items()}
            pending = self._pending(consumer, partitions, committed, ends)
        finally:
            consumer.close()
        return [
            PartitionStatus(tp.partition, committed.get(tp.partition), ends[tp], pending[tp])
            for tp in partitions
        ]

    def _pending(
        self,
        consumer: KafkaConsumer,
        partitions: list[TopicPartition],
        committed: dict[int, int],
        ends: dict[TopicPartition, int],
    ) -> dict[TopicPartition, int]:
        """How many messages each partition holds between its archived offset and its
        end: read, not subtracted, because every Kafka transaction also takes an offset
        for its commit marker, which is no event. The bytes are not decoded."""
        counts = dict.fromkeys(partitions, 0)
        behind = [tp for tp in partitions if ends[tp] > committed.get(tp.partition, 0)]
        if not behind:
            return counts
        consumer.assign(behind)
        for tp in behind:
            consumer.seek(tp, committed.get(tp.partition, 0))
        deadline = time.monotonic() + STATUS_READ_SECONDS
        while any(consumer.position(tp) < ends[tp] for tp in behind):
            if time.monotonic() > deadline:
                raise LedgerError(
                    f"counting the messages not yet archived took over {STATUS_READ_SECONDS:g}"
                    " s; is the broker reachable?"
                )
            for tp, records in consumer.poll(timeout_ms=500).items():
                counts[tp] += sum(1 for r in records if r.offset < ends[tp])
        return counts

    # one loop from assignment to the last commit, so its error paths read in order
    def run(  # noqa: C901
        self, *, follow: bool = False, should_stop: Callable[[], bool] = bool
    ) -> ArchiveStats:
        """Archive until caught up with the end offsets seen at start (or, with ``follow``,
        until ``should_stop`` says so); batches in hand are always finished first.

        Decoding the next poll overlaps with storing the previous one: a single writer
        thread stores batches strictly in order, at most two batches in memory at once.
        """
        stats = ArchiveStats()
        started = time.perf_counter()
        consumer = self._consumer()
        committed: dict[int, int] = {}
        writer = _Writer(self, committed, stats)
        try:
            partitions = self._partitions(consumer)
            consumer.assign(partitions)
            committed.update(self._offsets(follow, stats))
            submitted = dict(committed)
            for tp in partitions:
                if tp.partition in committed:
                    consumer.seek(tp, committed[tp.partition])
                else:
                    consumer.seek_to_beginning(tp)
            ends = {} if follow else dict(consumer.end_offsets(partitions))
            writer.start()
            while not should_stop():
                if (
                    not follow
                    and all(consumer.position(tp) >= ends[tp] for tp in partitions)
                    and all(
                        submitted.get(tp.partition, -1) >= ends[tp] or ends[tp] == 0
                        for tp in partitions
                    )
                ):
                    break
                try:
                    polled = consumer.poll(timeout_ms=500, max_records=self.batch_size)
                except KafkaError as exc:
                    if not follow:
                        raise StoreUnavailable(
                            f"reading {self.settings.topic} failed: {exc}"
                        ) from exc
                    stats.retries += 1
                    self.report(f"Kafka unavailable ({exc}); retrying in 1s")
                    time.sleep(1.0)
                    continue
                batch = ArchiveBatch(self.settings.topic)
                for messages in polled.values():
                    for record in messages:
                        stats.messages += 1
                        item = classify(record, self.codec, self.limits)
                        if isinstance(item, Rejection):
                            batch.rejections.append(item)
                        else:
                            batch.events.append(item)
                for tp in partitions:
                    position = consumer.position(tp)
                    if position > submitted.get(tp.partition, -1):
                        batch.next_offsets[tp.partition] = position
                if batch.next_offsets:
                    writer.submit(batch)
                    submitted.update(batch.next_offsets)
        finally:
            writer.finish()
            consumer.close()
            stats.seconds = time.perf_counter() - started
            stats.offsets = dict(committed)
        return stats

    def _offsets(self, follow: bool, stats: ArchiveStats) -> dict[int, int]:
        """The committed offsets; following, a database outage is waited out here too."""
        delay = 0.1
        while True:
            try:
                return load_offsets(self.ledger, self.settings.topic)
            except StoreUnavailable as exc:
                if not follow:
                    raise
                stats.retries += 1
                self.report(f"PostgreSQL unavailable ({exc}); retrying in {delay:.1f}s")
                time.sleep(delay)
                delay = min(delay * 2, self.max_backoff)

    def _store(self, batch: ArchiveBatch, committed: dict[int, int], stats: ArchiveStats) -> None:
        delay = 0.1
        while True:
            try:
                result = store_batch(self.ledger, batch, committed)
            except ConflictError as exc:
                self._reject_conflicting(batch, exc)
                continue
            except SignatureRefused as exc:
                self._reject_unsigned(batch, exc)
                continue
            except RegisterChanged:  # another writer changed the key register: check again
                continue
            except StoreUnavailable as exc:
                stats.retries += 1
                self.report(f"PostgreSQL unavailable ({exc}); retrying in {delay:.1f}s")
                time.sleep(delay)
                delay = min(delay * 2, self.max_backoff)
                continue
            committed.update(batch.next_offsets)
            stats.appended += result.appended
            stats.duplicates += result.duplicates
            stats.rejected += result.rejected
            stats.batches += 1
            return

    def _reject_unsigned(self, batch: ArchiveBatch, exc: SignatureRefused) -> None:
        """Messages whose signature (or lack of one) the key register refuses are
        rejected with the reason; the rest of the batch is stored."""
        refused = dict(exc.refused)
        keep: list[EncodedEvent] = []
        for index, item in enumerate(batch.events):
            if index in refused and item.origin is not None:
                batch.rejections.append(
                    Rejection(
                        item.origin,
                        f"{item.origin}: {refused[index]}",
                        item.payload,
                        item.stream_id.encode(),
                        _kept_headers(item),
                    )
                )
            else:
                keep.append(item)
        if len(keep) == len(batch.events):
            raise exc
        batch.events = keep

    def _reject_conflicting(self, batch: ArchiveBatch, exc: ConflictError) -> None:
        """An event id re-used with other bytes: those messages are rejected, not the batch.

        The first version of an id wins: the one in the ledger, or else the first in the
        batch; every message carrying the id with different bytes is rejected.
        """
        if exc.event_id is None:
            raise exc
        conflicting = next(i for i in batch.events if i.event_id == exc.event_id)
        held = self.ledger.find_row(exc.event_id, conflicting.seen_by or OPERATOR)
        reference = bytes(held["payload"]) if held is not None else conflicting.payload
        keep: list[EncodedEvent] = []
        for item in batch.events:
            if item.event_id == exc.event_id and item.payload != reference and item.origin:
                batch.rejections.append(
                    Rejection(
                        item.origin,
                        f"{item.origin}: event {item.event_id} was already recorded with different "
                        "content; an event id names one event forever",
                        item.payload,
                        item.stream_id.encode(),
                        {},
                    )
                )
            else:
                keep.append(item)
        if len(keep) == len(batch.events):
            raise exc
        batch.events = keep


def _kept_headers(item: EncodedEvent) -> dict[str, str]:
    """The headers of a message that matter to a rejected event: its type, fingerprint,
    the signature it came with and the clearance of the key that sent it."""
    return {
        key: value.decode()
        for key, value in headers_for(item.event_type, item.payload, item.signature, item.seen_by)
    }


class _Writer(threading.Thread):
    """Stores batches in order on its own thread, so decoding and storing overlap."""

    def __init__(self, archiver: Archiver, committed: dict[int, int], stats: ArchiveStats) -> None:
        super().__init__(name="ledger-archiver-writer", daemon=True)
        self.archiver = archiver
        self.committed = committed
        self.stats = stats
        self.queue: queue.Queue[ArchiveBatch | None] = queue.Queue(maxsize=1)
        self.error: BaseException | None = None

    def run(self) -> None:
        while (batch := self.queue.get()) is not None:
            try:
                self.archiver._store(batch, self.committed, self.stats)
            except BaseException as exc:  # handed to the main thread, which re-raises it
                self.error = exc
                return

    def submit(self, batch: ArchiveBatch) -> None:
        while True:
            self._raise_if_failed()
            try:
                self.queue.put(batch, timeout=0.5)
                return
            except queue.Full:
                continue

    def finish(self) -> None:
        """Store what is queued, stop the thread, and re-raise its failure if any."""
        if self.is_alive():
            while self.is_alive():
                try:
                    self.queue.put(None, timeout=0.5)
                    break
                except queue.Full:
                    continue
            self.join()
        self._raise_if_failed()

    def _raise_if_failed(self) -> None:
        if self.error is not None:
            error, self.error = self.error, None
            raise error
