"""STIX 2.1 over HTTP: the ledger as a bundle (what ``ledger export stix`` writes, for
the key's clearance, streamed as it is read), and bundles imported as ``ledger import
stix`` does, through the common intake."""

from contextlib import nullcontext
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from ledger.api.auth import Reader, Writer, caller_of, clearance_of, key_name_of
from ledger.api.models import StixImportResult, StixTypeReport
from ledger.api.problems import ProblemError, responses
from ledger.api.routes.params import AsOf
from ledger.api.submitting import limits_of, receipts_answer, refusal_problem
from ledger.errors import ValidationFailed
from ledger.intake import Forbidden
from ledger.stix.context import Context
from ledger.stix.export import ExportRequest, StixExport
from ledger.stix.importing import DEFAULT_PRODUCER, Outcome, import_bundle
from ledger.stix.proving import NoCheckpoint, checkpoint_for, prover
from ledger.store.postgres import PostgresLedger
from ledger.web.context import ReadContext
from ledger.web.services import services

router = APIRouter(tags=["exchange"])

MEDIA_TYPE = "application/stix+json;version=2.1"


@router.get(
    "/stix/bundle",
    response_class=StreamingResponse,
    responses={
        200: {"content": {MEDIA_TYPE: {}}, "description": "The STIX 2.1 bundle."},
        **responses(401, 403, 409, 422, 503, _409="No signed checkpoint covers it yet."),
    },
    dependencies=[Reader],
    summary="Everything the key may see, as a STIX 2.1 bundle",
)
async def bundle(
    request: Request,
    as_of: AsOf = None,
    all_versions: Annotated[
        bool, Query(description="Every version of each object, not only the newest.")
    ] = False,
    proofs: Annotated[
        bool,
        Query(
            description="Add notes with the inclusion proofs of the events every object "
            "rests on and the signed checkpoint (check them offline with "
            "`ledger audit check-proof --stix FILE --key PUBKEY`)."
        ),
    ] = False,
) -> StreamingResponse:
    """The objects a key's clearance sees, up to the ledger's head (or the last position
    recorded by `as_of`), exactly as `ledger export stix` writes them for that clearance:
    identities, locations, reports, notes and relationships, with the ledger's extension
    and markings. The same position and options give the same bytes."""
    found = services(request)
    context: ReadContext = request.state.read_context
    position = (context.known if as_of is not None else context.head) or 0
    ledger = found.ledger
    proving = None
    if proofs:
        assert isinstance(ledger, PostgresLedger)
        try:
            stored = await run_in_threadpool(checkpoint_for, ledger, position)
        except NoCheckpoint as exc:
            raise ProblemError(409, str(exc)) from None
        proving = prover(ledger, stored)
    export = StixExport(
        ledger,
        ExportRequest(position, clearance_of(request), all_versions),
        Context(request.app.state.log_name),
        prover=proving,
    )
    await run_in_threadpool(export.prepare)  # a database failure is still a 503 here
    return StreamingResponse(
        export.chunks(), media_type=MEDIA_TYPE, headers={"X-Ledger-Position": str(position)}
    )


@router.post(
    "/stix/bundles",
    response_model=StixImportResult,
    responses={
        200: {"description": "The ledger already held everything the bundle maps to."},
        201: {"description": "Appended (direct transport)."},
        202: {"description": "Accepted by Kafka; the archiver will store them."},
        **responses(401, 403, 409, 413, 422, 503),
    },
    dependencies=[Writer],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {MEDIA_TYPE: {"schema": {"type": "object"}}},
            "description": "A STIX 2.1 bundle.",
        }
    },
    summary="Import a STIX 2.1 bundle, all or nothing",
)
async def import_bundle_route(
    request: Request,
    response: Response,
    recorded_by: Annotated[
        str | None,
        Query(
            description="The producer the events are recorded by (default: the key's name).",
            min_length=1,
            max_length=200,
        ),
    ] = None,
    dry_run: Annotated[
        bool, Query(description="Map and check the bundle; append nothing.")
    ] = False,
) -> StixImportResult:
    """Map a STIX 2.1 bundle to ledger events and append those the ledger lacks, through
    the same checks as `POST /events/batch` (the key's clearance, references, the
    producer key register), exactly as `ledger import stix` does. A refusal names the
    STIX object and property, and nothing is appended; importing a bundle again
    appends nothing. The answer counts, per STIX type, the objects mapped, already
    held, and not mapped (with the reason)."""
    found = services(request)
    raw = await request.body()
    caller = caller_of(request)
    producer = recorded_by or key_name_of(request) or DEFAULT_PRODUCER

    def run() -> Outcome:
        with found.publishing if found.sink.name == "kafka" else nullcontext():
            return import_bundle(
                raw,
                recorded_by=producer,
                caller=caller,
                sink=found.sink,
                source="body",
                limits=limits_of(request),
                dry_run=dry_run,
            )

    try:
        outcome = await run_in_threadpool(run)
    except (Forbidden, ValidationFailed) as exc:
        raise refusal_problem(
            exc, lambda i: f"body, event {i + 1}", False, events_field=False
        ) from None
    answer = receipts_answer(outcome.receipts, found.sink.name, response)
    report = outcome.report
    return StixImportResult(
        events=report.events,
        appended=len(outcome.receipts) if answer.transport == "kafka" else outcome.appended,
        types={
            name: StixTypeReport(mapped=t.mapped, known=t.known, not_mapped=dict(t.not_mapped))
            for name, t in sorted(report.types.items())
        },
        notes=list(report.notes),
        transport=answer.transport,
        receipts=answer.receipts,
    )
