"""PostgreSQL adapter: the ledger store, its migrations and the embedded server."""

from ledger.store.postgres import PostgresLedger

__all__ = ["PostgresLedger"]
