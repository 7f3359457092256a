"""TAXII 2.1 over the ledger, as pure logic: the collections a key may read, each
version's ``date_added``, filters (``added_after``, ``match[...]``), pages and their
``next`` tokens, and the resources' JSON. ``ledger.api.routes.taxii`` serves it; the
STIX objects themselves come from ``ledger.stix.export`` (nothing is mapped again)."""
