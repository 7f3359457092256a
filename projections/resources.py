"""Dagster resources: the ledger database and, when configured, Kafka.

Both are configured from the same ``LEDGER_*`` settings as the CLI (``ledger.config`` is
the only module that reads the environment); ``open`` goes through the composition root.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster import ConfigurableResource

from ledger.config import KafkaSettings, Settings
from ledger.runtime import Prepare, Runtime, bootstrap


class LedgerResource(ConfigurableResource["LedgerResource"]):
    """The PostgreSQL ledger: LEDGER_DATABASE_URL, or the embedded server under home."""

    database_url: str | None = None
    home: str = ".ledger"

    @classmethod
    def of(cls, settings: Settings) -> "LedgerResource":
        return cls(database_url=settings.database_url, home=str(settings.home))

    def settings(self) -> Settings:
        return Settings(
            database_url=self.database_url,
            home=Path(self.home),
            application_name="ledger-projections",
        )

    @contextmanager
    def open(self, prepare: Prepare = "auto") -> Iterator[Runtime]:
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
