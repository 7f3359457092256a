"""The verifiable log over HTTP: the latest signed checkpoint, inclusion and consistency
proofs (RFC 9162), so that anyone with the log's public key can check what they were told."""

import base64
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ledger.api.auth import Reader, require
from ledger.api.models import FieldProblem
from ledger.api.problems import ProblemError, responses
from ledger.errors import LedgerError
from ledger.store.checkpoints import Checkpoints
from ledger.store.merkle import MerkleTree
from ledger.web.keys import Role
from ledger.web.services import services

router = APIRouter(tags=["verifiable log"])

Witness = Depends(require(frozenset({Role.AUDITOR, Role.ADMIN}), "post cosignatures"))

MAX_COSIGNATURE = 1000
"""Longest cosignature line taken (a real one is under 200 characters)."""


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


class InclusionProof(BaseModel):
    """The audit path of one event's leaf up to the root of a tree size (RFC 9162 2.1.3)."""

    position: int = Field(description="The event's ledger position (leaf index + 1).")
    size: int = Field(description="The tree size the proof is for (a checkpoint's size).")
    leaf_hash: str = Field(description="Base64 SHA-256(0x00 || leaf data).")
    path: list[str] = Field(description="Base64 node hashes, from the leaf upward.")
    root: str = Field(description="Base64 root of the tree of `size` events.")


class ConsistencyProof(BaseModel):
    """That the tree of `from` events is a prefix of the tree of `to` (RFC 9162 2.1.4)."""

    from_size: int = Field(serialization_alias="from")
    to_size: int = Field(serialization_alias="to")
    proof: list[str] = Field(description="Base64 node hashes.")
    from_root: str
    to_root: str


def _latest(request: Request) -> Checkpoints:
    return Checkpoints(services(request).ledger)


@router.get(
    "/checkpoint",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {}}, "description": "The signed note."},
        **responses(401, 403, 404, 503),
    },
    dependencies=[Reader],
    summary="The latest signed checkpoint (C2SP tlog-checkpoint note)",
)
async def checkpoint(request: Request) -> Response:
    """The newest checkpoint the ledger signed, as a signed note, with the witnesses'
    cosignatures it holds. Verify it with the log's public key
    (`ledger checkpoint --public-key`)."""
    stored = await run_in_threadpool(_latest(request).latest)
    if stored is None:
        raise ProblemError(404, "the ledger has signed no checkpoint yet: run `ledger checkpoint`")
    note = await run_in_threadpool(_latest(request).served_note, stored)
    return Response(note, media_type="text/plain; charset=utf-8")


def _problem(exc: LedgerError, field: str) -> ProblemError:
    return ProblemError(422, str(exc), [FieldProblem(field=field, message=str(exc))])


@router.get(
    "/proofs/inclusion",
    response_model=InclusionProof,
    responses=responses(401, 403, 404, 422, 503),
    dependencies=[Reader],
    summary="The inclusion proof of one event in a tree size",
)
async def inclusion(
    request: Request,
    position: Annotated[int, Query(ge=1, description="The event's ledger position.")],
    size: Annotated[
        int | None,
        Query(ge=1, description="Tree size (default: the latest checkpoint's)."),
    ] = None,
) -> InclusionProof:
    """Hashes that lead from the event's leaf to the root of the tree of `size` events;
    with the event's bytes and a checkpoint of that size, they prove the event is in the
    log exactly as it is."""
    ledger = services(request).ledger
    if size is None:
        latest = await run_in_threadpool(Checkpoints(ledger).latest)
        if latest is None or latest.size == 0:
            raise ProblemError(404, "the ledger has signed no checkpoint yet: give `size`")
        size = latest.size
    if position > size:
        raise ProblemError(
            422,
            f"position {position} is not in a tree of {size} events",
            [FieldProblem(field="query.position", message=f"at most {size}")],
        )
    try:
        leaf, path, root = await run_in_threadpool(MerkleTree(ledger).inclusion, position, size)
    except LedgerError as exc:
        raise _problem(exc, "query.size") from None
    return InclusionProof(
        position=position,
        size=size,
        leaf_hash=_b64(leaf),
        path=[_b64(p) for p in path],
        root=_b64(root),
    )


@router.get(
    "/proofs/consistency",
    response_model=ConsistencyProof,
    response_model_by_alias=True,
    responses=responses(401, 403, 422, 503),
    dependencies=[Reader],
    summary="The consistency proof between two tree sizes",
)
async def consistency(
    request: Request,
    from_size: Annotated[int, Query(alias="from", ge=1, description="The earlier size.")],
    to_size: Annotated[int, Query(alias="to", ge=1, description="The later size.")],
) -> ConsistencyProof:
    """Hashes showing that the tree of `from` events is a prefix of the tree of `to`:
    the log only appended in between (what a witness checks before cosigning)."""
    if from_size > to_size:
        raise ProblemError(
            422,
            f"from {from_size} is after to {to_size}",
            [FieldProblem(field="query.from", message=f"at most {to_size}")],
        )
    try:
        proof, old, new = await run_in_threadpool(
            MerkleTree(services(request).ledger).consistency, from_size, to_size
        )
    except LedgerError as exc:
        raise _problem(exc, "query.to") from None
    return ConsistencyProof(
        from_size=from_size,
        to_size=to_size,
        proof=[_b64(p) for p in proof],
        from_root=_b64(old),
        to_root=_b64(new),
    )


class CosignatureKept(BaseModel):
    size: int
    witness: str
    new: bool = Field(description="False when this witness key's cosignature was kept before.")


@router.post(
    "/checkpoint/cosignatures",
    response_model=CosignatureKept,
    responses=responses(401, 403, 404, 422, 503),
    dependencies=[Witness],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/plain": {"schema": {"type": "string"}}},
            "description": "One signature line: '— WITNESS BASE64' (C2SP tlog-cosignature).",
        }
    },
    summary="Keep a witness's cosignature of a checkpoint",
)
async def add_cosignature(
    request: Request,
    size: Annotated[int, Query(ge=0, description="The size of the cosigned checkpoint.")],
) -> CosignatureKept:
    """A witness posts the signature line it made over the checkpoint of `size`. The
    ledger keeps it, and serves it with that checkpoint from then on, only when it
    verifies with a witness key registered in the ledger (`WitnessKeyRegistered`, not
    revoked) as a cosignature of that exact checkpoint; anything else is a 422 saying
    why, and nothing is kept. Readers still check it against the witness keys they
    trust."""
    body = await request.body()
    if len(body) > MAX_COSIGNATURE:
        raise ProblemError(422, f"a cosignature line is at most {MAX_COSIGNATURE} bytes")
    try:
        line = body.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise ProblemError(422, "the cosignature line is not UTF-8 text") from None
    checkpoints = Checkpoints(services(request).ledger)
    if await run_in_threadpool(checkpoints.at, size) is None:
        raise ProblemError(404, f"the ledger signed no checkpoint of size {size}")
    try:
        new = await run_in_threadpool(checkpoints.add_cosignature, size, line)
    except LedgerError as exc:
        raise _problem(exc, "body") from None
    witness = line.split(" ")[1] if line.count(" ") == 2 else ""
    return CosignatureKept(size=size, witness=witness, new=new)
