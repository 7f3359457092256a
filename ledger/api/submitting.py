"""The intake over HTTP: ``submit`` for the request's key, its receipts as the answer
(201 appended, 200 nothing new, 202 via Kafka), and its refusals as problems (403 for
what the key may not write, 422 for the rest, each problem with the field it is about:
``body.events[2].kind``)."""

from collections.abc import Callable
from contextlib import nullcontext

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from ledger.api.auth import caller_of
from ledger.api.models import AppendResult, FieldProblem
from ledger.api.models import Receipt as ReceiptModel
from ledger.api.problems import ProblemError, field_name
from ledger.errors import ValidationFailed
from ledger.intake import Batch, Forbidden, Options, submit
from ledger.intake.limits import InputLimits
from ledger.ports import Receipt
from ledger.store.producer_keys import SignatureRefused
from ledger.web.services import services


def limits_of(request: Request) -> InputLimits:
    """The input limits the app was created with."""
    found = getattr(request.app.state, "limits", None)
    return found if isinstance(found, InputLimits) else InputLimits()


def body_problem(exc: ValidationFailed, batch: bool) -> ProblemError:
    """The problems of a body's events, each with its field: ``body.events[2].kind``
    in a batch (``batch``), ``body.kind`` in a body of one event."""
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


def refusal_problem(
    exc: Forbidden | SignatureRefused | ValidationFailed,
    label: Callable[[int], str],
    batch: bool,
    *,
    events_field: bool = True,
) -> ProblemError:
    """One refusal of ``submit`` as the problem to answer; ``events_field`` says the
    body lists its events (``body.events[i]``) rather than being something else whose
    events the intake made (a STIX bundle: its refusals name the object)."""
    if isinstance(exc, Forbidden):
        if events_field:
            where = f"body.events[{exc.index}]" if batch else "body"
            where += f".{exc.field}" if exc.field else ""
            return ProblemError(
                403, f"{where}: {exc.reason}", [FieldProblem(field=where, message=exc.reason)]
            )
        return ProblemError(403, str(exc), [FieldProblem(field="body", message=str(exc))])
    if isinstance(exc, SignatureRefused):
        exc = exc.located(label)
    if not events_field:
        exc = ValidationFailed(exc.problems)
    return body_problem(exc, batch)


async def submit_request(
    request: Request, batch: Batch, label: str, allow_unresolved: bool, *, batch_body: bool
) -> list[Receipt]:
    """``submit`` for the request's key, its refusals as problems; each event is named
    by ``label`` (``{n}`` its number from 1)."""
    found = services(request)
    options = Options(
        label=lambda index: label.format(n=index + 1),
        allow_unresolved=allow_unresolved,
        unresolved_hint="to append them anyway as unresolved, add allow_unresolved=true to "
        "the query",
    )
    caller = caller_of(request)

    def run() -> list[Receipt]:
        # one Kafka transaction at a time per producer; PostgreSQL appends run in parallel
        with found.publishing if found.sink.name == "kafka" else nullcontext():
            return submit(batch, caller, options, found.sink)

    try:
        return await run_in_threadpool(run)
    except (Forbidden, ValidationFailed) as exc:  # SignatureRefused among the second
        raise refusal_problem(exc, options.label, batch_body) from None


def receipts_answer(receipts: list[Receipt], transport: str, response: Response) -> AppendResult:
    """The receipts as the answer's body, and its status code in ``response``."""
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
