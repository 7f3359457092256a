"""TAXII 2.1 under ``/taxii2/``: discovery, one API root, its collections, the read
collection's objects, versions and manifest, and the inbox that takes envelopes (with
their statuses), for the same keys and clearances as the rest of the API. Routes
translate HTTP to ``ledger.taxii`` and back; every error is in TAXII's form
(``application/taxii+json``), 422s of the API answering as 400s."""

import uuid
from contextlib import nullcontext
from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from ledger.api.auth import (
    Reader,
    caller_of,
    clearance_of,
    key_id_of,
    key_name_of,
    require,
    role_of,
)
from ledger.api.problems import use_form
from ledger.api.submitting import limits_of
from ledger.errors import ValidationFailed
from ledger.intake import Forbidden
from ledger.intake.limits import shown
from ledger.stix.context import Context
from ledger.stix.importing import DEFAULT_PRODUCER, Outcome, import_bundle
from ledger.store import taxii_statuses
from ledger.taxii import resources, status
from ledger.taxii.answers import Answer, Body, answer
from ledger.taxii.dates import micros
from ledger.taxii.dates import shown as shown_time
from ledger.taxii.envelope import BadEnvelope, as_bundle, read_envelope
from ledger.taxii.errors import TaxiiError, error_body
from ledger.taxii.filters import FilterProblem, Filters, read_filters
from ledger.taxii.growth import current
from ledger.taxii.media import TAXII, accepts_taxii, is_taxii
from ledger.taxii.paging import BadToken, Cursor, scope
from ledger.web import keys
from ledger.web.context import ReadContext
from ledger.web.services import lookup, services

router = APIRouter(prefix="/taxii2", tags=["taxii"])

PAGE = 100
"""Objects in a page when the client names no ``limit`` (or ``limit=0``)."""

Anyone = Depends(require(keys.READERS | keys.WRITERS, "use TAXII"))
"""Discovery, the API root and the collections are for every key: a producer finds its
way to a write collection through them."""


_ERROR_SCHEMA = {
    "type": "object",
    "required": ["title", "http_status"],
    "properties": {
        "title": {"type": "string"},
        "description": {"type": "string"},
        "http_status": {"type": "string"},
    },
}
_ERRORS = {
    400: "A parameter cannot be read, a `next` this server did not give for this key, "
    "or a body that is not a TAXII envelope of objects with ids.",
    401: "No API key, or one that is unknown, wrong or revoked.",
    403: "The key's role may not do this.",
    404: "No such API root, collection or object (one the key may not see is one that is not).",
    406: f"The client does not accept {TAXII}.",
    409: "The ledger holds an event of the envelope under the same id with other content.",
    413: "The body is larger than the server accepts (LEDGER_MAX_BODY_BYTES).",
    415: f"The body is not {TAXII}.",
    503: "The database cannot be reached.",
}
_DATE_ADDED = {
    "X-TAXII-Date-Added-First": {
        "description": "The date_added of the first object of the page (of an empty page: "
        "the point after which nothing matched).",
        "schema": {"type": "string"},
    },
    "X-TAXII-Date-Added-Last": {
        "description": "The date_added of the last object of the page (pass it as "
        "added_after to poll for what is new).",
        "schema": {"type": "string"},
    },
}


def taxii_responses(*codes: int, paged: bool = False) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries of a TAXII route: its 200 and its errors, all in TAXII's media type."""
    ok: dict[str, Any] = {"description": "The resource.", "content": {TAXII: {}}}
    if paged:
        ok["headers"] = _DATE_ADDED
    found: dict[int | str, dict[str, Any]] = {200: ok}
    for code in (400, 401, 403, 406, 503, *codes):
        found[code] = {
            "description": _ERRORS[code],
            "content": {TAXII: {"schema": _ERROR_SCHEMA}},
        }
    return found


def acceptable(request: Request) -> None:
    """406 unless the client accepts TAXII 2.1 (checked after the key)."""
    if not accepts_taxii(request.headers.get("accept")):
        raise TaxiiError(
            406,
            f"this server answers {TAXII} only; send Accept: {TAXII}",
        )


Acceptable = Depends(acceptable)
Adder = Depends(require(keys.WRITERS, "add objects"))
"""Adding objects is for the keys that may append (producers, admins)."""


def _form(status: int, detail: str, headers: dict[str, str] | None) -> Response:
    status = 400 if status == 422 else status
    return Response(error_body(status, detail), status, headers, media_type=TAXII)


def install(app: FastAPI) -> None:
    """The routes, and TAXII's error form for everything under ``/taxii2/``."""
    app.include_router(router)
    use_form(app, "/taxii2/", _form)

    async def on_taxii(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, TaxiiError)
        return _form(exc.status, exc.description, None)

    app.add_exception_handler(TaxiiError, on_taxii)


def _taxii(body: bytes) -> Response:
    return Response(body, media_type=TAXII)


def _root(root: str) -> None:
    if root != resources.ROOT:
        raise TaxiiError(404, f"there is no API root {shown(root)}; /taxii2/ lists it")


def _collection(request: Request, root: str, collection_id: str) -> resources.CollectionInfo:
    _root(root)
    for info in resources.collections(request.app.state.log_name):
        if collection_id in (info.id, info.alias):
            return info
    named = f"API root {shown(root)} has no collection {shown(collection_id)}"
    raise TaxiiError(404, f"{named}; its collections/ lists them")


def _readable(request: Request, root: str, collection_id: str) -> None:
    """404 for no such collection, 403 for one that serves no reads (the inbox)."""
    info = _collection(request, root, collection_id)
    if not info.readable:
        raise TaxiiError(
            403, f"collection {info.id} takes objects and serves none (can_read is false)"
        )


Root = Annotated[str, Path(description="The API root (there is one: `ledger`).")]
CollectionId = Annotated[str, Path(description="A collection's id (or its alias).")]
ObjectId = Annotated[str, Path(description="A STIX object's id.")]
AddedAfter = Annotated[str | None, Query(description="Only what was added after this timestamp.")]
Limit = Annotated[int | None, Query(ge=0, description=f"Most items in one page ({PAGE} if 0).")]
Next = Annotated[str | None, Query(description="The `next` of the previous page.")]
MatchId = Annotated[list[str] | None, Query(alias="match[id]", description="Object ids.")]
MatchType = Annotated[list[str] | None, Query(alias="match[type]", description="STIX types.")]
MatchVersion = Annotated[
    list[str] | None,
    Query(
        alias="match[version]",
        description="`first`, `last` (the default), `all`, or a version's timestamp.",
    ),
]
MatchSpec = Annotated[
    list[str] | None, Query(alias="match[spec_version]", description="STIX versions (2.1).")
]


def _filters(
    request: Request,
    added_after: str | None,
    ids: list[str] | None = None,
    types: list[str] | None = None,
    versions: list[str] | None = None,
    spec_versions: list[str] | None = None,
) -> Filters:
    try:
        return read_filters(
            added_after=added_after,
            ids=ids,
            types=types,
            versions=versions,
            spec_versions=spec_versions,
            most=limits_of(request).max_batch_events,
        )
    except FilterProblem as exc:
        raise TaxiiError(400, str(exc)) from None


async def _paged(
    request: Request,
    filters: Filters,
    limit: int | None,
    next: str | None,
    body: Body,
    object_id: str | None = None,
) -> Response:
    """A page of the read collection: pinned to the head (or to the walk of ``next``),
    for the key's clearance, with its date-added headers."""
    found = services(request)
    clearance = clearance_of(request)
    bound = scope(clearance.text(), request.url.path, request.query_params.multi_items())
    if next is not None:
        try:
            cursor = Cursor.opened(found.tokens, next, bound)
        except BadToken as exc:
            raise TaxiiError(400, str(exc)) from None
    else:
        context: ReadContext = request.state.read_context
        cursor = Cursor(context.head or 0)
    size = min(limit or PAGE, limits_of(request).max_batch_events)
    log = Context(request.app.state.log_name)

    def seal(at: Cursor) -> str:
        return at.seal(found.tokens, bound)

    def made() -> Answer:
        collection = current(found.collections, found.ledger, clearance, cursor.position, log)
        return answer(collection, filters, cursor, size, body, seal, object_id)

    done = await run_in_threadpool(made)
    return Response(done.body, media_type=TAXII, headers=done.headers)


@router.get(
    "/",
    dependencies=[Anyone, Acceptable],
    response_class=Response,
    responses=taxii_responses(),
    summary="TAXII discovery",
)
async def discovery() -> Response:
    """The server's TAXII 2.1 description and its one API root."""
    return _taxii(resources.discovery())


@router.get(
    "/{root}/",
    dependencies=[Anyone, Acceptable],
    response_class=Response,
    responses=taxii_responses(404),
    summary="The TAXII API root",
)
async def api_root(request: Request, root: Root) -> Response:
    _root(root)
    return _taxii(resources.api_root(limits_of(request).max_body_bytes))


@router.get(
    "/{root}/collections/",
    dependencies=[Anyone, Acceptable],
    response_class=Response,
    responses=taxii_responses(404),
    summary="Collections",
)
async def collections(request: Request, root: Root) -> Response:
    _root(root)
    infos = resources.collections(request.app.state.log_name)
    role = role_of(request)
    return _taxii(resources.collection_list(infos, role in keys.READERS, role in keys.WRITERS))


@router.get(
    "/{root}/collections/{collection_id}/",
    dependencies=[Anyone, Acceptable],
    response_class=Response,
    responses=taxii_responses(404),
    summary="One collection",
)
async def collection(request: Request, root: Root, collection_id: CollectionId) -> Response:
    info = _collection(request, root, collection_id)
    role = role_of(request)
    described = resources.collection(info, role in keys.READERS, role in keys.WRITERS)
    return _taxii(orjson.dumps(described))


@router.get(
    "/{root}/collections/{collection_id}/objects/",
    dependencies=[Reader, Acceptable],
    response_class=Response,
    responses=taxii_responses(404, paged=True),
    summary="The collection's objects",
)
async def objects(
    request: Request,
    root: Root,
    collection_id: CollectionId,
    added_after: AddedAfter = None,
    limit: Limit = None,
    next: Next = None,
    match_id: MatchId = None,
    match_type: MatchType = None,
    match_version: MatchVersion = None,
    match_spec_version: MatchSpec = None,
) -> Response:
    """An envelope of the objects the key's clearance sees, oldest `date_added` first."""
    _readable(request, root, collection_id)
    filters = _filters(
        request,
        added_after=added_after,
        ids=match_id,
        types=match_type,
        versions=match_version,
        spec_versions=match_spec_version,
    )
    return await _paged(request, filters, limit, next, resources.envelope)


@router.post(
    "/{root}/collections/{collection_id}/objects/",
    dependencies=[Adder],
    status_code=202,
    response_class=Response,
    responses={
        202: {"description": "The status of the envelope.", "content": {TAXII: {}}},
        **{code: r for code, r in taxii_responses(404, 409, 413, 415).items() if code != 200},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {TAXII: {"schema": {"type": "object"}}},
            "description": 'A TAXII envelope: {"objects": [STIX 2.1 objects]}.',
        }
    },
    summary="Add objects to the inbox",
)
async def add_objects(request: Request, root: Root, collection_id: CollectionId) -> Response:
    """Import an envelope into the inbox as `POST /stix/bundles` imports a bundle, all or
    nothing, and answer 202 with its status (kept a day for this key): objects added or
    already held are successes, objects the ledger does not map or the import refused
    are failures, each with a message. A body that is no envelope is a 400."""
    info = _collection(request, root, collection_id)
    if not is_taxii(request.headers.get("content-type")):
        raise TaxiiError(415, f"a body of objects is {TAXII}; send Content-Type: {TAXII}")
    acceptable(request)
    if not info.writable:
        raise TaxiiError(403, f"collection {info.id} is read only (can_write is false)")
    requested_at = shown_time(micros(datetime.now(UTC)))
    limits = limits_of(request)
    try:
        objects = read_envelope(await request.body(), limits.max_batch_events)
    except BadEnvelope as exc:
        raise TaxiiError(exc.status, str(exc)) from None
    found = services(request)
    caller = caller_of(request)
    producer = key_name_of(request) or DEFAULT_PRODUCER

    def run() -> Outcome:
        with found.publishing if found.sink.name == "kafka" else nullcontext():
            return import_bundle(
                as_bundle(objects),
                recorded_by=producer,
                caller=caller,
                sink=found.sink,
                source="envelope",
                limits=limits,
            )

    status_id = str(uuid.uuid4())
    posted = status.posted(objects)
    try:
        outcome = await run_in_threadpool(run)
    except ValidationFailed as exc:
        made = status.refused(status_id, requested_at, posted, exc.problems)
    except Forbidden as exc:
        made = status.refused(status_id, requested_at, posted, [str(exc)])
    else:
        added = status.ACCEPTED if found.sink.name == "kafka" else status.ADDED
        report = outcome.report
        made = status.imported(
            status_id, requested_at, posted, report.objects, added, appended=report.events > 0
        )
    body = orjson.dumps(made)
    async with lookup(request) as conn:
        await taxii_statuses.keep(conn, status_id, key_id_of(request), body.decode())
    return Response(body, 202, media_type=TAXII)


@router.get(
    "/{root}/collections/{collection_id}/objects/{object_id}/",
    dependencies=[Reader, Acceptable],
    response_class=Response,
    responses=taxii_responses(404, paged=True),
    summary="One object",
)
async def one_object(
    request: Request,
    root: Root,
    collection_id: CollectionId,
    object_id: ObjectId,
    added_after: AddedAfter = None,
    limit: Limit = None,
    next: Next = None,
    match_version: MatchVersion = None,
    match_spec_version: MatchSpec = None,
) -> Response:
    """An envelope of the versions of one object `match[version]` picks (the newest)."""
    _readable(request, root, collection_id)
    filters = _filters(
        request,
        added_after=added_after,
        ids=[object_id],
        versions=match_version,
        spec_versions=match_spec_version,
    )
    return await _paged(request, filters, limit, next, resources.envelope, object_id)


@router.get(
    "/{root}/collections/{collection_id}/objects/{object_id}/versions/",
    dependencies=[Reader, Acceptable],
    response_class=Response,
    responses=taxii_responses(404, paged=True),
    summary="An object's versions",
)
async def versions(
    request: Request,
    root: Root,
    collection_id: CollectionId,
    object_id: ObjectId,
    added_after: AddedAfter = None,
    limit: Limit = None,
    next: Next = None,
    match_spec_version: MatchSpec = None,
) -> Response:
    """Every version the collection holds of one object, oldest first."""
    _readable(request, root, collection_id)
    filters = _filters(
        request,
        added_after=added_after,
        ids=[object_id],
        versions=["all"],
        spec_versions=match_spec_version,
    )
    return await _paged(request, filters, limit, next, resources.versions, object_id)


@router.get(
    "/{root}/collections/{collection_id}/manifest/",
    dependencies=[Reader, Acceptable],
    response_class=Response,
    responses=taxii_responses(404, paged=True),
    summary="The collection's manifest",
)
async def manifest(
    request: Request,
    root: Root,
    collection_id: CollectionId,
    added_after: AddedAfter = None,
    limit: Limit = None,
    next: Next = None,
    match_id: MatchId = None,
    match_type: MatchType = None,
    match_version: MatchVersion = None,
    match_spec_version: MatchSpec = None,
) -> Response:
    """What `objects/` would give (id, date_added, version, media type), without bodies."""
    _readable(request, root, collection_id)
    filters = _filters(
        request,
        added_after=added_after,
        ids=match_id,
        types=match_type,
        versions=match_version,
        spec_versions=match_spec_version,
    )
    return await _paged(request, filters, limit, next, resources.manifest)


@router.get(
    "/{root}/status/{status_id}/",
    dependencies=[Anyone, Acceptable],
    response_class=Response,
    responses=taxii_responses(404),
    summary="A status",
)
async def status_of(request: Request, root: Root, status_id: str) -> Response:
    """The status of an envelope this key posted (kept at least a day); any other key's
    status, or one past its day and deleted, is a 404."""
    _root(root)
    async with lookup(request) as conn:
        found = await taxii_statuses.find(conn, status_id, key_id_of(request))
    if found is None:
        raise TaxiiError(404, f"there is no status {shown(status_id)} for this key")
    return _taxii(found.encode())
