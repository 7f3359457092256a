"""STIX 2.1 exchange: the ledger's objects as STIX objects and back.

One module per kind of ledger object (``sources``, ``actors``, ``places``,
``documents``, ``claims``, ``retractions``, ``attributions``, ``assessments``,
``deployments``, ``markings``), each holding both directions of its mapping;
``versions`` says which events make which object version, ``export`` streams a bundle
for a clearance, ``importer`` maps a bundle back to events (pure), ``proofs`` carries
and checks inclusion proofs. Our extension's JSON schema ships in ``schema/``.
"""

from pathlib import Path

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
"""The directory to give stix2-validator (``--schemas``): it holds our extension's
schema under the name the validator looks for."""
