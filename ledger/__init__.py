"""An event-sourced intelligence ledger.

Producers record what sources say as immutable events; the ledger stores them as Avro
single-object bytes in an append-only, hash-chained PostgreSQL table::

    from ledger import ClaimAsserted, open_ledger

    with open_ledger() as ledger:           # embedded PostgreSQL unless configured
        ledger.append([claim])              # all or nothing; repeats are no-ops
        for recorded in ledger.read():
            print(recorded.position, recorded.event)

and follow a server's live stream, each event's hash chain checked as it comes::

    from ledger import subscribe

    for recorded in subscribe("http://127.0.0.1:8000", from_position=1, key=KEY):
        print(recorded.position, recorded.event)
"""

from ledger.chain import GENESIS_HASH, chain_hash
from ledger.codec import AvroCodec, SchemaRegistry, SchemaVersion
from ledger.config import Settings
from ledger.domain import (
    EVENT_TYPES,
    ActorKind,
    ActorRegistered,
    AttributionMade,
    AttributionMode,
    ClaimAsserted,
    ClaimAssessed,
    ClaimKind,
    ClaimRelation,
    ClaimRetracted,
    Classification,
    Credibility,
    DeploymentActivity,
    DeploymentReported,
    DocumentIngested,
    Envelope,
    Estimate,
    EstimateQualifier,
    Event,
    Independence,
    PlaceKind,
    PlacePrecision,
    PlaceRef,
    PlaceRegistered,
    ProducerKeyRegistered,
    ProducerKeyRevoked,
    Reliability,
    RetractionKind,
    SourceAccess,
    SourceKind,
    SourceRegistered,
    SourceReliabilityAssessed,
    TimePrecision,
    TimeSpan,
    WitnessKeyRegistered,
    WitnessKeyRevoked,
)
from ledger.errors import (
    BrokenChain,
    ConflictError,
    DecodeError,
    LedgerError,
    SchemaError,
    StoreUnavailable,
    StreamCut,
    ValidationFailed,
)
from ledger.records import Appended, EncodedEvent, Head, KafkaOrigin, RecordedEvent
from ledger.runtime import open_ledger
from ledger.store import PostgresLedger
from ledger.subscription import Subscription, subscribe

__version__ = "0.1.0"

__all__ = [
    "EVENT_TYPES",
    "GENESIS_HASH",
    "ActorKind",
    "ActorRegistered",
    "Appended",
    "AttributionMade",
    "AttributionMode",
    "AvroCodec",
    "BrokenChain",
    "ClaimAsserted",
    "ClaimAssessed",
    "ClaimKind",
    "ClaimRelation",
    "ClaimRetracted",
    "Classification",
    "ConflictError",
    "Credibility",
    "DecodeError",
    "DeploymentActivity",
    "DeploymentReported",
    "DocumentIngested",
    "EncodedEvent",
    "Envelope",
    "Estimate",
    "EstimateQualifier",
    "Event",
    "Head",
    "Independence",
    "KafkaOrigin",
    "LedgerError",
    "PlaceKind",
    "PlacePrecision",
    "PlaceRef",
    "PlaceRegistered",
    "PostgresLedger",
    "ProducerKeyRegistered",
    "ProducerKeyRevoked",
    "RecordedEvent",
    "Reliability",
    "RetractionKind",
    "SchemaError",
    "SchemaRegistry",
    "SchemaVersion",
    "Settings",
    "SourceAccess",
    "SourceKind",
    "SourceRegistered",
    "SourceReliabilityAssessed",
    "StoreUnavailable",
    "StreamCut",
    "Subscription",
    "TimePrecision",
    "TimeSpan",
    "ValidationFailed",
    "WitnessKeyRegistered",
    "WitnessKeyRevoked",
    "__version__",
    "chain_hash",
    "open_ledger",
    "subscribe",
]
