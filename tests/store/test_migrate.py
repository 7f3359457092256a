"""``init`` creates the ledger on an empty database, upgrades an old one, and repeats safely."""

import pytest

from ledger.config import Settings
from ledger.errors import LedgerError
from ledger.runtime import open_ledger
from ledger.store import migrate as migrate_module
from ledger.store.migrate import migrations


def test_init_creates_then_is_idempotent(empty_database_url: str) -> None:
    settings = Settings(database_url=empty_database_url)
    with open_ledger(settings, prepare="init") as ledger:
        assert ledger.init() == []
        with ledger.connection() as conn:
            registered = conn.execute("SELECT count(*) FROM ledger.schemas").fetchone()
        assert registered == (len(ledger.codec.registry.all_versions()),)


def test_external_database_must_be_initialised_first(empty_database_url: str) -> None:
    with pytest.raises(LedgerError, match="run `ledger init`"):
        with open_ledger(Settings(database_url=empty_database_url)):
            pass


def test_init_upgrades_an_older_ledger(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = migrations()
    monkeypatch.setattr(migrate_module, "migrations", lambda: everything[:1])
    settings = Settings(database_url=empty_database_url)
    with open_ledger(settings, prepare="init"):
        pass
    monkeypatch.setattr(migrate_module, "migrations", lambda: everything)
    with pytest.raises(LedgerError, match=f"lacks {len(everything) - 1} migration"):
        with open_ledger(settings):
            pass
    with open_ledger(settings, prepare="none") as ledger:
        assert ledger.init() == [f"{m.version:04d}_{m.name}" for m in everything[1:]]


def test_migrations_are_numbered_without_gaps() -> None:
    assert [m.version for m in migrations()] == list(range(1, len(migrations()) + 1))
