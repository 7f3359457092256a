"""``ledger posture`` and ``ledger history``: the analysts' questions, bitemporally.

Both read through the read service, exactly as the HTTP API does: the same position
gives the same rows whichever interface asks.
"""

import csv
import json
import sys
from typing import Annotated, Any

import typer
from pydantic_core import to_jsonable_python
from rich.table import Table
from rich.text import Text

from ledger.cli.context import options, out, reporting_errors
from ledger.cli.moments import given_time
from ledger.cli.render import reading
from ledger.errors import LedgerError
from ledger.projection.service import CLAIMS, LIVE, POSTURE
from ledger.projection.views import ClaimHistory, PostureView, TimelineStep
from ledger.runtime import bootstrap


def _strength(row: PostureView) -> str:
    """The strength as written, with its numeric reading: 'over 4000 (>= 4000)'."""
    if row.strength is None:
        return "-"
    low = row.low if row.low is not None else row.best
    high = row.high if row.high is not None else row.best
    return f"{row.strength} ({reading(low, high)})"


def as_dict(row: PostureView) -> dict[str, Any]:
    """A posture row as JSON: the same fields and encodings as the HTTP API's."""
    found: dict[str, Any] = to_jsonable_python(row)
    return found


def posture(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="TIME", help="What the ledger knew at this record time."),
    ] = None,
    valid_at: Annotated[
        str | None,
        typer.Option(
            "--valid-at",
            metavar="TIME",
            help="Only reports whose valid time contains this world time.",
        ),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option("--actor", metavar="ACTOR_ID", help="One actor, e.g. actor:hezbollah."),
    ] = None,
    timeline: Annotated[
        bool,
        typer.Option("--timeline", help="With --actor: its posture after each of its reports."),
    ] = False,
    include_retracted: Annotated[
        bool,
        typer.Option(
            "--include-retracted", help="Also list rows whose every report was retracted."
        ),
    ] = False,
    fmt: Annotated[
        str, typer.Option("--format", metavar="table|json|csv", help="Output format.")
    ] = "table",
) -> None:
    """The force posture: per actor and place, the best estimate, activity, grade, status,
    and the ledger positions it rests on.

    Rules (which report wins, when a row is CONTESTED, WITHDRAWN or RETRACTED, how grades
    are formed) are in the README. Run `ledger project` first to bring the projections up
    to date; --as-of and --valid-at answer for any past record time and world time.
    """
    with reporting_errors():
        if fmt not in ("table", "json", "csv"):
            raise LedgerError(f"--format {fmt!r}: choose table, json or csv")
        record_time = given_time(as_of, "--as-of")
        world_time = given_time(valid_at, "--valid-at")
        if timeline and actor is None:
            raise LedgerError("--timeline needs --actor: whose timeline?")
        with bootstrap(options(ctx).settings()) as runtime:
            reads = runtime.reads
            at = reads.position(POSTURE, as_of=record_time, valid_at=world_time)
            if timeline:
                steps = reads.timeline(at, actor=actor, limit=None).items
            else:
                statuses = None if include_retracted else LIVE
                rows = reads.posture(at, actor=actor, statuses=statuses, limit=None).items
    if timeline:
        _print_timeline(steps, fmt)
        return
    if fmt == "json":
        document = {"position": at.position, "valid_at": valid_at, "rows": list(map(as_dict, rows))}
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        return
    if fmt == "csv":
        fields = list(as_dict(rows[0]).keys()) if rows else ["actor_id"]
        writer = csv.DictWriter(sys.stdout, fieldnames=fields)
        writer.writeheader()
        for r in rows:
            writer.writerow(
                {
                    k: ("|".join(map(str, v)) if isinstance(v, list) else v)
                    for k, v in as_dict(r).items()
                }
            )
        return
    print_posture(rows, at.position, valid_at)


def _print_timeline(steps: list[TimelineStep], fmt: str) -> None:
    if fmt == "json":
        document = [{"position": s.position, "rows": list(map(as_dict, s.rows))} for s in steps]
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        return
    table = Table(title="Posture timeline", pad_edge=False)
    for column in ("after position", "place", "activity", "strength", "grade", "status"):
        table.add_column(column)
    for step in steps:
        for r in step.rows:
            table.add_row(
                str(step.position), r.place, r.activity, _strength(r), r.grade, r.status.value
            )
    out.print(table)


def print_posture(rows: list[PostureView], position: int, valid_at: str | None = None) -> None:
    title = f"Force posture as known at position {position}"
    if valid_at:
        title += f", valid at {valid_at}"
    table = Table(title=title, pad_edge=False)
    for column in ("actor", "place", "activity", "strength", "since", "grade", "status"):
        table.add_column(column)
    table.add_column("positions")
    for r in rows:
        table.add_row(
            r.actor_id,
            r.place,
            r.activity,
            _strength(r),
            r.valid_from.strftime("%Y-%m-%d"),
            r.grade,
            r.status.value,
            ",".join(map(str, r.positions)),
        )
    out.print(table)


def history(
    ctx: typer.Context,
    claim_id: Annotated[str, typer.Argument(metavar="CLAIM_ID", help="e.g. claim:seed-05")],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="TIME", help="The history as the ledger knew it at this record time."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """A claim's events in order, its chain of reported speech and its status
    (ASSERTED, CORROBORATED, DISPUTED, RETRACTED), with ledger positions."""
    with reporting_errors():
        record_time = given_time(as_of, "--as-of")
        with bootstrap(options(ctx).settings()) as runtime:
            at = runtime.reads.position(CLAIMS, as_of=record_time)
            found = runtime.reads.claim(at, claim_id)
        if found is None:
            raise LedgerError(f"no events name {claim_id} (as known at position {at.position})")
    if as_json:
        document = {
            "claim_id": found.claim_id,
            "position": found.position,
            "statement": found.statement,
            "status": found.status.value if found.status else "UNRESOLVED",
            "origin": found.origin,
            "independent_corroborations": found.independent_corroborations,
            "chain": [
                {
                    "position": h.position,
                    "source_id": h.source_id,
                    "via": h.via_source_id,
                    "mode": h.mode,
                    "access": h.access,
                    "reliability": h.reliability.value if h.reliability else None,
                }
                for h in found.chain
            ],
            "events": [
                {"position": e.position, "type": e.event_type, "summary": e.summary}
                for e in found.events
            ],
            "known_at_position": at.position,
        }
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        return
    print_history(found, at.position)


def print_history(found: ClaimHistory, position: int) -> None:
    status = found.status.value if found.status else "UNRESOLVED (never asserted)"
    out.print(
        Text(f"{found.claim_id}: {status}", style="bold") + f"  (as known at position {position})"
    )
    if found.statement:
        out.print(f"  {found.statement}")
    if found.chain:
        speaker = " <- ".join(
            f"{h.source_id} [{h.reliability.value if h.reliability else '?'}] ({h.mode.lower()})"
            for h in found.chain
        )
        out.print(f"  said by: {speaker}")
    out.print(f"  independent corroborations: {found.independent_corroborations}")
    table = Table(pad_edge=False)
    for column in ("pos", "event", "what"):
        table.add_column(column, justify="right" if column == "pos" else "left")
    for e in found.events:
        table.add_row(str(e.position), e.event_type, e.summary)
    out.print(table)
