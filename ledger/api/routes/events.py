"""The raw event stream, one event by id, and appends (one event or a batch)."""

from contextlib import nullcontext
from dataclasses import replace
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import TypeAdapter
from starlette.concurrency import run_in_threadpool

from ledger.api.auth import Reader, Writer, clearance_of, role_of
from ledger.api.event_json import item
from ledger.api.event_schema import request_body
from ledger.api.keys import Role, with_article
from ledger.api.models import AppendResult, EventItem, EventsPage, FieldProblem
from ledger.api.models import Receipt as ReceiptModel
from ledger.api.problems import ProblemError, field_name, responses
from ledger.api.services import lookup, services
from ledger.domain.marking import Clearance
from ledger.domain.type_names import canonical_type, type_hint
from ledger.errors import ValidationFailed
from ledger.json_input import NotJson, decode_json
from ledger.limits import InputLimits, shown
from ledger.log.producer_keys import KEY_EVENT_TYPES
from ledger.log.witness_keys import WITNESS_KEY_EVENT_TYPES
from ledger.records import EncodedEvent
from ledger.referential import refuse_dangling
from ledger.signed_input import encoded_batch
from ledger.sinks import DirectSink, Receipt
from ledger.store.producer_keys import SignatureRefused
from ledger.store.witness_keys import refuse_changes

router = APIRouter(tags=["events"])


def limits(request: Request) -> InputLimits:
    """The input limits the app was created with."""
    found = getattr(request.app.state, "limits", None)
    return found if isinstance(found, InputLimits) else InputLimits()


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
        row = await (await conn.execute("SELECT max(position) FROM ledger.events")).fetchone()
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
        return decode_json(body, limits(request))
    except NotJson as exc:
        message = str(exc)
    raise ProblemError(422, f"body: {message}", [FieldProblem(field="body", message=message)])


def _body_problem(exc: ValidationFailed, batch: bool) -> ProblemError:
    """The problems of a body's events, each with its field: ``body.events[2].kind``."""
    located = exc.locations or [(None, ())] * len(exc.problems)
    errors = [
        FieldProblem(
            field=field_name(
                ("body", "events", index, *loc) if batch and index is not None else ("body", *loc)
            ),
            message=sentence,
        )
        for sentence, (index, loc) in zip(exc.problems, located, strict=False)
    ]
    return ProblemError(422, str(exc), errors)


def _receipts(receipts: list[Receipt], transport: str, response: Response) -> AppendResult:
    if transport == "kafka":
        response.status_code = 202
    elif any(r.appended for r in receipts):
        response.status_code = 201
    return AppendResult(
        transport="kafka" if transport == "kafka" else "direct",
        receipts=[
            ReceiptModel(
                event_id=r.event_id,
                position=r.position,
                appended=r.appended,
                topic=r.topic,
                partition=r.partition,
                offset=r.offset,
            )
            for r in receipts
        ],
    )


async def _publish(
    request: Request, items: list[Any], source: str, response: Response, allow_unresolved: bool
) -> AppendResult:
    found = services(request)
    batch = source == "batch"
    clearance = clearance_of(request)
    try:
        pairs = await run_in_threadpool(
            encoded_batch, items, found.ledger.codec, source, limits(request)
        )
        events = [event for event, _ in pairs]
        encoded = [seen_by(item, clearance) for _, item in pairs]
        refuse_above(events, clearance, batch)
        refuse_key_events(events, role_of(request), batch)
        await run_in_threadpool(refuse_changes, found.ledger, events)
        # a key that does not see every event is checked against what it sees, whatever
        # the transport: to it, a hidden claim, actor or place does not exist
        if not clearance.is_operator or (
            isinstance(found.sink, DirectSink) and not allow_unresolved
        ):
            await run_in_threadpool(
                refuse_dangling,
                found.ledger,
                enumerate(events),
                lambda index: f"{source} record {index + 1}",
                _override(clearance, allow_unresolved),
                clearance,
            )
        await run_in_threadpool(found.sink.admit, encoded)
    except SignatureRefused as exc:
        named = exc.located(lambda index: f"{source} record {index + 1}")
        raise _body_problem(named, batch) from None
    except ValidationFailed as exc:
        raise _body_problem(exc, batch) from None

    def publish() -> list[Receipt]:
        # one Kafka transaction at a time per producer; PostgreSQL appends run in parallel
        with found.publishing if found.sink.name == "kafka" else nullcontext():
            return found.sink.publish_encoded(encoded)

    try:
        receipts = await run_in_threadpool(publish)
    except SignatureRefused as exc:  # appending checks the key register itself
        named = exc.located(lambda index: f"{source} record {index + 1}")
        raise _body_problem(named, batch) from None
    return _receipts(receipts, found.sink.name, response)


def seen_by(item: EncodedEvent, clearance: Clearance) -> EncodedEvent:
    """The event as sent by a key of ``clearance``: its id is looked up among the events
    that clearance sees, so a producer learns nothing of the others, not even their ids."""
    return item if clearance.is_operator else replace(item, seen_by=clearance)


def _override(clearance: Clearance, asked: bool) -> str:
    """How a producer may still append references the ledger cannot resolve for it."""
    if clearance.is_operator:
        return "to append them anyway as unresolved, add allow_unresolved=true to the query"
    # to a key that does not see every event, a hidden name and one never registered look
    # alike: letting either through would let it act on what it may not see, or tell it
    # which is which
    return (
        "register it earlier in this request"
        + (" (allow_unresolved=true does not apply to" if asked else " (nor may")
        + " a key that does not see the whole ledger: to it, a name it may not see and a name"
        " never registered look alike)"
    )


def refuse_key_events(events: list[Any], role: Role, batch: bool) -> None:
    """403 when a key other than an admin's would change the producer or the witness key
    register: whoever registers keys decides whose signatures the ledger trusts."""
    if role is Role.ADMIN:
        return
    for index, event in enumerate(events):
        register = _REGISTERS.get(event.event_type())
        if register is not None:
            where = f"body.events[{index}]" if batch else "body"
            message = (
                f"{with_article(role.value)} key cannot append {event.event_type()}: only an "
                f"admin key changes the {register} key register"
            )
            raise ProblemError(
                403, f"{where}: {message}", [FieldProblem(field=where, message=message)]
            )


_REGISTERS = {
    **dict.fromkeys(KEY_EVENT_TYPES, "producer"),
    **dict.fromkeys(WITNESS_KEY_EVENT_TYPES, "witness"),
}


def refuse_above(events: list[Any], clearance: Clearance, batch: bool) -> None:
    """403 when the key would write an event marked above its clearance (nothing of the
    batch is appended): a producer may write only what it may read."""
    for index, event in enumerate(events):
        marking = event.envelope.marking
        if not clearance.sees(marking):
            where = f"body.events[{index}].envelope" if batch else "body.envelope"
            message = (
                f"the event is marked {marking.text()}, above this key's clearance "
                f"{clearance.text()}: a producer may write only events at or below it"
            )
            raise ProblemError(
                403, f"{where}: {message}", [FieldProblem(field=where, message=message)]
            )


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
    most = limits(request).max_batch_events
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
