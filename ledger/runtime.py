"""The composition root: builds the ledger's adapters from configuration."""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Literal

from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool

from ledger.codec.single_object import AvroCodec
from ledger.config import Settings
from ledger.errors import LedgerError, StoreUnavailable
from ledger.kafka.config import KafkaSettings
from ledger.kafka.producer import KafkaEventProducer
from ledger.sinks import DirectSink, EventSink, KafkaSink
from ledger.store.embedded import embedded_database
from ledger.store.postgres import PostgresLedger


def describe_target(settings: Settings) -> str:
    """Where the ledger is, for people: the embedded home or the server (no password)."""
    if settings.embedded:
        return f"embedded PostgreSQL under {settings.home.expanduser().resolve()}"
    assert settings.database_url is not None
    try:
        parts = conninfo_to_dict(settings.database_url)
    except Exception:
        return "the database at LEDGER_DATABASE_URL"
    host = parts.get("host") or "localhost"
    return f"PostgreSQL at {host}:{parts.get('port') or 5432}/{parts.get('dbname') or ''}"


Prepare = Literal["auto", "init", "check", "none"]


@contextmanager
def open_ledger(
    settings: Settings | None = None, *, prepare: Prepare = "auto"
) -> Iterator[PostgresLedger]:
    """The configured ledger, ready to use, closed on exit.

    ``prepare`` says what to do with the database first: ``init`` runs the migrations,
    ``check`` fails clearly if they are due, ``none`` touches nothing. ``auto`` (the
    default) initialises the embedded database, which is private to this user, and only
    checks an external server, whose schema is its operator's to change (``ledger init``).
    """
    settings = settings if settings is not None else Settings()
    with ExitStack() as stack:
        if settings.embedded:
            url = stack.enter_context(embedded_database(settings.home))
        else:
            assert settings.database_url is not None
            url = settings.database_url
        pool: ConnectionPool = ConnectionPool(
            url,
            min_size=min(settings.pool_min_size, settings.pool_size),
            max_size=settings.pool_size,
            timeout=settings.pool_timeout,
            kwargs={"autocommit": True, "application_name": settings.application_name},
            open=False,
            name="ledger",
        )
        try:
            pool.open(wait=True, timeout=10)
        except Exception as exc:
            raise StoreUnavailable(f"cannot connect to {describe_target(settings)}: {exc}") from exc
        stack.callback(pool.close)
        ledger = PostgresLedger(pool, AvroCodec())
        if prepare == "auto":
            prepare = "init" if settings.embedded else "check"
        if prepare == "init":
            ledger.init()
        elif prepare == "check":
            ledger.ensure_ready()
        yield ledger


Via = Literal["auto", "direct", "kafka"]


@contextmanager
def open_sink(settings: Settings, kafka: KafkaSettings, via: Via = "auto") -> Iterator[EventSink]:
    """The transport for appends: Kafka when configured (or asked for), else direct."""
    if via == "kafka" or (via == "auto" and kafka.enabled):
        if not kafka.enabled:
            raise LedgerError("--via kafka needs LEDGER_KAFKA_BOOTSTRAP (or --kafka-bootstrap)")
        with KafkaEventProducer(kafka) as producer:
            yield KafkaSink(producer)
        return
    with open_ledger(settings) as ledger:
        yield DirectSink(ledger)
