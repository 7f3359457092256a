"""The HTTP query API: FastAPI routes over the ledger and its projections."""
