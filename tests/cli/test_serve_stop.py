"""Stopping ``ledger serve`` (SIGTERM, or Ctrl-C to its process group) stops the
embedded PostgreSQL it started, as every other command's last exit does."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import SESSION_KEY, free_port


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _serve(home: Path, port: int, *extra: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(LEDGER_HOME=str(home), LEDGER_SIGNING_KEY_FILE=str(SESSION_KEY))
    return subprocess.Popen(
        [sys.executable, "-m", "ledger", "serve", "--port", str(port), *extra],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal gives a command
    )


def _read(server: subprocess.Popen[str], lines: list[str]) -> threading.Thread:
    def read() -> None:
        assert server.stderr is not None
        lines.extend(iter(server.stderr.readline, ""))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader


def _wait_until_up(server: subprocess.Popen[str], port: int, lines: list[str]) -> None:
    """Until it answers and its follower folds (a Ctrl-C while a process is still
    importing is Python's KeyboardInterrupt, not the server's stop)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert server.poll() is None, "".join(lines)
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                if any("follower: following" in line for line in lines):
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise AssertionError("ledger serve did not answer within 120 s")


def _postmaster(home: Path) -> int:
    return int((home / "pgdata" / "postmaster.pid").read_text().splitlines()[0])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("how", "extra"),
    [
        ("SIGTERM", ()),
        ("SIGTERM", ("--workers", "2")),
        ("Ctrl-C", ()),
    ],
)
def test_stopping_serve_stops_its_embedded_postgresql(how: str, extra: tuple[str, ...]) -> None:
    # not under pytest's basetemp: a pytest session starting meanwhile makes it 0700,
    # and the embedded server runs as a user of its own when the tests run as root
    place = Path(tempfile.mkdtemp(prefix="ledger-serve-stop-"))
    place.chmod(0o755)
    home, port = place / "home", free_port()
    lines: list[str] = []
    server = _serve(home, port, *extra)
    reader = _read(server, lines)
    try:
        _wait_until_up(server, port, lines)
        postmaster = _postmaster(home)
        assert _alive(postmaster)
        if how == "SIGTERM":
            server.send_signal(signal.SIGTERM)
        else:
            os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=90)
        reader.join(10)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        shutil.rmtree(place, ignore_errors=True)
    stderr = "".join(lines)
    assert server.returncode == 0, stderr[-2000:]
    if not extra:  # (uvicorn's supervisor of several workers ends quietly)
        assert f"ledger: stopped ({'SIGINT' if how == 'Ctrl-C' else how})" in stderr
    assert "Traceback" not in stderr, stderr[-2000:]
    deadline = time.monotonic() + 30
    while _alive(postmaster) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(postmaster), "the embedded PostgreSQL is still running"
    assert not (home / "pgdata" / "postmaster.pid").exists()
