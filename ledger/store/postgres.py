"""The PostgreSQL ledger: append-only events, schema registry and rejected inputs.

All appends go through the database function ``ledger.append_events``, which takes one
lock, assigns contiguous positions, extends the hash chain and inserts the batch in one
statement: all or nothing, safe with any number of concurrent writers.
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from ledger.chain import GENESIS_HASH
from ledger.codec.single_object import AvroCodec
from ledger.domain.events import Event
from ledger.errors import ConflictError, LedgerError, SchemaError, StoreUnavailable
from ledger.records import Appended, EncodedEvent, Head, KafkaOrigin, RecordedEvent
from ledger.store.connection import Conn
from ledger.store.migrate import migrate, pending

_APPEND = """
SELECT event_id, position, recorded_at, appended
  FROM ledger.append_events(%b::uuid[], %b::text[], %b::text[], %b::timestamptz[],
                            %b::timestamptz[], %b::bytea[], %b::text[], %b::integer[],
                            %b::bigint[])
"""

PIPELINE_CHUNK = 250
"""Events per database call when a large batch is appended in one transaction."""

_COLUMNS = (
    "position, event_id, event_type, stream_id, recorded_at, valid_from, valid_to, payload,"
    " prev_hash, hash, kafka_topic, kafka_partition, kafka_offset"
)


def _append_params(items: Sequence[EncodedEvent]) -> tuple[list[Any] | None, ...]:
    origins = [i.origin for i in items]
    kafka = any(o is not None for o in origins)
    return (
        [i.event_id for i in items],
        [i.event_type for i in items],
        [i.stream_id for i in items],
        [i.valid_from for i in items],
        [i.valid_to for i in items],
        [i.payload for i in items],
        [o.topic if o else None for o in origins] if kafka else None,
        [o.partition if o else None for o in origins] if kafka else None,
        [o.offset if o else None for o in origins] if kafka else None,
    )


def _where(
    after: int,
    until: int | None,
    types: Sequence[str] | None,
    stream: str | None = None,
    recorded_before: datetime | None = None,
) -> sql.Composable:
    """The filter of a ledger read, in position terms."""
    conditions = [sql.SQL("position > {}").format(after)]
    if until is not None:
        conditions.append(sql.SQL("position <= {}").format(until))
    if types:
        conditions.append(sql.SQL("event_type = ANY({})").format(list(types)))
    if stream is not None:
        conditions.append(sql.SQL("stream_id = {}").format(stream))
    if recorded_before is not None:
        conditions.append(sql.SQL("recorded_at <= {}").format(recorded_before))
    return sql.SQL(" AND ").join(conditions)


def _translate(exc: psycopg.Error) -> LedgerError:
    state = exc.sqlstate or ""
    message = exc.diag.message_primary or str(exc)
    if state == "LG001":
        detail = exc.diag.message_detail
        return ConflictError(message, UUID(detail) if detail else None)
    if state == "LG002":
        return SchemaError(message)
    if isinstance(exc, psycopg.OperationalError):
        return StoreUnavailable(f"the ledger database is unreachable: {message}")
    return LedgerError(message)


class PostgresLedger:
    """Append to and read from the ledger in PostgreSQL (the direct transport)."""

    parallel_folds = True

    def __init__(self, pool: ConnectionPool[Any], codec: AvroCodec | None = None) -> None:
        self._pool = pool
        self.codec = codec if codec is not None else AvroCodec()

    @property
    def pool(self) -> ConnectionPool[Any]:
        """The connection pool (to build another view of the same ledger on it)."""
        return self._pool

    @property
    def conninfo(self) -> str:
        """The connection string of the pool (for a second, asynchronous pool)."""
        return str(self._pool.conninfo)

    @contextmanager
    def connection(self) -> Iterator[Conn]:
        """A pooled connection (autocommit), with database errors made readable."""
        try:
            with self._pool.connection() as conn:
                yield conn
        except psycopg.Error as exc:
            raise _translate(exc) from exc

    # -- setup -----------------------------------------------------------------------

    def init(self) -> list[str]:
        """Create or upgrade the tables and register every known schema; idempotent."""
        with self.connection() as conn:
            applied = migrate(conn)
            self._register_schemas(conn)
        return [f"{m.version:04d}_{m.name}" for m in applied]

    def ensure_ready(self) -> None:
        """Fail with a clear message when ``ledger init`` has not been run (or is due)."""
        with self.connection() as conn:
            missing = pending(conn)
            if missing:
                raise LedgerError(
                    f"the ledger database lacks {len(missing)} migration(s) "
                    f"(first: {missing[0].version:04d}_{missing[0].name}); run `ledger init`"
                )
            self._register_schemas(conn)

    def _register_schemas(self, conn: Conn) -> None:
        versions = self.codec.registry.all_versions()
        with conn.transaction():
            rows = conn.execute(
                "SELECT fingerprint, event_type, version, canonical_form FROM ledger.schemas"
            ).fetchall()
            known = {bytes(r[0]): (r[1], r[2], r[3]) for r in rows}
            for v in versions:
                stored = known.get(v.fingerprint)
                if stored is None:
                    conn.execute(
                        "INSERT INTO ledger.schemas (fingerprint, event_type, version,"
                        " canonical_form, schema_json) VALUES (%s, %s, %s, %s, %s)",
                        (v.fingerprint, v.event_type, v.version, v.canonical_form, v.schema_json),
                    )
                elif stored != (v.event_type, v.version, v.canonical_form):
                    raise SchemaError(
                        f"schema {v.event_type} v{v.version} (fingerprint {v.fingerprint_hex}) "
                        f"is registered as {stored[0]} v{stored[1]} with other content"
                    )

    # -- appending -------------------------------------------------------------------

    def encode(self, event: Event) -> EncodedEvent:
        """The event as single-object Avro bytes plus the columns stored beside them."""
        return EncodedEvent.of(event, self.codec.encode(event))

    def append(self, events: Iterable[Event]) -> list[Appended]:
        """Append a batch of events, all or nothing, in order; repeats are no-ops.

        A large batch goes to the database in chunks, pipelined in one transaction: the
        database stores one chunk while the next is being encoded. A generator is
        consumed chunk by chunk, so a batch of any size appends in flat memory.
        """
        if isinstance(events, Sequence) and len(events) <= PIPELINE_CHUNK:
            return self.append_encoded([self.encode(e) for e in events])
        with self.connection() as conn, conn.transaction(), conn.pipeline():
            cursors = []
            iterator = iter(events)
            while chunk := [self.encode(e) for e in islice(iterator, PIPELINE_CHUNK)]:
                cursor = conn.cursor()
                cursor.execute(_APPEND, _append_params(chunk))
                cursors.append(cursor)
            return [Appended(*row) for cursor in cursors for row in cursor.fetchall()]

    def append_encoded(
        self, items: Sequence[EncodedEvent], conn: Conn | None = None
    ) -> list[Appended]:
        """Append pre-encoded events, inside ``conn``'s transaction if one is given."""
        if not items:
            return []
        params = _append_params(items)
        if conn is not None:
            try:
                rows = conn.execute(_APPEND, params).fetchall()
            except psycopg.Error as exc:
                raise _translate(exc) from exc
        else:
            with self.connection() as own:
                rows = own.execute(_APPEND, params).fetchall()
        return [Appended(*row) for row in rows]

    def reject(
        self,
        *,
        origin: str,
        reason: str,
        payload: bytes | None,
        kafka: KafkaOrigin | None = None,
        key: bytes | None = None,
        headers: dict[str, str] | None = None,
        conn: Conn | None = None,
    ) -> int:
        """Keep an input that could not be accepted, with its raw bytes and the reason."""
        query = (
            "INSERT INTO ledger.rejected (origin, kafka_topic, kafka_partition, kafka_offset,"
            " kafka_key, headers, payload, reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
            " RETURNING id"
        )
        params = (
            origin,
            kafka.topic if kafka else None,
            kafka.partition if kafka else None,
            kafka.offset if kafka else None,
            key,
            Jsonb(headers) if headers is not None else None,
            payload,
            reason,
        )
        if conn is not None:
            row = conn.execute(query, params).fetchone()
        else:
            with self.connection() as own:
                row = own.execute(query, params).fetchone()
        assert row is not None
        return int(row[0])

    # -- reading ---------------------------------------------------------------------

    def head(self) -> Head:
        """The last position, its hash and record time."""
        with self.connection() as conn:
            row = conn.execute(
                "SELECT position, hash, recorded_at FROM ledger.events"
                " ORDER BY position DESC LIMIT 1"
            ).fetchone()
        if row is None:
            return Head(0, GENESIS_HASH, None)
        return Head(row[0], bytes(row[1]), row[2])

    def position_at(self, moment: datetime) -> int:
        """The last position recorded at or before ``moment`` (0 if none)."""
        with self.connection() as conn:
            row = conn.execute("SELECT ledger.position_at(%s)", (moment,)).fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def event_counts(self) -> list[tuple[str, int]]:
        """How many events of each type the ledger holds, by type name."""
        with self.connection() as conn:
            rows = conn.execute(
                "SELECT event_type, count(*) FROM ledger.events GROUP BY 1 ORDER BY 1"
            ).fetchall()
        return [(str(t), int(n)) for t, n in rows]

    def read(
        self,
        *,
        after: int = 0,
        until: int | None = None,
        types: Sequence[str] | None = None,
        stream: str | None = None,
        recorded_before: datetime | None = None,
        limit: int | None = None,
        batch_size: int = 2000,
    ) -> Iterator[RecordedEvent]:
        """Stream events in position order, decoded; memory stays flat however many."""
        for row in self.read_rows(
            after=after,
            until=until,
            types=types,
            stream=stream,
            recorded_before=recorded_before,
            limit=limit,
            batch_size=batch_size,
        ):
            yield self._recorded(row)

    def read_rows(
        self,
        *,
        after: int = 0,
        until: int | None = None,
        types: Sequence[str] | None = None,
        stream: str | None = None,
        recorded_before: datetime | None = None,
        limit: int | None = None,
        batch_size: int = 2000,
    ) -> Iterator[dict[str, Any]]:
        """The stored columns of each event (payload as bytes, not decoded), in order."""
        where = _where(after, until, types, stream, recorded_before)
        query = sql.SQL("SELECT {} FROM ledger.events WHERE {} ORDER BY position").format(
            sql.SQL(_COLUMNS), where
        )
        if limit is not None:
            query = sql.SQL("{} LIMIT {}").format(query, limit)
        if limit is not None and limit <= batch_size:  # one round trip, no server cursor
            with self.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
                rows = cur.execute(query).fetchall()
            yield from rows
            return
        with self.connection() as conn, conn.transaction():
            with conn.cursor(name="ledger_read", row_factory=dict_row) as cur:
                cur.itersize = batch_size
                cur.execute(query)
                yield from cur

    def read_records(
        self, *, after: int = 0, until: int | None = None, types: Sequence[str] | None = None
    ) -> Iterator[tuple[int, str, dict[str, Any]]]:
        """(position, type, Avro record resolved to the newest schema), streamed.

        Skips pydantic: every stored event was validated on its way in. For folds that
        read the whole ledger, where building models would cost more than the fold.
        """
        query = sql.SQL(
            "SELECT position, event_type, payload FROM ledger.events WHERE {} ORDER BY position"
        ).format(_where(after, until, types))
        with self.connection() as conn, conn.transaction():
            with conn.cursor(name="ledger_read_records") as cur:
                cur.itersize = 5000
                cur.execute(query)
                for position, event_type, payload in cur:
                    _, record = self.codec.decode_record(bytes(payload))
                    yield position, event_type, record

    def _recorded(self, row: dict[str, Any]) -> RecordedEvent:
        payload = bytes(row["payload"])
        topic = row["kafka_topic"]
        return RecordedEvent(
            position=row["position"],
            event_id=row["event_id"],
            event_type=row["event_type"],
            stream_id=row["stream_id"],
            recorded_at=row["recorded_at"],
            valid_from=row["valid_from"],
            valid_to=row["valid_to"],
            payload=payload,
            prev_hash=bytes(row["prev_hash"]),
            hash=bytes(row["hash"]),
            origin=KafkaOrigin(topic, row["kafka_partition"], row["kafka_offset"])
            if topic is not None
            else None,
            event=self.codec.decode(payload),
        )

    def find_row(self, event_id: UUID) -> dict[str, Any] | None:
        """The stored columns of one event by its id (payload not decoded), or None."""
        query = sql.SQL("SELECT {} FROM ledger.events WHERE event_id = %s").format(
            sql.SQL(_COLUMNS)
        )
        with self.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            return cur.execute(query, (event_id,)).fetchone()

    def payload_of(self, event_id: UUID) -> bytes | None:
        """The stored bytes of an event, or None if the ledger does not hold it."""
        with self.connection() as conn:
            row = conn.execute(
                "SELECT payload FROM ledger.events WHERE event_id = %s", (event_id,)
            ).fetchone()
        return bytes(row[0]) if row else None

    def count_rejected(self) -> int:
        with self.connection() as conn:
            row = conn.execute("SELECT count(*) FROM ledger.rejected").fetchone()
        return int(row[0]) if row else 0
