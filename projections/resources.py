"""Dagster resources: the ledger database and, when configured, Kafka.

Both are configured from the same ``LEDGER_*`` settings as the CLI (``ledger.config`` is
the only module that reads the environment); ``open`` goes through the composition root.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from ledger.config import KafkaSettings, Settings
from ledger.runtime import Prepare, Runtime, bootstrap


class LedgerResource(ConfigurableResource["LedgerResource"]):
    """The PostgreSQL ledger: LEDGER_DATABASE_URL, or the embedded server under home."""

    database_url: str | None = None
    home: str = ".ledger"
    signing_key_file: str | None = None
    """The checkpoint signing key; unset = LEDGER_SIGNING_KEY_FILE, else home/signing.key."""
    _runtime: Runtime | None = PrivateAttr(default=None)

    @classmethod
    def of(cls, settings: Settings) -> "LedgerResource":
        key = str(settings.signing_key_file) if settings.signing_key_file else None
        return cls(
            database_url=settings.database_url, home=str(settings.home), signing_key_file=key
        )

    def settings(self) -> Settings:
        settings = Settings(
            database_url=self.database_url,
            home=Path(self.home),
            application_name="ledger-projections",
        )
        if self.signing_key_file:
            settings.signing_key_file = Path(self.signing_key_file)
        return settings

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator["LedgerResource"]:
        """One runtime (one pool) for the whole run, shared by every asset and check."""
        with bootstrap(self.settings()) as runtime:
            self._runtime = runtime
            try:
                yield self
            finally:
                self._runtime = None

    @contextmanager
    def open(self, prepare: Prepare = "auto") -> Iterator[Runtime]:
        """The run's runtime, or (outside a run, e.g. in a sensor) one of its own."""
        if self._runtime is not None:
            yield self._runtime
            return
        with bootstrap(self.settings(), prepare=prepare) as runtime:
            yield runtime


class KafkaResource(ConfigurableResource["KafkaResource"]):
    """The events topic; with no bootstrap the ledger is fed directly and nothing is read."""

    bootstrap: str | None = None
    topic: str = "ledger.events"

    @classmethod
    def of(cls, kafka: KafkaSettings) -> "KafkaResource":
        return cls(bootstrap=kafka.bootstrap, topic=kafka.topic)

    def settings(self) -> KafkaSettings:
        return KafkaSettings(bootstrap=self.bootstrap, topic=self.topic)


def from_settings(settings: Settings, kafka: KafkaSettings) -> dict[str, object]:
    """The resources for given settings (``ledger project`` passes its own)."""
    return {"ledger": LedgerResource.of(settings), "kafka": KafkaResource.of(kafka)}


def from_environment() -> dict[str, object]:
    """Resources configured from the same LEDGER_* variables as the CLI."""
    return from_settings(Settings(), KafkaSettings())
