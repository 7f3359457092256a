"""The audit page: the ledger's head and hash, each projection's cursor and lag, and the
latest verification run from here (auditor and admin keys may start one), all as the
reader's clearance sees them: a ledger holding only its events would show the same."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ledger.audit.cleared_report import ClearedReport, cleared
from ledger.audit.verify import verify
from ledger.domain.marking import Clearance
from ledger.ports import LedgerStore
from ledger.projection.catalog import PROJECTIONS
from ledger.projection.service import POSTURE
from ledger.store.postgres import PostgresLedger
from ledger.store.seen import SeenHead, seen_head, seen_positions
from ledger.web.keys import Role
from ledger.web.services import services
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


def _seen(
    ledger: LedgerStore, clearance: Clearance, verification: "Verification | None"
) -> tuple[SeenHead, ClearedReport | None]:
    """The head and projections as ``clearance`` sees them, and the latest verify
    report through it (``ledger.audit.cleared_report``)."""
    with ledger.connection() as conn:
        head = seen_head(conn, clearance, list(PROJECTIONS))
        if verification is None:
            return head, None
        named = [f["position"] for f in verification.report["findings"] if f["position"]]
        visible = seen_positions(conn, clearance, named)
    return head, cleared(verification.report, visible, operator=clearance.is_operator)


def _latest(request: Request) -> Verification | None:
    found = getattr(request.app.state, "workbench_verification", None)
    return found if isinstance(found, Verification) else None


@router.get("/audit", response_class=HTMLResponse)
async def audit(request: Request, asked: Page) -> HTMLResponse:
    reading = await reads_for(request, asked.visitor, asked.controls, POSTURE)
    latest = _latest(request)
    head, report = await run_in_threadpool(
        _seen, services(request).ledger, reading.reads.clearance, latest
    )
    key = asked.visitor.key
    return page(
        request,
        "audit.html",
        asked=asked,
        reading=reading,
        head=head,
        verification=latest,
        report=report,
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
