"""The audit page: the ledger's head and hash, each projection's cursor and lag, and the
latest verification run from here (auditor and admin keys may start one)."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ledger.api.keys import Role
from ledger.api.services import services
from ledger.audit.verify import verify
from ledger.domain.marking import Clearance
from ledger.ports import LedgerStore
from ledger.projection.service import POSTURE
from ledger.records import Head
from ledger.store.postgres import PostgresLedger
from ledger.workbench.csrf import require_form_token, require_same_origin
from ledger.workbench.pages.common import Page
from ledger.workbench.reads import reads_for
from ledger.workbench.render import PREFIX, page

router = APIRouter()

VERIFIERS = frozenset({Role.AUDITOR, Role.ADMIN})


@dataclass(frozen=True)
class Verification:
    """One run of ``verify`` from the workbench, kept by this server process."""

    at: datetime
    by: str
    report: dict[str, Any]


def _head(ledger: LedgerStore, clearance: Clearance) -> Head:
    """The head; its record time only when the key may see the head event (positions and
    hashes say nothing of an event, its time would)."""
    head = ledger.head()
    if clearance.is_operator or head.position == 0:
        return head
    seen = list(
        ledger.read_rows(after=head.position - 1, until=head.position, limit=1, clearance=clearance)
    )
    return head if seen else Head(head.position, head.hash, None)


def _latest(request: Request) -> Verification | None:
    found = getattr(request.app.state, "workbench_verification", None)
    return found if isinstance(found, Verification) else None


@router.get("/audit", response_class=HTMLResponse)
async def audit(request: Request, asked: Page) -> HTMLResponse:
    reading = await reads_for(request, asked.visitor, asked.controls, POSTURE)
    head: Head = await run_in_threadpool(_head, services(request).ledger, reading.reads.clearance)
    key = asked.visitor.key
    return page(
        request,
        "audit.html",
        asked=asked,
        reading=reading,
        head=head,
        cursors=sorted(reading.cursors.items()),
        verification=_latest(request),
        may_verify=key is None or key.role in VERIFIERS,
        problems=list(asked.controls.problems),
    )


@router.post("/audit/verify")
async def run_verify(
    request: Request, asked: Page, csrf: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    require_same_origin(request)
    if asked.visitor.key is not None:
        require_form_token(request, csrf)
    key = asked.visitor.key
    if key is not None and key.role not in VERIFIERS:
        message = f"A {key.role.value} key cannot run verify; that needs an auditor or admin key."
        return page(request, "problem.html", status=403, message=message, asked=asked)
    ledger = services(request).ledger
    assert isinstance(ledger, PostgresLedger)
    report = await run_in_threadpool(verify, ledger)
    request.app.state.workbench_verification = Verification(
        datetime.now(UTC), key.name if key else "anyone", report.as_json()
    )
    return RedirectResponse(f"{PREFIX}/audit", status_code=303)
