"""The ports the application depends on: the ledger store and the append transport.

This module imports no adapter. The store is split into narrow ports (``Appending``,
``Reading``, ``Positions``, ``Proving``, ``Connections``) that ``LedgerStore`` joins;
``ledger.store.postgres.PostgresLedger`` implements them all and passes their contract
suite (``tests/store/test_ports.py``). ``ledger.intake.sinks`` holds the transports that
implement ``EventSink``; both pass one contract suite (``tests/contract.py``).
"""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from ledger.domain.events import Event
from ledger.domain.marking import OPERATOR, Clearance, Marking
from ledger.records import Appended, EncodedEvent, Head, KafkaOrigin, RecordedEvent

if TYPE_CHECKING:
    from ledger.codec.single_object import AvroCodec
    from ledger.log.producer_signing import ProducerSigner
    from ledger.store.checkpoints import Checkpoints
    from ledger.store.connection import Conn
    from ledger.store.merkle import MerkleTree


class Connections(Protocol):
    """Where the ledger lives: pooled connections, for what has no narrower port yet
    (the projections' own tables)."""

    parallel_folds: bool
    """True when other processes opening ``conninfo`` read the same events this store
    does, so a fold may split its work across them (a filtering wrapper says False)."""

    @property
    def conninfo(self) -> str: ...

    def connection(self) -> AbstractContextManager["Conn"]:
        """A pooled connection, for the projections' own tables."""
        ...

    def cleared(self, clearance: Clearance = OPERATOR) -> AbstractContextManager["Conn"]:
        """A connection in a transaction reading as ``clearance`` would (row-level
        security on): what the projections of that clearance are read through."""
        ...

    def init(self) -> list[str]: ...
    def ensure_ready(self) -> None: ...


class Appending(Protocol):
    """Appending events, all or nothing, and keeping aside what cannot be appended."""

    codec: "AvroCodec"

    def encode(self, event: Event, signer: "ProducerSigner | None" = None) -> EncodedEvent: ...
    def append(
        self, events: Iterable[Event], signer: "ProducerSigner | None" = None
    ) -> list[Appended]: ...

    def admit(self, items: Sequence[EncodedEvent]) -> None:
        """Raise ``SignatureRefused`` for events the producer key register refuses."""
        ...

    def append_encoded(
        self, items: Sequence[EncodedEvent], conn: "Conn | None" = None
    ) -> list[Appended]: ...

    def reject(
        self,
        *,
        origin: str,
        reason: str,
        payload: bytes | None,
        kafka: KafkaOrigin | None = None,
        key: bytes | None = None,
        headers: dict[str, str] | None = None,
        conn: "Conn | None" = None,
    ) -> int: ...

    def count_rejected(self) -> int: ...


class Positions(Protocol):
    """Where the ledger is: its head, the position a moment was recorded by, counts."""

    def head(self) -> Head: ...
    def position_at(self, moment: datetime) -> int: ...
    def event_counts(self, clearance: Clearance = OPERATOR) -> list[tuple[str, int]]: ...
    def marking_of(self, positions: Sequence[int]) -> Marking: ...


class Reading(Protocol):
    """Reading events in position order, as a clearance sees them."""

    codec: "AvroCodec"

    def read(
        self,
        *,
        after: int = 0,
        until: int | None = None,
        types: Sequence[str] | None = None,
        stream: str | None = None,
        recorded_before: datetime | None = None,
        limit: int | None = None,
        batch_size: int = 2000,
        clearance: Clearance = OPERATOR,
    ) -> Iterator[RecordedEvent]: ...

    def read_rows(
        self,
        *,
        after: int = 0,
        until: int | None = None,
        types: Sequence[str] | None = None,
        stream: str | None = None,
        recorded_before: datetime | None = None,
        limit: int | None = None,
        batch_size: int = 2000,
        clearance: Clearance = OPERATOR,
    ) -> Iterator[dict[str, Any]]: ...

    def read_rows_at(
        self, positions: Sequence[int], clearance: Clearance = OPERATOR
    ) -> Iterator[dict[str, Any]]: ...

    def read_records(
        self,
        *,
        after: int = 0,
        until: int | None = None,
        types: Sequence[str] | None = None,
        clearance: Clearance = OPERATOR,
    ) -> Iterator[tuple[int, str, dict[str, Any]]]: ...

    def find_row(
        self, event_id: UUID, clearance: Clearance = OPERATOR
    ) -> dict[str, Any] | None: ...
    def payload_of(self, event_id: UUID) -> bytes | None: ...


class Proving(Protocol):
    """The verifiable log: the signed checkpoints and the Merkle tree, built once per
    store."""

    @property
    def checkpoints(self) -> "Checkpoints": ...

    @property
    def tree(self) -> "MerkleTree": ...


class LedgerStore(Connections, Appending, Positions, Reading, Proving, Protocol):
    """The whole append-only ledger, as the composition root builds it; a caller that
    needs less takes the narrower port (``Appending``, ``Reading``, ``Positions``,
    ``Proving``, ``Connections``), as eventsourcing's recorders are split."""


@dataclass(frozen=True)
class Receipt:
    """What a transport says about one event it accepted."""

    event_id: UUID
    position: int | None = None
    appended: bool | None = None
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None


Publishable = Event | Mapping[str, Any]
"""An event, or its JSON form ``{"type": ..., "envelope": ..., ...}`` to validate first."""


class EventSink(Protocol):
    """A transport that accepts batches of events (validated whole before anything moves)."""

    name: str

    @property
    def ledger(self) -> "LedgerStore | None":
        """The ledger it appends into, or checks against before sending (None when only
        the broker is at hand)."""
        ...

    checks_references: bool
    """Whether a reference to nothing can be refused before appending (the intake
    refuses it then, unless the operator allows it)."""

    def publish(self, events: Sequence[Publishable]) -> list[Receipt]: ...

    def publish_stream(self, events: Iterable[Event]) -> list[Receipt]:
        """Events already validated (by type), consumed one by one: flat memory."""
        ...

    def publish_encoded(self, items: Sequence[EncodedEvent]) -> list[Receipt]:
        """Events as exact bytes (signed ones among them), appended as given."""
        ...

    def admit(self, items: Sequence[EncodedEvent]) -> None:
        """Refuse, before anything moves, what the key register refuses (where the
        transport cannot refuse it as it appends)."""
        ...
