"""How reads are answered: at a ledger position, page by page, and from memory when the
same answer was given before.

An answer read at a position never changes: the events up to it are immutable and every
projection is a deterministic fold of them. So each server process keeps recent answers
keyed by route, parameters and position, and serves them again without touching the
projections; only ``read_at`` (which carries the live cursors) is fresh on every reply.
"""

import base64
import binascii
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from ledger.api.auth import ReadContext, load_context
from ledger.api.models import FieldProblem, ReadAt
from ledger.api.problems import ProblemError
from ledger.api.services import services
from ledger.projection.queries import Conn


def encode_cursor(position: int, key: Any) -> str:
    """An opaque page token: the position read at and the last key returned."""
    text = json.dumps({"p": position, "k": key}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(token: str, key_type: type, parts: int = 2) -> tuple[int, Any]:
    """The (position, key) in a page token; 422 if it is not one this server gave.
    A ``tuple`` key must have ``parts`` strings."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
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
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError):
        raise ProblemError(
            422,
            "query.cursor: not a page token from this API; pass next_cursor back unchanged",
            [FieldProblem(field="query.cursor", message="not a page token from this API")],
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
    """The position to answer at: how far all ``projections`` have folded, what was known
    at ``as_of``, or the position a page token pinned."""
    context = getattr(request.state, "read_context", None)
    if not isinstance(context, ReadContext) or context.as_of != as_of:
        await load_context(request, None)  # a route without a key check: fetch it here
        context = request.state.read_context
    if context.cursors is None:
        raise ProblemError(503, "the projections are not built yet: run `ledger project`")
    cursors = {name: int(context.cursors.get(name, 0)) for name in projections}
    cursor = min(cursors.values())
    if pinned is not None:
        if pinned > cursor:
            raise ProblemError(
                422,
                "query.cursor: the page token is ahead of the projection (was it rebuilt?)",
                [FieldProblem(field="query.cursor", message="ahead of the projection")],
            )
        position = pinned
    elif as_of is not None:
        position = min(cursor, context.known or 0)
    else:
        position = cursor
    return ReadAt(
        position=position,
        projection_cursor=cursor,
        projections=cursors,
        as_of=as_of,
        valid_at=valid_at,
    )


async def answer(request: Request, at: ReadAt, build: Callable[[Conn], BaseModel]) -> Response:
    """The reply to a read at ``at``: from the answer cache, or built (in a thread) from
    the projections and kept. ``build`` returns the whole answer; its ``read_at`` is
    replaced by the fresh one."""
    found = services(request)
    params = tuple(sorted((k, v) for k, v in request.query_params.multi_items() if k != "as_of"))
    key = (request.url.path, params, at.position)
    body = found.answers.get(key)
    if body is None:

        def work() -> bytes:
            with found.ledger.connection() as conn:
                return build(conn).model_dump_json(exclude={"read_at"}).encode()

        body = await run_in_threadpool(work)
        found.answers.put(key, body)
    head = b'{"read_at":' + at.model_dump_json().encode()
    return Response(
        head + (b"," + body[1:] if body != b"{}" else b"}"), media_type="application/json"
    )
