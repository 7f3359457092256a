"""The Dagster code location of the ledger's projections (``projections.definitions``)."""
