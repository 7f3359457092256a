"""Dagster resources: the ledger database and, when configured, Kafka."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster import ConfigurableResource

from ledger.config import Settings
from ledger.kafka.config import KafkaSettings
from ledger.runtime import Prepare, open_ledger
from ledger.store.postgres import PostgresLedger


class LedgerResource(ConfigurableResource["LedgerResource"]):
    """The PostgreSQL ledger: LEDGER_DATABASE_URL, or the embedded server under home."""

    database_url: str | None = None
    home: str = ".ledger"
    signing_key_file: str | None = None
    """The checkpoint signing key; unset = LEDGER_SIGNING_KEY_FILE, else home/signing.key."""

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
    def open(self, prepare: Prepare = "auto") -> Iterator[PostgresLedger]:
        with open_ledger(self.settings(), prepare=prepare) as ledger:
            yield ledger


class KafkaResource(ConfigurableResource["KafkaResource"]):
    """The events topic; with no bootstrap the ledger is fed directly and nothing is read."""

    bootstrap: str | None = None
    topic: str = "ledger.events"

    def settings(self) -> KafkaSettings:
        return KafkaSettings(bootstrap=self.bootstrap, topic=self.topic)


def from_environment() -> dict[str, object]:
    """Resources configured from the same LEDGER_* variables as the CLI."""
    return {
        "ledger": LedgerResource(
            database_url=os.environ.get("LEDGER_DATABASE_URL") or None,
            home=os.environ.get("LEDGER_HOME", ".ledger"),
        ),
        "kafka": KafkaResource(
            bootstrap=os.environ.get("LEDGER_KAFKA_BOOTSTRAP") or None,
            topic=os.environ.get("LEDGER_KAFKA_TOPIC", "ledger.events"),
        ),
    }
