"""The embedded default: a private PostgreSQL under LEDGER_HOME, reused across runs."""

from pathlib import Path

import pytest

from ledger.config import Settings
from ledger.runtime import describe_target, open_ledger
from tests.factories import make


@pytest.mark.slow
def test_embedded_ledger_starts_persists_and_stops(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    assert settings.embedded
    event = make("ClaimAsserted")
    with open_ledger(settings) as ledger:
        ledger.append([event])
        pid_file = tmp_path / "home" / "pgdata" / "postmaster.pid"
        assert pid_file.exists()
    assert not pid_file.exists(), "the server stops when its last user leaves"
    with open_ledger(settings) as ledger:
        (recorded,) = list(ledger.read())
        assert recorded.event == event
        assert ledger.append([event])[0].appended is False


def test_describe_target_hides_passwords() -> None:
    settings = Settings(database_url="postgresql://me:secret@db.example:6543/ledger")
    assert describe_target(settings) == "PostgreSQL at db.example:6543/ledger"
    assert "embedded PostgreSQL under" in describe_target(Settings(database_url=None))


@pytest.mark.slow
def test_nested_use_shares_one_server(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    pid_file = tmp_path / "home" / "pgdata" / "postmaster.pid"
    with open_ledger(settings) as outer:
        with open_ledger(settings) as inner:
            inner.append([make("ClaimAsserted")])
        assert pid_file.exists(), "the inner use must not stop the outer one's server"
        assert outer.head().position == 1
    assert not pid_file.exists()
