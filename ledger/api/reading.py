"""How reads are answered: at a ledger position, page by page, and from memory when the
same answer was given before.

An answer read at a position never changes: the events up to it are immutable and every
projection is a deterministic fold of them. So each server process keeps recent answers
keyed by route, parameters and position, and serves them again without touching the
projections; only ``read_at`` (which carries the live cursors) is fresh on every reply.
"""

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from ledger.api.auth import clearance_of
from ledger.api.freshness import asked_position
from ledger.api.models import FieldProblem, ReadAt
from ledger.api.problems import ProblemError, responses
from ledger.audit.proofs import prove
from ledger.errors import LedgerError, PageAhead, ProjectionsNotReady
from ledger.ports import LedgerStore
from ledger.projection.service import ReadPosition, ReadService
from ledger.store.postgres import PostgresLedger
from ledger.web.freshness import PositionAhead
from ledger.web.reading import resolve
from ledger.web.services import services

SCOPE_FREE = frozenset({"cursor", "limit", "proof"})
"""Query parameters a walk may change between pages; every other binds the token."""


class Pages:
    """The page tokens of one request: sealed for its caller's clearance, its route and
    its query (``ledger.web.page_tokens``)."""

    def __init__(self, request: Request) -> None:
        self._tokens = services(request).tokens
        query = sorted((k, v) for k, v in request.query_params.multi_items() if k not in SCOPE_FREE)
        self._scope = json.dumps([clearance_of(request).text(), request.url.path, query])

    def next(self, position: int, key: Any) -> str:
        """The token of the page after ``key``, read at ``position``."""
        return self._tokens.seal({"p": position, "k": key}, self._scope)

    def resume(self, token: str, key_type: type, parts: int = 2) -> tuple[int, Any]:
        """The (position, key) in a page token; 422 unless this server gave it for this
        clearance, route and query. A ``tuple`` key must have ``parts`` strings."""
        data = self._tokens.open(token, self._scope)
        try:
            if not isinstance(data, dict):
                raise ValueError
            position, key = data["p"], data["k"]
            if isinstance(key, list):
                key = tuple(key)
            if type(position) is not int or position < 0 or not isinstance(key, key_type):
                raise ValueError
            if isinstance(key, bool) or (
                isinstance(key, tuple)
                and (len(key) != parts or not all(isinstance(part, str) for part in key))
            ):
                raise ValueError
        except (ValueError, TypeError, KeyError):
            message = (
                "not a page token this server gave for this key and query; pass next_cursor "
                "back unchanged, with the same key and parameters"
            )
            raise ProblemError(
                422,
                f"query.cursor: {message}",
                [FieldProblem(field="query.cursor", message=message)],
            ) from None
        return position, key


async def read_at(
    request: Request,
    projections: tuple[str, ...],
    *,
    as_of: datetime | None,
    valid_at: datetime | None = None,
    pinned: int | None = None,
) -> ReadAt:
    """The position to answer at (``ledger.web.reading.resolve``, the workbench's rule
    too), its refusals as problem answers."""
    try:
        resolved = await resolve(
            request,
            projections,
            as_of=as_of,
            valid_at=valid_at,
            pinned=pinned,
            at_least=asked_position(request),
        )
    except PositionAhead as exc:
        raise ProblemError(
            422,
            f"query.at_least: {exc}",
            [FieldProblem(field="query.at_least", message=str(exc))],
        ) from None
    except ProjectionsNotReady as exc:
        raise ProblemError(503, f"{exc}") from None
    except PageAhead as exc:
        raise ProblemError(
            422,
            f"query.cursor: {exc}",
            [FieldProblem(field="query.cursor", message="ahead of the projection")],
        ) from None
    chosen, context = resolved.at, resolved.context
    found = ReadAt.model_validate(chosen, from_attributes=True)
    lag = (context.head or 0) - chosen.projection_cursor
    update: dict[str, int] = {"behind_by": lag} if lag > 0 else {}
    at_least = asked_position(request)
    if at_least is not None:
        update["at_least"] = at_least
    return found.model_copy(update=update) if update else found


def position_of(at: ReadAt) -> ReadPosition:
    """The read service's position for an answer's ``read_at``."""
    return ReadPosition(
        at.position, at.projection_cursor, dict(at.projections), at.as_of, at.valid_at
    )


def positions_in(data: Any) -> set[int]:
    """Every ledger position an answer names as resting on (fields ``position``,
    ``positions``, ``report_position``...; ``read_at`` is not part of it)."""
    found: set[int] = set()
    if isinstance(data, dict):
        for name, value in data.items():
            if name.endswith("position") and type(value) is int:
                found.add(value)
            elif name.endswith("positions") and isinstance(value, list):
                found.update(v for v in value if type(v) is int)
            elif isinstance(value, dict | list):
                found |= positions_in(value)
    elif isinstance(data, list):
        for item in data:
            found |= positions_in(item)
    return found


def wants_proof(
    request: Request,
    proof: Annotated[
        bool,
        Query(
            description="Also return `proof`: the text of a proof bundle (the latest signed "
            "checkpoint, each event's bytes and inclusion path) proving every event the "
            "answer rests on; saved to a file, `ledger audit check-proof FILE` verifies it "
            "offline."
        ),
    ] = False,
) -> None:
    request.state.proof = proof


Provable = Depends(wants_proof)
"""The ``proof`` parameter of every read answer."""

PROOF_PENDING = responses(
    _409="proof=true, but no signed checkpoint covers the events yet (`ledger checkpoint`)."
)
"""The answer a read route gives when a proof cannot be made yet."""


def with_proof(ledger: LedgerStore, body: bytes) -> bytes:
    """The answer with ``proof``: the bundle file's text for the events it rests on (null
    if none), exactly as ``ledger audit prove`` writes it."""
    positions = sorted(positions_in(json.loads(body)))
    if not positions:
        bundle = b"null"
    else:
        if not isinstance(ledger, PostgresLedger):  # pragma: no cover - one adapter
            raise ProblemError(501, "proofs need the PostgreSQL ledger")
        try:
            bundle = json.dumps(prove(ledger, positions).encode().decode("ascii")).encode()
        except LedgerError as exc:
            raise ProblemError(409, f"query.proof: {exc}") from None
    return body[:-1] + b',"proof":' + bundle + b"}"


def marked(reads: ReadService, body: bytes) -> bytes:
    """The answer with its ``marking``: the highest of the events it rests on."""
    marking = reads.marking(positions_in(json.loads(body)))
    mark = json.dumps(marking.to_json(), separators=(",", ":")).encode()
    return body[:-1] + (b',"marking":' if body != b"{}" else b'"marking":') + mark + b"}"


async def answer(
    request: Request, at: ReadAt, build: Callable[[ReadService, ReadPosition], BaseModel]
) -> Response:
    """The reply to a read at ``at``: from the answer cache, or built (in a thread)
    through the read service of the key's clearance and kept, with its marking.
    ``build`` returns the whole answer; its ``read_at`` is replaced by the fresh one."""
    found = services(request)
    clearance = clearance_of(request)
    reads = found.reads.for_clearance(clearance)
    proof = bool(getattr(request.state, "proof", False))
    params = tuple(
        sorted(
            (k, v) for k, v in request.query_params.multi_items() if k not in ("as_of", "at_least")
        )
    )
    # ages are counted to today when no world time is given: a kept answer lasts a day
    today = datetime.now(UTC).date().isoformat() if at.valid_at is None else ""
    key = (request.url.path, params, at.position, today, clearance)
    body = found.answers.get(key)
    if body is None:

        def work() -> bytes:
            reads.catch_up(at.projection_cursor)
            built = build(reads, position_of(at))
            body = marked(reads, built.model_dump_json(exclude={"read_at"}).encode())
            return with_proof(found.ledger, body) if proof else body

        body = await run_in_threadpool(work)
        found.answers.put(key, body)
    head = b'{"read_at":' + at.model_dump_json().encode()
    return Response(
        head + (b"," + body[1:] if body != b"{}" else b"}"), media_type="application/json"
    )
