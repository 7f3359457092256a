"""One projection follower per database: the advisory-lock election."""

import psycopg
import pytest

from ledger.store.election import FOLLOWER_LOCK, Election


def _holders(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
            " WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()"
            " AND (l.classid::bigint << 32 | l.objid::bigint) = %s",
            (FOLLOWER_LOCK,),
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_one_holder_per_database_and_a_standby_takes_over(
    database_url: str, empty_database_url: str
) -> None:
    first, second = Election(database_url), Election(database_url)
    elsewhere = Election(empty_database_url)
    try:
        assert first.holds() and first.holds()  # kept, not taken twice
        assert not second.holds()
        assert elsewhere.holds()  # another database has a follower of its own
        assert _holders(database_url) == 1
        first.close()
        assert second.holds()
        assert not first.holds()
    finally:
        for election in (first, second, elsewhere):
            election.close()
    assert _holders(database_url) == 0


def test_a_holder_whose_session_ends_loses_the_lock(database_url: str) -> None:
    holder, standby = Election(database_url, name="ledger-test-holder"), Election(database_url)
    try:
        assert holder.holds() and not standby.holds()
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = 'ledger-test-holder'"
            )
        with pytest.raises(psycopg.OperationalError):
            holder.holds()  # it says so, and stops folding
        assert standby.holds()
        assert not holder.holds()  # a new session asks again, and waits its turn
    finally:
        holder.close()
        standby.close()
