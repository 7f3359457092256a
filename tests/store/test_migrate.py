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


def test_events_appended_before_markings_get_theirs_from_their_payloads(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ledger.domain.enums import Classification
    from ledger.store.postgres import _append_params
    from tests.factories import make
    from tests.scenarios import marked

    everything = migrations()
    before = [m for m in everything if m.version < 9]  # up to the markings
    monkeypatch.setattr(migrate_module, "migrations", lambda: before)
    settings = Settings(database_url=empty_database_url)
    events = [
        make("ClaimAsserted"),
        marked(make("ClaimAsserted"), Classification.SECRET, ["ALPHA"]),
    ]
    with open_ledger(settings, prepare="init") as ledger, ledger.connection() as conn:
        encoded = [ledger.encode(e) for e in events]
        conn.execute(  # the append of a ledger from before markings were kept
            "SELECT * FROM ledger.append_events(%b::uuid[], %b::text[], %b::text[],"
            " %b::timestamptz[], %b::timestamptz[], %b::bytea[], %b::text[], %b::integer[],"
            " %b::bigint[])",
            _append_params(encoded, None)[:9],
        ).fetchall()
    monkeypatch.setattr(migrate_module, "migrations", lambda: everything)
    with open_ledger(settings, prepare="init") as ledger, ledger.connection() as conn:
        kept = conn.execute(
            "SELECT position, rank, compartments FROM ledger.markings ORDER BY position"
        ).fetchall()
    assert kept == [(1, 0, []), (2, 3, ["ALPHA"])]
