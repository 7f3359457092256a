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

from ledger.cli.context import err, options, out, reporting_errors
from ledger.cli.freshness import note_if_before_first, note_if_behind, refresh
from ledger.cli.moments import MOMENT_HELP, given_time
from ledger.cli.render import reading
from ledger.cli.tables import paragraph, print_table
from ledger.domain.marking import Marking
from ledger.domain.posture import STALE_AFTER_DAYS
from ledger.errors import LedgerError
from ledger.projection import claim_names
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


NoRefresh = Annotated[
    bool,
    typer.Option(
        "--no-refresh",
        help="Answer from the projections as they are, without folding new events first.",
    ),
]


def posture(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="TIME",
            help="What the ledger knew at this record time. " + MOMENT_HELP,
        ),
    ] = None,
    valid_at: Annotated[
        str | None,
        typer.Option(
            "--valid-at",
            metavar="TIME",
            help="The world time to answer for (default now): reports superseded or not"
            " yet started by then do not count. " + MOMENT_HELP,
        ),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(
            "--actor",
            metavar="ACTOR",
            help="One actor: id, name or alias, any case (e.g. actor:hezbollah, Hizballah).",
        ),
    ] = None,
    place: Annotated[
        str | None,
        typer.Option("--place", metavar="PLACE", help="One place: id, name or alias (e.g. Idlib)."),
    ] = None,
    include_subordinates: Annotated[
        bool,
        typer.Option(
            "--include-subordinates",
            help="With --actor: also its sub-units and coalition members (rows keep their"
            " own actor).",
        ),
    ] = False,
    stale_after: Annotated[
        int,
        typer.Option(
            "--stale-after",
            metavar="DAYS",
            min=0,
            help="Flag rows whose winning report started more than DAYS before the world"
            " time as stale.",
        ),
    ] = STALE_AFTER_DAYS,
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
    no_refresh: NoRefresh = False,
    fmt: Annotated[
        str, typer.Option("--format", metavar="table|json|csv", help="Output format.")
    ] = "table",
) -> None:
    """The force posture: per actor and place, the best estimate, activity, grade, status,
    age, and the ledger positions it rests on.

    The rules (live reports, supersession over time, the winner by grade, supporting and
    contradicting reports, CONTESTED, WITHDRAWN, RETRACTED, stale) are in the README. New
    events are folded first (skip with --no-refresh); --as-of and --valid-at answer for
    any past record time and world time.
    """
    with reporting_errors():
        fmt = fmt.strip().lower()
        if fmt not in ("table", "json", "csv"):
            raise LedgerError(f"--format {fmt!r}: choose table, json or csv")
        record_time = given_time(as_of, "--as-of")
        world_time = given_time(valid_at, "--valid-at")
        if timeline and actor is None:
            raise LedgerError("--timeline needs --actor: whose timeline?")
        if include_subordinates and actor is None:
            raise LedgerError("--include-subordinates needs --actor: whose sub-units?")
        with bootstrap(options(ctx).settings()) as runtime:
            head = refresh(runtime, not no_refresh)
            reads = runtime.reads
            at = reads.position(POSTURE, as_of=record_time, valid_at=world_time)
            actors = (
                reads.resolve_actor(at, actor, "--actor", include_subordinates)
                if actor is not None
                else None
            )
            place_key = reads.resolve(at, "place", place, "--place") if place else None
            if timeline:
                steps = reads.timeline(
                    at, actor=actors, place=place_key, limit=None, stale_after=stale_after
                ).items
            else:
                statuses = None if include_retracted else LIVE
                rows = reads.posture(
                    at,
                    actor=actors,
                    place=place_key,
                    statuses=statuses,
                    limit=None,
                    stale_after=stale_after,
                ).items
            shown = [row for step in steps for row in step.rows] if timeline else rows
            marking = reads.marking(p for row in shown for p in row.positions)
            note_if_before_first(runtime, at)
        note_if_behind(at, head)
    if timeline:
        _print_timeline(steps, fmt)
        mark_answer(marking, fmt)
        return
    if fmt == "json":
        document = {
            "position": at.position,
            "valid_at": valid_at,
            "stale_after": stale_after,
            "marking": marking.to_json(),
            "rows": list(map(as_dict, rows)),
        }
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        return
    if fmt == "csv":
        write_csv(rows)
        mark_answer(marking, fmt)
        return
    print_posture(rows, at.position, valid_at)
    mark_answer(marking, fmt)


CSV_FIELDS = (
    "actor_id",
    "actor",
    "place_key",
    "place",
    "place_reported",
    "latitude",
    "longitude",
    "status",
    "activity",
    "strength",
    "low",
    "best",
    "high",
    "valid_from",
    "valid_to",
    "effective_to",
    "age_days",
    "stale",
    "grade",
    "claim_id",
    "report_position",
    "supporting",
    "contradicting",
    "positions",
)
"""The posture CSV's columns: names beside ids, the winning claim and its grade."""


def write_csv(rows: list[PostureView]) -> None:
    writer = csv.DictWriter(sys.stdout, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow(
            {
                k: ("|".join(map(str, v)) if isinstance(v, list) else v)
                for k, v in as_dict(r).items()
            }
        )


def _named(name: str | None, key: str) -> str:
    """A name with its id on its own line (the id alone when there is no name)."""
    return f"{name}\n{key}" if name and name != key else key


def _place(row: PostureView) -> str:
    """The place's registered name and id, and the report's wording where it differs."""
    named = _named(row.place, row.place_key)
    return f"{named}\nreported: {row.place_reported}" if row.place_reported else named


def _id_width(keys: list[str]) -> int:
    """Wide enough that no id is cut (within reason)."""
    return min(max((len(k) for k in keys), default=5), 40)


def _print_timeline(steps: list[TimelineStep], fmt: str) -> None:
    if fmt == "json":
        document = [{"position": s.position, "rows": list(map(as_dict, s.rows))} for s in steps]
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        return
    table = Table(title="Posture timeline", pad_edge=False)
    places = [r.place_key for s in steps for r in s.rows]
    table.add_column("after position")
    table.add_column("place", min_width=_id_width(places), overflow="fold")
    for column in ("activity", "strength", "grade", "status"):
        table.add_column(column)
    for step in steps:
        for r in step.rows:
            table.add_row(
                str(step.position),
                _place(r),
                r.activity,
                _strength(r),
                r.grade,
                _status(r),
            )
    print_table(out, table)


def _status(row: PostureView) -> str:
    return f"{row.status.value}\nstale" if row.stale else row.status.value


def print_posture(rows: list[PostureView], position: int, valid_at: str | None = None) -> None:
    """The posture as a table, or, where it would not fit the terminal without cutting an
    id or a name mid-word, as one block per row (``ledger.cli.tables``)."""
    title = f"Force posture as known at position {position}"
    if valid_at:
        title += f", valid at {valid_at}"
    print_table(out, _posture_table(rows, title))


def _posture_table(rows: list[PostureView], title: str) -> Table:
    table = Table(title=title, pad_edge=False)
    table.add_column("actor", min_width=_id_width([r.actor_id for r in rows]), overflow="fold")
    table.add_column("place", min_width=_id_width([r.place_key for r in rows]), overflow="fold")
    for column in ("activity", "strength", "since", "age", "grade", "status"):
        table.add_column(column)
    table.add_column("positions", overflow="fold")
    for r in rows:
        table.add_row(
            _named(r.actor, r.actor_id),
            _place(r),
            r.activity,
            _strength(r),
            r.valid_from.strftime("%Y-%m-%d"),
            f"{r.age_days}d",
            r.grade,
            _status(r),
            ", ".join(map(str, r.positions)),
        )
    return table


def history(
    ctx: typer.Context,
    claim_id: Annotated[str, typer.Argument(metavar="CLAIM_ID", help="e.g. claim:seed-05")],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="TIME",
            help="The history as the ledger knew it at this record time. " + MOMENT_HELP,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    no_refresh: NoRefresh = False,
) -> None:
    """A claim's events in order, its chain of reported speech and its status
    (ASSERTED, CORROBORATED, DISPUTED, RETRACTED), with ledger positions."""
    with reporting_errors():
        record_time = given_time(as_of, "--as-of")
        with bootstrap(options(ctx).settings()) as runtime:
            head = refresh(runtime, not no_refresh)
            at = runtime.reads.position(CLAIMS, as_of=record_time)
            found = runtime.reads.claim(at, claim_id)
            marking = runtime.reads.marking(
                [e.position for e in found.events] if found is not None else []
            )
            similar = runtime.reads.similar_claims(at, claim_id) if found is None else []
            note_if_before_first(runtime, at)
        note_if_behind(at, head)
        if found is None:
            raise LedgerError(
                f"no events name {claim_id} (as known at position {at.position})"
                + claim_names.hint(similar)
            )
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
            "assessments": [to_jsonable_python(a) for a in found.assessments],
            "known_at_position": at.position,
            "marking": marking.to_json(),
        }
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        return
    print_history(found, at.position)
    mark_answer(marking, "table")


def mark_answer(marking: Marking, fmt: str) -> None:
    """The answer's marking (the highest of the events it rests on), so a copy can be
    marked: on stdout after a table, on stderr beside CSV or timeline JSON."""
    line = f"marking: {marking.text()}"
    if fmt == "table":
        out.print(line)
    else:
        err.print(line)


def print_history(found: ClaimHistory, position: int) -> None:
    status = found.status.value if found.status else "UNRESOLVED (never asserted)"
    out.print(
        Text(f"{found.claim_id}: {status}", style="bold") + f"  (as known at position {position})"
    )
    if found.statement:
        out.print(paragraph(found.statement, out.width, "  "))
    if found.chain:
        speaker = " <- ".join(
            f"{h.source_id} [{h.reliability.value if h.reliability else '?'}] ({h.mode.lower()})"
            for h in found.chain
        )
        out.print(paragraph(f"said by: {speaker}", out.width, "  "))
    out.print(f"  independent corroborations: {found.independent_corroborations}")
    for a in found.assessments:
        arrow = (
            f"{a.relation} {a.other_claim_id}"
            if a.outgoing
            else f"{a.other_claim_id} {a.relation} it"
        )
        verdict = ""
        if a.counts is not None:
            verdict = f" - {'counts' if a.counts else 'does not count'}: {a.why}"
        origin = f", origin {a.other_origin}" if a.other_origin else ""
        line = f"[{a.position}] {arrow} ({a.independence}{origin}){verdict}"
        out.print(paragraph(line, out.width, "  "))
        if a.rationale:
            out.print(paragraph(f"rationale: {a.rationale}", out.width, "      "))
    table = Table(pad_edge=False)
    for column in ("pos", "event", "what"):
        table.add_column(column, justify="right" if column == "pos" else "left")
    for e in found.events:
        table.add_row(str(e.position), e.event_type, e.summary)
    print_table(out, table)
