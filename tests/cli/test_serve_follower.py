"""The server's follower process: started beside the workers, started again if it dies,
gone with the server."""

import os
import signal
import time

import psutil

from ledger.cli.serve import Follower
from ledger.config import Settings


def test_a_follower_that_dies_is_started_again_and_a_stop_ends_it(database_url: str) -> None:
    follower = Follower(Settings(database_url=database_url), 0.25, verbose=False)
    try:
        first = follower.process
        assert first.pid is not None and first.is_alive()
        os.kill(first.pid, signal.SIGKILL)
        deadline = time.monotonic() + 20
        while follower.process is first or not follower.process.is_alive():
            assert time.monotonic() < deadline, "the follower was not started again"
            time.sleep(0.1)
        again = follower.process
    finally:
        follower.stop()
    assert first.exitcode == -signal.SIGKILL
    assert again.pid is not None and not psutil.pid_exists(again.pid)
