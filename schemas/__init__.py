"""Avro schemas of the ledger's events: the source of truth for the wire format.

``types/`` holds the shared named types (one file each); ``events/`` holds one file per
event type and version, named ``<EventType>.v<N>.avsc``. Every file stands alone: it
defines each named type it uses where it first uses it, as its canonical form does, so
any Avro tool parses it given that file only (two versions of ``ledger.Envelope`` could
not share one table of names). Versions are never edited or removed once released:
readers resolve every older version to the newest.
"""

from pathlib import Path

SCHEMA_DIR = Path(__file__).resolve().parent
TYPES_DIR = SCHEMA_DIR / "types"
EVENTS_DIR = SCHEMA_DIR / "events"

__all__ = ["EVENTS_DIR", "SCHEMA_DIR", "TYPES_DIR"]
