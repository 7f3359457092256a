"""The live event stream behind ``GET /stream``: follow the ledger from a position, for one
subscriber's clearance, through a bounded queue.

Each subscriber has a reader (events after its position that its clearance sees, read in
batches, then new ones as the head moves) and a queue of at most ``queue`` messages
between that reader and the connection. A subscriber that leaves its queue full for
``patience`` seconds is sent the position to resume from and dropped: nothing is ever
buffered without bound. One ``HeadWatch`` per process looks at the ledger's head every
``poll`` seconds for every subscriber, so a commit reaches them within about that.
"""

import asyncio
import base64
import contextlib
import math
import threading
from collections import OrderedDict
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from pydantic import Field
from starlette.concurrency import run_in_threadpool

from ledger.api.event_json import item
from ledger.api.models import Model
from ledger.codec.single_object import AvroCodec
from ledger.config import Settings
from ledger.domain.marking import Clearance
from ledger.ports import LedgerStore
from ledger.store.checkpoints import Checkpoints

BATCH = 500
"""Events read from the database at a time."""

KEY_RECHECK = 5.0
"""Seconds between looks at whether a subscriber's key was revoked (the stream then ends)."""

CHUNK = 64 * 1024
"""Most bytes of queued messages sent in one write (a subscriber catching up gets many)."""

CACHED = 5_000
"""Encoded events kept per process (about 1.5 KB each): subscribers near the same
position decode each event once."""


class StreamCheckpoint(Model):
    """The latest checkpoint the log signed, as ``GET /checkpoint`` serves it."""

    size: int = Field(description="How many events the signed tree holds.")
    root: str = Field(description="Base64 root of the tree of the first `size` events.")
    signed_at: datetime
    note: str = Field(description="The signed note (C2SP tlog-checkpoint) with cosignatures.")


class StreamOverflow(Model):
    """Why the stream ends: the subscriber fell too far behind."""

    resume_from: int = Field(description="Pass as `from` (or the last id as Last-Event-ID).")
    detail: str


@dataclass(frozen=True)
class StreamOptions:
    """How a server streams (``LEDGER_STREAM_*``)."""

    queue: int = 1000
    patience: float = 10.0
    heartbeat: float = 15.0
    checkpoint_every: float = 60.0
    poll: float = 0.1

    @classmethod
    def of(cls, settings: Settings) -> "StreamOptions":
        return cls(
            queue=settings.stream_queue,
            patience=settings.stream_patience,
            heartbeat=settings.stream_heartbeat,
            checkpoint_every=settings.stream_checkpoint_every,
            poll=settings.stream_poll,
        )


@dataclass(frozen=True)
class Message:
    """One SSE message, encoded; an event's carries its position (its id)."""

    data: bytes
    position: int | None = None


def sse(event: str, data: bytes, position: int | None = None) -> bytes:
    """The SSE form of one message; ``data`` is JSON, so it holds no line break."""
    head = b"id: %d\n" % position if position is not None else b""
    return head + b"event: " + event.encode("ascii") + b"\ndata: " + data + b"\n\n"


def event_message(row: dict[str, Any], codec: AvroCodec) -> Message:
    """An event in ``GET /events``' form plus ``payload`` (base64 of its stored bytes, so
    a subscriber recomputes the hash); its SSE id is its position."""
    shown = item(row, codec).model_dump_json().encode()
    payload = base64.b64encode(bytes(row["payload"]))
    data = shown[:-1] + b',"payload":"' + payload + b'"}'
    position = int(row["position"])
    return Message(sse("event", data, position), position)


def checkpoint_message(checkpoints: Checkpoints) -> Message | None:
    """The latest signed checkpoint (no id: it is no position)."""
    stored = checkpoints.latest()
    if stored is None:
        return None
    message = StreamCheckpoint(
        size=stored.size,
        root=base64.b64encode(stored.root).decode("ascii"),
        signed_at=stored.signed_at,
        note=checkpoints.served_note(stored),
    )
    return Message(sse("checkpoint", message.model_dump_json().encode()))


def overflow_message(resume_from: int, patience: float) -> bytes:
    message = StreamOverflow(
        resume_from=resume_from,
        detail=f"this subscriber took no message for {patience:g} s while its queue was full; "
        f"reconnect with from={resume_from} (or Last-Event-ID) to go on",
    )
    return sse("overflow", message.model_dump_json().encode())


class Feed(Protocol):
    """What a subscription sends in place of the events themselves
    (``ledger.api.stix_stream``: their STIX object versions)."""

    def batch(self, after: int, until: int) -> tuple[list[Message], int]:
        """The messages of what events in (``after``, ``until``] make, a batch at a
        time, and the position they were read up to."""
        ...


class EncodedEvents:
    """The latest encoded events by position, shared by a process's subscribers (an
    event's message is the same for every clearance that sees it)."""

    def __init__(self, size: int = CACHED) -> None:
        self._size = size
        self._kept: OrderedDict[int, Message] = OrderedDict()
        self._lock = threading.Lock()

    def message(self, row: dict[str, Any], codec: AvroCodec) -> Message:
        position = int(row["position"])
        with self._lock:
            found = self._kept.get(position)
        if found is None:
            found = event_message(row, codec)
            with self._lock:
                self._kept[position] = found
                if len(self._kept) > self._size:
                    self._kept.popitem(last=False)
        return found


class HeadWatch:
    """The ledger's last position, looked at every ``poll`` seconds while anyone waits
    for it to move: one query per process however many subscribers."""

    def __init__(self, read_head: Callable[[], Awaitable[int]], poll: float) -> None:
        self._read_head = read_head
        self._poll = poll
        self._head = 0
        self._moved = asyncio.Event()
        self._waiting = 0
        self._task: asyncio.Task[None] | None = None

    async def now(self) -> int:
        """The head as the database has it now."""
        self._seen(await self._read_head())
        return self._head

    async def beyond(self, position: int, timeout: float) -> int:
        """The head once it is past ``position``, or after ``timeout`` seconds."""
        if self._head > position:
            return self._head
        self._waiting += 1
        try:
            if self._task is None or self._task.done():
                self._task = asyncio.create_task(self._watch())
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    while self._head <= position:
                        await self._moved.wait()
            return self._head
        finally:
            self._waiting -= 1

    def _seen(self, head: int) -> None:
        if head > self._head:
            self._head = head
            moved, self._moved = self._moved, asyncio.Event()
            moved.set()

    async def _watch(self) -> None:
        while self._waiting > 0:
            # an unreachable database is looked at again next time; the readers wait
            with contextlib.suppress(Exception):
                self._seen(await self._read_head())
            await asyncio.sleep(self._poll)


@dataclass
class Subscription:
    """One subscriber: events after ``after`` that ``clearance`` sees, then live ones."""

    ledger: LedgerStore
    watch: HeadWatch
    clearance: Clearance
    after: int
    options: StreamOptions
    until: int | None = None
    """The last position wanted: the stream ends once it is read (None: never)."""
    key_live: Callable[[], Awaitable[bool]] | None = None
    """Whether the subscriber's key still holds (not revoked), asked every KEY_RECHECK s."""
    encoded: EncodedEvents = field(default_factory=EncodedEvents)
    feed: Feed | None = None
    """What is sent in place of the events (no checkpoints then); None: the events."""

    def __post_init__(self) -> None:
        self._queue: asyncio.Queue[Message] = asyncio.Queue(self.options.queue)
        self._dropped = False

    async def messages(self) -> AsyncGenerator[bytes]:
        """What the connection sends, in order (queued messages joined into chunks);
        ends after ``until`` or with the overflow message."""
        reader = asyncio.create_task(self._read())
        delivered = self.after
        try:
            while True:
                if self._dropped and self._queue.empty():
                    yield overflow_message(delivered + 1, self.options.patience)
                    return
                if reader.done() and self._queue.empty():
                    reader.result()  # the reader's error ends the stream
                    return
                first = await self._next(reader)
                if first is None:
                    continue
                chunk = [first]
                size = len(first.data)
                while size < CHUNK and not self._queue.empty():
                    chunk.append(self._queue.get_nowait())
                    size += len(chunk[-1].data)
                yield b"".join(m.data for m in chunk)
                delivered = next(
                    (m.position for m in reversed(chunk) if m.position is not None), delivered
                )
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader

    async def _next(self, reader: asyncio.Task[None]) -> Message | None:
        """The next queued message, or None when the reader stopped meanwhile."""
        if not self._queue.empty():
            return self._queue.get_nowait()
        getting = asyncio.ensure_future(self._queue.get())
        try:
            await asyncio.wait({getting, reader}, return_when=asyncio.FIRST_COMPLETED)
        except BaseException:  # the connection closed meanwhile
            getting.cancel()
            raise
        if getting.done():
            return getting.result()
        getting.cancel()
        return None

    async def _put(self, message: Message) -> bool:
        """Queue ``message``; False (the subscriber dropped) if it stays full too long."""
        if not self._queue.full():
            self._queue.put_nowait(message)
            return True
        try:
            async with asyncio.timeout(self.options.patience):
                await self._queue.put(message)
        except TimeoutError:
            self._dropped = True
            return False
        return True

    async def _read(self) -> None:
        position = self.after
        head = await self.watch.now()
        loop = asyncio.get_running_loop()
        checkpoints = Checkpoints(self.ledger)
        next_checkpoint = next_key_check = loop.time()
        if self.feed is not None:  # a feed sends its own messages only
            next_checkpoint = math.inf
        while self.until is None or position < self.until:
            if self.key_live is not None and loop.time() >= next_key_check:
                next_key_check = loop.time() + KEY_RECHECK
                if not await self.key_live():
                    return  # revoked: a reconnect is refused with 401
            if loop.time() >= next_checkpoint:
                next_checkpoint = loop.time() + self.options.checkpoint_every
                found = await run_in_threadpool(checkpoint_message, checkpoints)
                if found is not None and not await self._put(found):
                    return
            if self.until is not None:
                head = min(head, self.until)
            if position < head:
                batch = self.feed.batch if self.feed is not None else self._batch
                messages, position = await run_in_threadpool(batch, position, head)
                for message in messages:
                    if not await self._put(message):
                        return
                continue
            wake = min(next_checkpoint, next_key_check if self.key_live else next_checkpoint)
            head = await self.watch.beyond(position, max(0.0, wake - loop.time()))

    def _batch(self, after: int, until: int) -> tuple[list[Message], int]:
        """The messages of the next events (decoded off the event loop)."""
        rows = self.ledger.read_rows(
            after=after, until=until, limit=BATCH, clearance=self.clearance
        )
        messages = [self.encoded.message(row, self.ledger.codec) for row in rows]
        # a short batch read everything up to the head this clearance sees
        return messages, (messages[-1].position or 0) if len(messages) == BATCH else until


@dataclass
class Streams:
    """A server process's streaming: its options and the one head watch."""

    options: StreamOptions
    watch: HeadWatch
    encoded: EncodedEvents = field(default_factory=EncodedEvents)

    def subscribe(
        self,
        ledger: LedgerStore,
        clearance: Clearance,
        after: int,
        until: int | None = None,
        key_live: Callable[[], Awaitable[bool]] | None = None,
        feed: Feed | None = None,
    ) -> Subscription:
        return Subscription(
            ledger, self.watch, clearance, after, self.options, until, key_live, self.encoded, feed
        )


def streams_of(request: Any) -> "Streams":
    """The server's streams (built with the app's services, kept on ``app.state``)."""
    found = getattr(request.app.state, "streams", None)
    assert isinstance(found, Streams), "the app's lifespan builds the streams"
    return found
