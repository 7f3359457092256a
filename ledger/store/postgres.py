"""The PostgreSQL ledger: append-only events, schema registry and rejected inputs.

All appends go through the database function ``ledger.append_events``, which takes one
lock, assigns contiguous positions, extends the hash chain and inserts the batch in one
statement: all or nothing, safe with any number of concurrent writers.
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import cached_property
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
from ledger.domain.enums import Classification
from ledger.domain.events import Event
from ledger.domain.marking import LEVELS, LOWEST, OPERATOR, RANK, Clearance, Marking
from ledger.errors import (
    ConflictError,
    LedgerError,
    SchemaError,
    StoreRefused,
    StoreUnavailable,
)
from ledger.log.producer_keys import ProducerKeys
from ledger.log.producer_signing import ProducerSigner
from ledger.records import Appended, EncodedEvent, Head, KafkaOrigin, RecordedEvent
from ledger.store.checkpoints import Checkpoints
from ledger.store.clearance import VISIBLE, set_clearance, visible_to
from ledger.store.connection import Conn
from ledger.store.merkle import MerkleTree
from ledger.store.migrate import migrate, pending
from ledger.store.producer_keys import (
    REGISTER_CHANGED,
    KeyRegister,
    RegisterChanged,
    admit,
    changes_register,
)

_APPEND = """
WITH appended AS (
    SELECT i, a.event_id, a.position, a.recorded_at, a.appended, m.rank, m.compartments
      FROM ledger.append_events(%b::uuid[], %b::text[], %b::text[], %b::timestamptz[],
                                %b::timestamptz[], %b::bytea[], %b::text[], %b::integer[],
                                %b::bigint[], %b::bytea[], %b::bigint, %b::smallint[],
                                %b::text[])
                   WITH ORDINALITY AS a(event_id, position,
                                                                   recorded_at, appended, i)
      JOIN unnest(%b::smallint[], %b::text[]) WITH ORDINALITY AS m(rank, compartments, i)
        USING (i)
), marked AS (
    INSERT INTO ledger.markings (position, rank, compartments)
    SELECT position, rank, string_to_array(compartments, ' ') FROM appended WHERE appended
)
SELECT event_id, position, recorded_at, appended FROM appended ORDER BY i
"""
"""One call appends a batch and records each new event's marking beside it."""

UNKNOWN_RANK = RANK[Classification.UNKNOWN]
"""The rank of an event whose marking was not given: it fails closed."""

APPEND_LOCK = 7402587364120001
"""The advisory lock ``ledger.append_events`` takes: one appender at a time."""

MAX_REGISTER_RETRIES = 5
"""Checks of one batch against a key register that other writers keep changing."""

PIPELINE_CHUNK = 250
"""Events per database call when a large batch is appended in one transaction."""

_COLUMNS = (
    "position, event_id, event_type, stream_id, recorded_at, valid_from, valid_to, payload,"
    " prev_hash, hash, kafka_topic, kafka_partition, kafka_offset, signature"
)


def _append_params(items: Sequence[EncodedEvent], keys_at: int | None) -> tuple[Any, ...]:
    """The arguments of ``_APPEND``; ``keys_at`` is the last key event the signatures were
    checked against (None: the caller holds the append lock, so nothing can change)."""
    origins = [i.origin for i in items]
    kafka = any(o is not None for o in origins)
    signed = any(i.signature is not None for i in items)
    seen = [
        i.seen_by if i.seen_by is not None and not i.seen_by.is_operator else None for i in items
    ]
    cleared = any(c is not None for c in seen)
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
        [i.signature for i in items] if signed else None,
        keys_at,
        [c.rank if c is not None else None for c in seen] if cleared else None,
        [" ".join(sorted(c.compartments)) if c is not None else None for c in seen]
        if cleared
        else None,
        [i.marking.rank if i.marking else UNKNOWN_RANK for i in items],
        [" ".join(sorted(i.marking.compartments)) if i.marking else "" for i in items],
    )


def _where(
    after: int,
    until: int | None,
    types: Sequence[str] | None,
    stream: str | None = None,
    recorded_before: datetime | None = None,
    clearance: Clearance = OPERATOR,
) -> sql.Composable:
    """The filter of a ledger read, in position terms, and what ``clearance`` sees."""
    conditions: list[sql.Composable] = [sql.SQL("position > {}").format(after)]
    if not clearance.is_operator:
        conditions.append(VISIBLE)
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
    if state == REGISTER_CHANGED:
        return RegisterChanged(message)
    if isinstance(exc, psycopg.OperationalError):
        return StoreUnavailable(f"the ledger database is unreachable: {message}")
    if state.startswith("LG"):  # the ledger's own refusals, worded for users
        return LedgerError(message)
    return StoreRefused(state, message)


class PostgresLedger:
    """Append to and read from the ledger in PostgreSQL (the direct transport)."""

    parallel_folds = True

    def __init__(self, pool: ConnectionPool[Any], codec: AvroCodec | None = None) -> None:
        self._pool = pool
        self.codec = codec if codec is not None else AvroCodec()
        self._keys = KeyRegister(self.codec)

    @property
    def pool(self) -> ConnectionPool[Any]:
        """The connection pool (to build another view of the same ledger on it)."""
        return self._pool

    @cached_property
    def checkpoints(self) -> Checkpoints:
        """The ledger's signed checkpoints (built once, on first use)."""
        return Checkpoints(self)

    @cached_property
    def tree(self) -> MerkleTree:
        """The Merkle tree over the ledger's events (built once, on first use)."""
        return MerkleTree(self)

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

    @contextmanager
    def cleared(self, clearance: Clearance = OPERATOR) -> Iterator[Conn]:
        """A connection in a transaction that reads as ``clearance`` would: row-level
        security and ``ledger.sees`` hide what it may not see (the operator sees all)."""
        with self.connection() as conn, conn.transaction():
            if not clearance.is_operator:
                set_clearance(conn, clearance)
            yield conn

    # -- setup -----------------------------------------------------------------------

    def init(self) -> list[str]:
        """Create or upgrade the tables and register every known schema; idempotent."""
        with self.connection() as conn:
            applied = migrate(conn)
            self._register_schemas(conn)
            self._derive_markings(conn)
        return [f"{m.version:04d}_{m.name}" for m in applied]

    def _derive_markings(self, conn: Conn) -> int:
        """Record the marking of every event that has none yet (those appended before
        markings were kept), from its payload; one that does not decode is UNKNOWN, so it
        stays hidden from every reader. Returns how many were recorded."""
        added = 0
        found = conn.execute("SELECT to_regclass('ledger.markings') IS NOT NULL").fetchone()
        if not found or not found[0]:  # an older ledger, not migrated that far
            return 0
        with conn.transaction():
            conn.execute("LOCK TABLE ledger.markings IN EXCLUSIVE MODE")
            missing = conn.execute(
                "SELECT e.position, e.payload FROM ledger.events e"
                " WHERE NOT EXISTS (SELECT 1 FROM ledger.markings m"
                " WHERE m.position = e.position) ORDER BY e.position"
            )
            rows = []
            for position, payload in missing:
                try:
                    envelope = self.codec.decode_record(bytes(payload))[1]["envelope"]
                    marking = Marking(
                        Classification(envelope["classification"]),
                        frozenset(envelope.get("compartments", ())),
                    )
                    rows.append((position, marking.rank, sorted(marking.compartments)))
                except (LedgerError, KeyError, ValueError, TypeError):
                    rows.append((position, UNKNOWN_RANK, []))
            copy_sql = "COPY ledger.markings (position, rank, compartments) FROM STDIN"
            with conn.cursor().copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
            added = len(rows)
        return added

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

    def encode(self, event: Event, signer: ProducerSigner | None = None) -> EncodedEvent:
        """The event as single-object Avro bytes plus the columns stored beside them,
        signed by ``signer`` if one is given."""
        payload = self.codec.encode(event)
        signature = signer.sign(payload) if signer is not None else None
        return EncodedEvent.of(event, payload, signature=signature)

    def append(
        self, events: Iterable[Event], signer: ProducerSigner | None = None
    ) -> list[Appended]:
        """Append a batch of events, all or nothing, in order; repeats are no-ops.
        ``signer`` signs each event as its producer (``ledger.log.producer_signing``).

        A large batch goes to the database in chunks, pipelined in one transaction: the
        database stores one chunk while the next is being encoded. A generator is
        consumed chunk by chunk, so a batch of any size appends in flat memory.
        """
        if isinstance(events, Sequence) and len(events) <= PIPELINE_CHUNK:
            return self.append_encoded([self.encode(e, signer) for e in events])
        with self.connection() as conn, conn.transaction():
            # the append lock from the start: the key register cannot change meanwhile
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (APPEND_LOCK,))
            self._keys.stale()
            keys = self._keys.current(conn)
            changed = False
            cursors = []
            iterator = iter(events)
            done = 0
            with conn.pipeline():
                while chunk := [self.encode(e, signer) for e in islice(iterator, PIPELINE_CHUNK)]:
                    keys = admit(keys, chunk, self.codec, first=done)
                    changed = changed or changes_register(chunk)
                    cursor = conn.cursor()
                    cursor.execute(_APPEND, _append_params(chunk, None))
                    cursors.append(cursor)
                    done += len(chunk)
                appended = [Appended(*row) for cursor in cursors for row in cursor.fetchall()]
        if changed:  # the batch changed the register
            self._keys.stale()
        return appended

    def producer_keys(self) -> ProducerKeys:
        """The producer key register as the ledger holds it now."""
        self._keys.stale()
        with self.connection() as conn:
            return self._keys.current(conn)

    def admit(self, items: Sequence[EncodedEvent]) -> None:
        """Raise ``SignatureRefused`` if the key register, as the ledger holds it now,
        refuses any of these events' signatures (or their lack); appends nothing."""
        self._keys.stale()
        with self.connection() as conn:
            admit(self._keys.current(conn), items, self.codec)

    def append_encoded(
        self, items: Sequence[EncodedEvent], conn: Conn | None = None
    ) -> list[Appended]:
        """Append pre-encoded events, inside ``conn``'s transaction if one is given.

        Signatures are checked against the key register first (``SignatureRefused``);
        if another writer changed the register meanwhile, the check runs again, or,
        inside ``conn``'s transaction (which that aborts), ``RegisterChanged`` says so.
        """
        if not items:
            return []
        for _ in range(MAX_REGISTER_RETRIES):
            try:
                if conn is not None:
                    rows = self._append_checked(items, conn)
                else:
                    with self.connection() as own:
                        rows = self._append_checked(items, own)
            except RegisterChanged:
                self._keys.stale()
                if conn is not None:
                    raise
                continue
            return [Appended(*row) for row in rows]
        raise RegisterChanged(
            "the producer key register kept changing while this batch was checked; "
            "nothing was appended: send it again"
        )

    def _append_checked(self, items: Sequence[EncodedEvent], conn: Conn) -> list[Any]:
        keys = self._keys.current(conn)
        known = keys.at
        admit(keys, items, self.codec)
        try:
            rows = conn.execute(_APPEND, _append_params(items, known)).fetchall()
        except psycopg.Error as exc:
            raise _translate(exc) from exc
        if changes_register(items):
            self._keys.stale()
        return rows

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

    def event_counts(self, clearance: Clearance = OPERATOR) -> list[tuple[str, int]]:
        """How many events of each type the ledger holds (that ``clearance`` sees)."""
        query = sql.SQL(
            "SELECT event_type, count(*) FROM ledger.events WHERE {} GROUP BY 1 ORDER BY 1"
        )
        with self.cleared(clearance) as conn:
            rows = conn.execute(query.format(visible_to(clearance))).fetchall()
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
        clearance: Clearance = OPERATOR,
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
            clearance=clearance,
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
        clearance: Clearance = OPERATOR,
    ) -> Iterator[dict[str, Any]]:
        """The stored columns of each event (payload as bytes, not decoded), in order:
        those ``clearance`` sees."""
        where = _where(after, until, types, stream, recorded_before, clearance)
        query = sql.SQL("SELECT {} FROM ledger.events WHERE {} ORDER BY position").format(
            sql.SQL(_COLUMNS), where
        )
        if limit is not None:
            query = sql.SQL("{} LIMIT {}").format(query, limit)
        if limit is not None and limit <= batch_size:  # one round trip, no server cursor
            with self.cleared(clearance) as conn, conn.cursor(row_factory=dict_row) as cur:
                rows = cur.execute(query).fetchall()
            yield from rows
            return
        with self.cleared(clearance) as conn:
            with conn.cursor(name="ledger_read", row_factory=dict_row) as cur:
                cur.itersize = batch_size
                cur.execute(query)
                yield from cur

    def read_rows_at(
        self, positions: Sequence[int], clearance: Clearance = OPERATOR
    ) -> Iterator[dict[str, Any]]:
        """The stored columns of the events at ``positions`` that ``clearance`` sees, in
        position order (the events of a few objects, found by an index of positions)."""
        where = sql.SQL("{} AND position = ANY({})").format(
            _where(0, None, None, clearance=clearance), list(positions)
        )
        query = sql.SQL("SELECT {} FROM ledger.events WHERE {} ORDER BY position").format(
            sql.SQL(_COLUMNS), where
        )
        with self.cleared(clearance) as conn, conn.cursor(row_factory=dict_row) as cur:
            yield from cur.execute(query).fetchall()

    def read_records(
        self,
        *,
        after: int = 0,
        until: int | None = None,
        types: Sequence[str] | None = None,
        clearance: Clearance = OPERATOR,
    ) -> Iterator[tuple[int, str, dict[str, Any]]]:
        """(position, type, Avro record resolved to the newest schema), streamed.

        Skips pydantic: every stored event was validated on its way in. For folds that
        read the whole ledger, where building models would cost more than the fold; uuid
        fields are their canonical strings (``AvroCodec.fold_record``).
        """
        query = sql.SQL(
            "SELECT position, event_type, payload FROM ledger.events WHERE {} ORDER BY position"
        ).format(_where(after, until, types, clearance=clearance))
        with self.cleared(clearance) as conn:
            with conn.cursor(name="ledger_read_records") as cur:
                cur.itersize = 5000
                cur.execute(query)
                for position, event_type, payload in cur:
                    yield position, event_type, self.codec.fold_record(bytes(payload))

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
            signature=bytes(row["signature"]) if row["signature"] is not None else None,
        )

    def find_row(self, event_id: UUID, clearance: Clearance = OPERATOR) -> dict[str, Any] | None:
        """The stored columns of one event by its id (payload not decoded), or None (also
        when ``clearance`` does not see it: a hidden event answers as an unknown one).
        Where the id names several events (each appended by a producer that could not see
        the others), the first that ``clearance`` sees."""
        query = sql.SQL(
            "SELECT {} FROM ledger.events WHERE event_id = %s AND {} ORDER BY position LIMIT 1"
        ).format(sql.SQL(_COLUMNS), visible_to(clearance))
        with self.cleared(clearance) as conn, conn.cursor(row_factory=dict_row) as cur:
            return cur.execute(query, (event_id,)).fetchone()

    def payload_of(self, event_id: UUID) -> bytes | None:
        """The stored bytes of the first event with this id, or None if there is none."""
        with self.connection() as conn:
            row = conn.execute(
                "SELECT payload FROM ledger.events WHERE event_id = %s ORDER BY position LIMIT 1",
                (event_id,),
            ).fetchone()
        return bytes(row[0]) if row else None

    def marking_of(self, positions: Sequence[int]) -> Marking:
        """The marking of an answer resting on the events at ``positions``: the highest
        level and every compartment among them (``ledger.domain.marking.highest``)."""
        if not positions:
            return LOWEST
        with self.connection() as conn:
            row = conn.execute(
                "SELECT max(rank), (SELECT array_agg(DISTINCT c) FROM ledger.markings n,"
                " unnest(n.compartments) c WHERE n.position = ANY(%(p)s))"
                " FROM ledger.markings WHERE position = ANY(%(p)s)",
                {"p": list(positions)},
            ).fetchone()
        if row is None or row[0] is None:
            return LOWEST
        return Marking(LEVELS[min(int(row[0]), len(LEVELS) - 1)], frozenset(row[1] or ()))

    def count_rejected(self) -> int:
        with self.connection() as conn:
            row = conn.execute("SELECT count(*) FROM ledger.rejected").fetchone()
        return int(row[0]) if row else 0
