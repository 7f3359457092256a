"""The raw event stream, one event by id, and appends (one event or a batch)."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import TypeAdapter
from starlette.concurrency import run_in_threadpool

from ledger.api.auth import Reader, Writer, clearance_of
from ledger.api.event_schema import request_body
from ledger.api.models import AppendResult, EventItem, EventsPage, FieldProblem, KafkaOrigin
from ledger.api.problems import ProblemError, responses
from ledger.api.submitting import body_problem, limits_of, receipts_answer, submit_request
from ledger.codec.json_form import json_form
from ledger.codec.single_object import AvroCodec
from ledger.domain.type_names import canonical_type, type_hint
from ledger.errors import ValidationFailed
from ledger.intake import Encoded
from ledger.intake.decoding import NotJson, decode_json
from ledger.intake.limits import shown
from ledger.intake.signed import encoded_batch
from ledger.log.producer_signing import encode_signature
from ledger.store.seen import HEAD
from ledger.web.services import lookup, services

router = APIRouter(tags=["events"])


def item(row: dict[str, Any], codec: AvroCodec) -> EventItem:
    """An event as stored, its body decoded straight to JSON (validated when appended)."""
    _, record = codec.decode_record(bytes(row["payload"]))
    topic = row["kafka_topic"]
    return EventItem(
        position=row["position"],
        event_id=row["event_id"],
        event_type=row["event_type"],
        stream_id=row["stream_id"],
        recorded_at=row["recorded_at"],
        valid_from=row["valid_from"],
        valid_to=row["valid_to"],
        hash=bytes(row["hash"]).hex(),
        prev_hash=bytes(row["prev_hash"]).hex(),
        kafka=KafkaOrigin(topic=topic, partition=row["kafka_partition"], offset=row["kafka_offset"])
        if topic is not None
        else None,
        signature=encode_signature(bytes(row["signature"])) if row["signature"] else None,
        body={"type": row["event_type"], **json_form(record)},
    )


@router.get(
    "/events",
    response_model=EventsPage,
    responses=responses(401, 403, 422, 503),
    dependencies=[Reader],
    summary="The ledger's events in order, decoded",
)
async def events(
    request: Request,
    after: Annotated[int, Query(ge=0, description="Only events after this position.")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="Most events in one page.")] = 100,
    type: Annotated[
        list[str] | None,
        Query(description="Only these event types (repeat for more)."),
    ] = None,
) -> Response:
    """Events after a position, oldest first, each with its hash and decoded body. Walk
    the whole ledger by passing `next_after` back as `after`."""
    if type:
        unknown = sorted(t for t in type if canonical_type(t) is None)
        if unknown:
            message = f"{unknown[0]!r} is not an event type{type_hint(unknown[0])}"
            raise ProblemError(
                422, f"query.type: {message}", [FieldProblem(field="query.type", message=message)]
            )
        type = [canonical_type(t) or t for t in type]
    found = services(request)
    clearance = clearance_of(request)
    async with lookup(request) as conn:
        row = await (await conn.execute(HEAD)).fetchone()
    head = int(row[0]) if row and row[0] is not None else 0
    # a full page that ends before the head can never change: keep it
    key = ("/events", after, limit, tuple(sorted(type or ())), clearance)
    page = found.answers.get(key)
    if page is None:

        def read() -> list[EventItem]:
            # one more than the page: whether another page follows is whether another
            # event this key may see does (events it may not see end no page)
            stored = found.ledger.read_rows(
                after=after, until=head, types=type, limit=limit + 1, clearance=clearance
            )
            return [item(row, found.ledger.codec) for row in stored]

        items = await run_in_threadpool(read)
        more = len(items) > limit
        items = items[:limit]
        page = (
            b'"items":'
            + _ITEMS.dump_json(items)
            + b',"next_after":'
            + (str(items[-1].position).encode() if more else b"null")
            + b"}"
        )
        if more:
            found.answers.put(key, page)
    return Response(b'{"head":' + str(head).encode() + b"," + page, media_type="application/json")


_ITEMS = TypeAdapter(list[EventItem])


@router.get(
    "/events/{event_id}",
    response_model=EventItem,
    responses=responses(401, 403, 404, 422, 503),
    dependencies=[Reader],
    summary="One event by its id",
)
def event(request: Request, event_id: Annotated[UUID, Path()]) -> EventItem:
    ledger = services(request).ledger
    found = ledger.find_row(event_id, clearance_of(request))
    if found is None:  # an event the key may not see answers as one that does not exist
        raise ProblemError(404, f"the ledger holds no event with id {event_id}")
    return item(found, ledger.codec)


async def _json_body(request: Request) -> Any:
    body = await request.body()
    try:
        return decode_json(body, limits_of(request))
    except NotJson as exc:
        message = str(exc)
    raise ProblemError(422, f"body: {message}", [FieldProblem(field="body", message=message)])


async def _publish(
    request: Request, items: list[Any], source: str, response: Response, allow_unresolved: bool
) -> AppendResult:
    found = services(request)
    batch = source == "batch"
    try:
        pairs = await run_in_threadpool(
            encoded_batch, items, found.ledger.codec, source, limits_of(request)
        )
    except ValidationFailed as exc:
        raise body_problem(exc, batch) from None
    receipts = await submit_request(
        request, Encoded(pairs), f"{source} record {{n}}", allow_unresolved, batch_body=batch
    )
    return receipts_answer(receipts, found.sink.name, response)


AllowUnresolved = Annotated[
    bool,
    Query(
        description="Append events naming an actor, place, source, document or claim that "
        "is neither in the ledger nor registered earlier in the request (direct transport; "
        "refused with 422 otherwise)."
    ),
]

_APPEND_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Every event was already in the ledger, unchanged: nothing new."},
    201: {"description": "Appended to the ledger (direct transport)."},
    202: {"description": "Accepted by Kafka; the archiver will store them (Kafka transport)."},
    **responses(401, 403, 409, 413, 422, 503),
}


@router.post(
    "/events",
    response_model=AppendResult,
    responses=_APPEND_RESPONSES,
    dependencies=[Writer],
    openapi_extra=request_body("PostedEvent"),
    summary="Append one event",
)
async def append(
    request: Request, response: Response, allow_unresolved: AllowUnresolved = False
) -> AppendResult:
    """Validate one event with the ledger's models and append it. Posting the same event
    again (same id, same content) is harmless: the receipt shows `appended: false`.

    A signed event is posted as `{"payload": <base64 bytes>, "signature": <base64>}`
    (`SignedEvent`); its bytes are kept exactly, and refused with 422 (field
    `signature`) when the producer key register does not accept the signature, or when
    its producer requires signatures and there is none. Only an admin key may append
    the register's own events (403)."""
    body = await _json_body(request)
    return await _publish(request, [body], "event", response, allow_unresolved)


@router.post(
    "/events/batch",
    response_model=AppendResult,
    responses=_APPEND_RESPONSES,
    dependencies=[Writer],
    openapi_extra=request_body("EventBatch"),
    summary="Append a batch of events, all or nothing",
)
async def append_batch(
    request: Request, response: Response, allow_unresolved: AllowUnresolved = False
) -> AppendResult:
    """Validate every event first; if any is invalid nothing is appended and the problem
    names each bad one (`batch record N` counts from 1). Receipts follow the batch order."""
    body = await _json_body(request)
    events = body.get("events") if isinstance(body, dict) else None
    if not isinstance(events, list) or not events:
        message = 'expected {"events": [<event>, ...]} with at least one event'
        raise ProblemError(422, f"body: {message}", [FieldProblem(field="body", message=message)])
    most = limits_of(request).max_batch_events
    if len(events) > most:
        message = (
            f"{len(events):,} events; a batch holds at most {most:,} "
            "(LEDGER_MAX_BATCH_EVENTS), split it"
        )
        raise ProblemError(
            422, f"body.events: {message}", [FieldProblem(field="body.events", message=message)]
        )
    extra = sorted(set(body) - {"events"})
    if extra:
        message = f"{shown(extra[0])} is not a field of a batch; only events"
        raise ProblemError(422, f"body: {message}", [FieldProblem(field="body", message=message)])
    return await _publish(request, events, "batch", response, allow_unresolved)
