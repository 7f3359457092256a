"""``ledger posture`` and ``ledger history``: the analysts' questions, bitemporally."""

import csv
import json
import sys
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from ledger.cli.context import options, out, reporting_errors
from ledger.cli.moments import given_time, known_position
from ledger.cli.render import reading
from ledger.domain.posture import PostureRow, PostureStatus, bounds
from ledger.errors import LedgerError
from ledger.projection import queries
from ledger.runtime import open_ledger


def _strength(row: PostureRow) -> str:
    """The strength as written, with its numeric reading: 'over 4000 (>= 4000)'."""
    w = row.winner
    if w.strength_text is None:
        return "-"
    return f"{w.strength_text} ({reading(*bounds(w))})"


def _as_dict(row: PostureRow) -> dict[str, Any]:
    w = row.winner
    return {
        "actor_id": row.actor_id,
        "place_key": row.place_key,
        "place": row.place_name,
        "status": row.status.value,
        "activity": w.activity.value,
        "strength": w.strength_text,
        "low": w.low,
        "best": w.best,
        "high": w.high,
        "valid_from": w.valid_from.isoformat(),
        "valid_to": w.valid_to.isoformat() if w.valid_to else None,
        "grade": w.grade,
        "report_position": w.position,
        "supporting": list(row.supporting),
        "contradicting": list(row.contradicting),
        "positions": list(row.positions),
    }


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
        with open_ledger(options(ctx).settings()) as ledger, ledger.connection() as conn:
            position = known_position(conn, "force_posture", record_time)
            if timeline:
                if actor is None:
                    raise LedgerError("--timeline needs --actor: whose timeline?")
                steps = queries.posture_timeline(conn, actor, position)
                _print_timeline(steps, fmt)
                return
            rows = queries.posture(conn, position, valid_at=world_time, actor=actor)
    if not include_retracted:
        rows = [r for r in rows if r.status is not PostureStatus.RETRACTED]
    if fmt == "json":
        sys.stdout.write(
            json.dumps(
                {"position": position, "valid_at": valid_at, "rows": [_as_dict(r) for r in rows]},
                indent=2,
            )
            + "\n"
        )
        return
    if fmt == "csv":
        fields = list(_as_dict(rows[0]).keys()) if rows else ["actor_id"]
        writer = csv.DictWriter(sys.stdout, fieldnames=fields)
        writer.writeheader()
        for r in rows:
            writer.writerow(
                {
                    k: ("|".join(map(str, v)) if isinstance(v, list) else v)
                    for k, v in _as_dict(r).items()
                }
            )
        return
    print_posture(rows, position, valid_at)


def _print_timeline(steps: list[tuple[int, list[PostureRow]]], fmt: str) -> None:
    if fmt == "json":
        document = [{"position": p, "rows": [_as_dict(r) for r in rows]} for p, rows in steps]
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        return
    table = Table(title="Posture timeline", pad_edge=False)
    for column in ("after position", "place", "activity", "strength", "grade", "status"):
        table.add_column(column)
    for position, rows in steps:
        for r in rows:
            table.add_row(
                str(position),
                r.place_name,
                r.winner.activity.value,
                _strength(r),
                r.winner.grade,
                r.status.value,
            )
    out.print(table)


def print_posture(rows: list[PostureRow], position: int, valid_at: str | None = None) -> None:
    title = f"Force posture as known at position {position}"
    if valid_at:
        title += f", valid at {valid_at}"
    table = Table(title=title, pad_edge=False)
    for column in (
        "actor",
        "place",
        "activity",
        "strength",
        "since",
        "grade",
        "status",
        "positions",
    ):
        table.add_column(column)
    for r in rows:
        w = r.winner
        table.add_row(
            r.actor_id,
            r.place_name,
            w.activity.value,
            _strength(r),
            w.valid_from.strftime("%Y-%m-%d"),
            w.grade,
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
        with open_ledger(options(ctx).settings()) as ledger, ledger.connection() as conn:
            position = known_position(conn, "claim_history", record_time)
            found = queries.claim_history(conn, claim_id, position)
        if found is None:
            raise LedgerError(f"no events name {claim_id} (as known at position {position})")
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
            "events": [{"position": p, "type": t, "summary": s} for p, t, s in found.events],
            "known_at_position": position,
        }
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        return
    print_history(found, position)


def print_history(found: queries.ClaimHistory, position: int) -> None:
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
    for p, kind, summary in found.events:
        table.add_row(str(p), kind, summary)
    out.print(table)
