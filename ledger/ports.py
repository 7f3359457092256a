"""The ports the application depends on: the ledger store and the append transport.

This module imports no adapter. ``ledger.store.postgres.PostgresLedger`` implements
``LedgerStore``; ``ledger.intake.sinks`` holds the transports that implement ``EventSink``.
Both transports pass one contract suite (``tests/contract.py``).
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
    from ledger.store.connection import Conn


class LedgerStore(Protocol):
    """The append-only ledger: appends, reads by position, and the SQL of ``ledger.*``."""

    codec: "AvroCodec"
    parallel_folds: bool
    """True when other processes opening ``conninfo`` read the same events this store
    does, so a fold may split its work across them (a filtering wrapper says False)."""

    @property
    def conninfo(self) -> str: ...

    def connection(self) -> AbstractContextManager["Conn"]:
        """A pooled connection, for the projections' own tables."""
        ...

    def init(self) -> list[str]: ...
    def ensure_ready(self) -> None: ...
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

    def head(self) -> Head: ...
    def position_at(self, moment: datetime) -> int: ...
    def event_counts(self, clearance: Clearance = OPERATOR) -> list[tuple[str, int]]: ...
    def cleared(self, clearance: Clearance = OPERATOR) -> AbstractContextManager["Conn"]:
        """A connection in a transaction reading as ``clearance`` would (row-level
        security on): what the projections of that clearance are read through."""
        ...

    def marking_of(self, positions: Sequence[int]) -> Marking: ...

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
    def count_rejected(self) -> int: ...


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
