"""``GET /stream``: the ledger's events as Server-Sent Events, live (``ledger.api.stream``)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request
from sse_starlette import EventSourceResponse

from ledger.api.auth import Reader, clearance_of
from ledger.api.models import FieldProblem
from ledger.api.problems import ProblemError, responses
from ledger.api.stix_stream import StixFeed
from ledger.api.stream import streams_of
from ledger.stix.context import Context
from ledger.store.api_keys import LIVE_KEY
from ledger.taxii.growth import current
from ledger.web.keys import ApiKey
from ledger.web.services import lookup, services

router = APIRouter(tags=["events"])

_DESCRIPTION = """\
`text/event-stream` messages, oldest first, then each new event as it is recorded:

- `event: event`, `id: <position>`: one event in the form of `GET /events` plus
  `payload` (its stored bytes, base64), so a subscriber recomputes each hash and checks
  that each `prev_hash` is the hash before it. Positions are the ledger's: a key that
  does not see every event sees gaps where the hidden ones are.
- `event: checkpoint`: the latest signed checkpoint (at the start, then periodically).
- `event: overflow`: the subscriber took nothing for too long while its queue was full;
  the stream ends, and `resume_from` says where to pick up.
- comments (`: ping`) as heartbeats.

With `format=stix`, each message is one STIX 2.1 object version instead (`event: object`),
the same bytes as the TAXII collection `everything` holds for the key, its `id` the
position of the event that made it; the static objects and marking definitions come
(without an id) once per connection, before the first version that needs them.

Reconnecting with `Last-Event-ID` (browsers' EventSource does) resumes right after it.
A key revoked meanwhile ends its stream within seconds (and its reconnect is a 401).
"""


def _position(given: str, where: str) -> int:
    if given.isascii() and given.isdigit():
        return int(given)
    message = f"{given[:40]!r} is not a ledger position (a whole number, 0 or more)"
    raise ProblemError(422, f"{where}: {message}", [FieldProblem(field=where, message=message)])


@router.get(
    "/stream",
    response_class=EventSourceResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": _DESCRIPTION},
        **responses(401, 403, 422, 503),
    },
    summary="The ledger's events as they are recorded (Server-Sent Events)",
)
async def stream(
    request: Request,
    key: Annotated[ApiKey | None, Reader],
    from_: Annotated[int, Query(alias="from", ge=1, description="The first position wanted.")] = 1,
    until: Annotated[
        int | None,
        Query(ge=0, description="The last position wanted: the stream ends there."),
    ] = None,
    format: Annotated[
        Literal["events", "stix"],
        Query(description="`events` (as `GET /events`) or `stix` (object versions, as TAXII)."),
    ] = "events",
    last_event_id: Annotated[
        str | None,
        Header(description="The id of the last message received: resume right after it."),
    ] = None,
) -> EventSourceResponse:
    """Every event the key's clearance sees from `from` on (or after `Last-Event-ID`,
    which wins), then each new one as it is committed; up to `until` if given."""
    found = services(request)
    after = from_ - 1
    if last_event_id is not None and last_event_id.strip():
        after = _position(last_event_id.strip(), "header.Last-Event-ID")
    options = streams_of(request).options

    async def key_live() -> bool:
        async with lookup(request) as conn:
            cursor = await conn.execute(LIVE_KEY, (key.key_id if key else None,))
            return await cursor.fetchone() is not None

    clearance = clearance_of(request)
    feed = None
    if format == "stix":
        log = Context(request.app.state.log_name)
        feed = StixFeed(lambda at: current(found.collections, found.ledger, clearance, at, log))
    subscription = streams_of(request).subscribe(
        found.ledger, clearance, after, until, key_live if key else None, feed
    )
    return EventSourceResponse(
        subscription.messages(),
        ping=options.heartbeat,
        send_timeout=max(30.0, options.patience * 3),  # a client that reads nothing at all
        headers={"Cache-Control": "no-store"},
    )
