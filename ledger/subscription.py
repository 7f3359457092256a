"""Follow a ledger server's live stream (``GET /stream``), checking it as it comes::

    import ledger

    with ledger.subscribe("http://127.0.0.1:8000", key=KEY) as events:
        for recorded in events:          # ledger.RecordedEvent, hash chain checked
            print(recorded.position, recorded.event)

Each event's hash is recomputed from its bytes and linked to the one before
(``ledger.log.stream_check``); a broken link raises ``BrokenChain``. A cut connection,
or a server that drops a slow subscriber, is reconnected with ``Last-Event-ID``, so no
event is missed or repeated.
"""

import base64
import json
import time
from collections.abc import Iterator
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.codec.single_object import AvroCodec
from ledger.errors import BrokenChain, LedgerError, StreamCut
from ledger.log.checkpoint import Checkpoint
from ledger.log.note import Verifier
from ledger.log.stream_check import StreamCheck
from ledger.records import KafkaOrigin, RecordedEvent

if TYPE_CHECKING:  # imported when used: `import ledger` stays quick for the CLI
    import httpx
    from httpx_sse import ServerSentEvent

RETRIES = 5
"""Reconnects in a row (without an event between them) before giving up."""


class Subscription:
    """An iterator of the events of a ledger server's stream, checked as they come."""

    def __init__(
        self,
        url: str,
        *,
        from_position: int = 1,
        key: str | None = None,
        anchor: bytes | None = None,
        public_key: Verifier | None = None,
        sees_all: bool = False,
        retries: int = RETRIES,
        timeout: float = 60.0,
        transport: "httpx.BaseTransport | None" = None,
    ) -> None:
        import httpx

        if from_position < 1:
            raise LedgerError(f"from_position {from_position}: positions start at 1")
        self.url = url.rstrip("/") + "/stream"
        self.check = StreamCheck(
            after=from_position - 1, anchor=anchor, verifier=public_key, sees_all=sees_all
        )
        self.checkpoint: Checkpoint | None = None
        """The latest signed checkpoint the server sent (checked as ``check`` says)."""
        self.reconnects = 0
        self._retries = retries
        self._codec = AvroCodec()
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._client = httpx.Client(
            headers={**headers, "Accept": "text/event-stream"},
            timeout=httpx.Timeout(10.0, read=timeout),
            transport=transport,
        )

    @property
    def position(self) -> int:
        """The last position delivered (or the one before ``from_position``)."""
        return self.check.position

    def __enter__(self) -> "Subscription":
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def __iter__(self) -> Iterator[RecordedEvent]:
        import httpx

        failures = 0
        while True:
            try:
                for recorded in self._connection():
                    failures = 0
                    yield recorded
                reason = "the server ended the stream"
            except (httpx.TransportError, httpx.StreamError) as exc:
                reason = f"{type(exc).__name__}: {exc}"
            failures += 1
            if failures > self._retries:
                raise StreamCut(
                    f"{self.url}: the stream was cut after position {self.position} and "
                    f"{self._retries} reconnects failed ({reason})"
                )
            self.reconnects += 1
            time.sleep(min(0.25 * 2 ** (failures - 1), 5.0))

    def _connection(self) -> Iterator[RecordedEvent]:
        """The events of one connection, from right after the last one delivered."""
        from httpx_sse import EventSource

        headers = {"Last-Event-ID": str(self.position)}
        with self._client.stream("GET", self.url, headers=headers) as response:
            if response.status_code != 200:
                response.read()
                raise StreamCut(f"{self.url}: the server refused the stream: {_said(response)}")
            for message in EventSource(response).iter_sse():
                if message.event == "event":
                    yield self._event(message)
                elif message.event == "checkpoint":
                    self.checkpoint = self.check.checkpoint(_json(message)["note"])
                elif message.event == "overflow":
                    return  # dropped as too slow: reconnect from the last position

    def _event(self, message: "ServerSentEvent") -> RecordedEvent:
        data = _json(message)
        try:
            position = int(data["position"])
            payload = base64.b64decode(data["payload"], validate=True)
            signature = base64.b64decode(data["signature"]) if data.get("signature") else None
            recorded_at = datetime.fromisoformat(data["recorded_at"])
            prev_hash, hash = bytes.fromhex(data["prev_hash"]), bytes.fromhex(data["hash"])
        except (KeyError, TypeError, ValueError) as exc:
            raise BrokenChain(f"message {message.id}: not an event of the stream ({exc})") from None
        if message.id != str(position):
            raise BrokenChain(f"message {message.id}: its id is not its position {position}")
        self.check.event(position, recorded_at, payload, prev_hash, hash, signature)
        kafka = data.get("kafka")
        return RecordedEvent(
            position=position,
            event_id=UUID(data["event_id"]),
            event_type=str(data["event_type"]),
            stream_id=str(data["stream_id"]),
            recorded_at=recorded_at,
            valid_from=_moment(data.get("valid_from")),
            valid_to=_moment(data.get("valid_to")),
            payload=payload,
            prev_hash=prev_hash,
            hash=hash,
            origin=KafkaOrigin(kafka["topic"], kafka["partition"], kafka["offset"])
            if kafka
            else None,
            event=self._codec.decode(payload),  # from the bytes the hash covers
            signature=signature,
        )


def subscribe(
    url: str,
    from_position: int = 1,
    key: str | None = None,
    *,
    anchor: bytes | None = None,
    public_key: Verifier | None = None,
    sees_all: bool = False,
    retries: int = RETRIES,
    timeout: float = 60.0,
) -> Subscription:
    """The events of the ledger served at ``url`` from ``from_position`` on, then each
    new one as it is recorded, for as long as it is iterated.

    ``key`` is an API key (its clearance decides which events it sees: positions stay
    the ledger's, with gaps where hidden events are, whose links cannot be checked).
    ``anchor`` is the hash of the event at ``from_position - 1``, to check the first
    link too; ``public_key`` the log's key (``ledger checkpoint --public-key``), to check
    the signature of every checkpoint streamed. ``sees_all`` says the key sees every
    event (an admin's or an operator's view), so a gap is an error, not a hidden event.
    A reader from position 1 without gaps also checks each checkpoint's root against
    the events it was given (``ledger.log.stream_check``).
    """
    return Subscription(
        url,
        from_position=from_position,
        key=key,
        anchor=anchor,
        public_key=public_key,
        sees_all=sees_all,
        retries=retries,
        timeout=timeout,
    )


def _json(message: "ServerSentEvent") -> dict[str, Any]:
    try:
        data = json.loads(message.data)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise BrokenChain(f"a {message.event} message of the stream is not a JSON object")
    return data


def _moment(text: Any) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) else None


def _said(response: "httpx.Response") -> str:
    """The problem's detail of a refusal, or its status."""
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    return f"{response.status_code} {detail or response.reason_phrase}"
