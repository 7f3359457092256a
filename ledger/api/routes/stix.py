"""The ledger as a STIX 2.1 bundle over HTTP: what ``ledger export stix`` writes, for
the key's clearance, streamed as it is read."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from ledger.api.auth import Reader, clearance_of
from ledger.api.problems import ProblemError, responses
from ledger.api.routes.params import AsOf
from ledger.stix.context import Context
from ledger.stix.export import ExportRequest, StixExport
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
