"""The composition root: the one place that builds the ledger's adapters from settings.

``bootstrap`` opens the store (and the embedded PostgreSQL when no URL is set) and hands
back a ``Runtime``: the store, the read service, the append transport (built on first
use: Kafka when configured, else direct), and the asynchronous lookup pool a server
opens on its event loop. The CLI, the API's lifespan and the Dagster resources all call
it; nothing else constructs adapters.
"""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Literal

from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import AsyncConnectionPool, ConnectionPool

from ledger.codec.single_object import AvroCodec
from ledger.config import KafkaSettings, Settings
from ledger.errors import LedgerError, StoreUnavailable
from ledger.intake.sinks import DirectSink, KafkaSink
from ledger.log.producer_signing import ProducerSigner
from ledger.ports import EventSink
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.service import ReadService
from ledger.store.database import ensure_database
from ledger.store.embedded import embedded_database
from ledger.store.postgres import PostgresLedger
from ledger.store.service_role import grant_database, require_least_privilege, service_conninfo


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
            # one clear line at once (a missing database: how to make it), rather than
            # the pool's retries until its timeout
            ensure_database(
                url, create=False, timeout=settings.pool_timeout, target=describe_target(settings)
            )
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
            pool.open(wait=True, timeout=settings.pool_timeout)
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
def open_sink(
    settings: Settings,
    kafka: KafkaSettings,
    via: Via = "auto",
    signer: ProducerSigner | None = None,
) -> Iterator[EventSink]:
    """The transport for appends: Kafka when configured (or asked for), else direct;
    ``signer`` signs every event sent as its producer."""
    if via == "kafka" or (via == "auto" and kafka.enabled):
        if not kafka.enabled:
            raise LedgerError("--via kafka needs LEDGER_KAFKA_BOOTSTRAP (or --kafka-bootstrap)")
        from ledger.kafka.producer import KafkaEventProducer  # only Kafka users pay for it

        with KafkaEventProducer(kafka, signer=signer) as producer:
            yield KafkaSink(producer)
        return
    with bootstrap(settings, kafka) as runtime:
        yield runtime.sink("direct") if signer is None else DirectSink(runtime.store, signer)


@dataclass
class Runtime:
    """The adapters of one process, built from its settings by ``bootstrap``."""

    settings: Settings
    kafka: KafkaSettings
    store: PostgresLedger
    reads: ReadService
    _stack: ExitStack
    _sinks: dict[str, EventSink] = field(default_factory=dict)

    def sink(self, via: Via = "auto") -> EventSink:
        """The append transport: Kafka when configured (or asked for), else direct.
        A Kafka producer is opened on first use and closed with the runtime."""
        kafka = via == "kafka" or (via == "auto" and self.kafka.enabled)
        if kafka and not self.kafka.enabled:
            raise LedgerError("--via kafka needs LEDGER_KAFKA_BOOTSTRAP (or --kafka-bootstrap)")
        name = "kafka" if kafka else "direct"
        if name not in self._sinks:
            if kafka:
                from ledger.kafka.producer import KafkaEventProducer

                producer = self._stack.enter_context(KafkaEventProducer(self.kafka))
                self._sinks[name] = KafkaSink(producer, self.store)
            else:
                self._sinks[name] = DirectSink(self.store)
        return self._sinks[name]

    def lag(self) -> tuple[int, int]:
        """(ledger head, lowest projection cursor): two indexed lookups."""
        head = self.store.head().position
        cursors = self.reads.cursors()
        return head, min((cursors.get(name, 0) for name in PROJECTIONS), default=0)

    def lookup_pool(self, size: int) -> AsyncConnectionPool:
        """An asynchronous pool of ``size`` connections to the same database, not yet
        open: a server opens it on its own event loop and closes it there."""
        return AsyncConnectionPool(
            self.store.conninfo,
            min_size=size,
            max_size=size,
            timeout=self.settings.pool_timeout,
            kwargs={"autocommit": True, "application_name": self.settings.application_name},
            open=False,
            name="ledger-lookups",
        )


@contextmanager
def bootstrap(
    settings: Settings | None = None,
    kafka: KafkaSettings | None = None,
    *,
    prepare: Prepare = "auto",
    as_service: bool = False,
) -> Iterator[Runtime]:
    """Everything a process needs, built from ``settings`` (default: the environment)
    and closed on exit. See ``open_ledger`` for ``prepare``. ``as_service`` (the server)
    prepares the database as its owner, then opens the pools as the least-privilege
    service login (``ledger.store.service_role``) and checks that it is one."""
    settings = settings if settings is not None else Settings()
    kafka = kafka if kafka is not None else KafkaSettings()
    with ExitStack() as stack:
        if as_service:
            settings = stack.enter_context(_serving_settings(settings, prepare))
            prepare = "none"
        try:
            store = stack.enter_context(open_ledger(settings, prepare=prepare))
        except StoreUnavailable as exc:
            if not as_service:
                raise
            raise StoreUnavailable(
                f"{exc} (the server connects as its least-privilege login: the role "
                "ledger_service, which `ledger init` creates when it may create roles, or "
                "LEDGER_SERVICE_DATABASE_URL)"
            ) from exc
        if as_service:
            with store.connection() as conn:
                require_least_privilege(conn)
        reads = ReadService(store).for_clearance(settings.clearance)
        yield Runtime(settings, kafka, store, reads, stack)


@contextmanager
def _serving_settings(settings: Settings, prepare: Prepare) -> Iterator[Settings]:
    """The settings of the service login, once the owner has readied the database (the
    embedded server, if used, stays up while they are used)."""
    with ExitStack() as stack:
        if settings.embedded:
            url = stack.enter_context(embedded_database(settings.home))
            settings = settings.model_copy(update={"database_url": url})
            prepare = "init" if prepare == "auto" else prepare
        owner_settings = settings.model_copy(update={"pool_min_size": 1, "pool_size": 1})
        with open_ledger(owner_settings, prepare=prepare) as owner, owner.connection() as conn:
            grant_database(conn)
            owner_url = owner.conninfo
        service = service_conninfo(owner_url, settings.service_database_url)
        yield settings.model_copy(update={"database_url": service})
