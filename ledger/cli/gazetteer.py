"""``ledger actors``, ``ledger places`` and ``ledger sources``: the gazetteer as the
filters read it, with aliases, hierarchy, coordinates and how many reports name each."""

import csv
import json
import sys
from typing import Annotated, Any

import typer
from pydantic_core import to_jsonable_python
from rich.table import Table

from ledger.cli.context import options, out, reporting_errors
from ledger.cli.freshness import note_if_before_first, note_if_behind, refresh
from ledger.cli.moments import MOMENT_HELP, given_time
from ledger.cli.tables import print_table
from ledger.errors import LedgerError
from ledger.projection.service import POSTURE
from ledger.projection.views import GazetteerEntryView, SourceView
from ledger.runtime import bootstrap

AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of", metavar="TIME", help="The register as known at this record time. " + MOMENT_HELP
    ),
]
Format = Annotated[str, typer.Option("--format", metavar="table|json|csv", help="Output format.")]
NoRefresh = Annotated[bool, typer.Option("--no-refresh", help="Do not fold new events first.")]


def _listing(ctx: typer.Context, kind: str, as_of: str | None, fmt: str, no_refresh: bool) -> None:
    with reporting_errors():
        fmt = fmt.strip().lower()
        if fmt not in ("table", "json", "csv"):
            raise LedgerError(f"--format {fmt!r}: choose table, json or csv")
        record_time = given_time(as_of, "--as-of")
        with bootstrap(options(ctx).settings()) as runtime:
            head = refresh(runtime, not no_refresh)
            at = runtime.reads.position(POSTURE, as_of=record_time)
            found = runtime.reads.entries(at, kind)
            grades = (
                {s.source_id: s for s in runtime.reads.sources(at, limit=None).items}
                if kind == "source"
                else {}
            )
            note_if_before_first(runtime, at)
        note_if_behind(at, head)
    records = [_as_dict(e, kind, grades.get(e.id)) for e in found]
    if fmt == "json":
        document = {"position": at.position, "items": records}
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(FIELDS[kind]))
        writer.writeheader()
        for record in records:
            writer.writerow(
                {k: "|".join(v) if isinstance(v, list) else v for k, v in record.items()}
            )
    else:
        _print(records, kind, at.position)


FIELDS = {
    "actor": ("id", "name", "kind", "aliases", "parent_id", "member_of", "reports", "position"),
    "place": (
        "id",
        "name",
        "kind",
        "aliases",
        "parent_id",
        "latitude",
        "longitude",
        "reports",
        "position",
    ),
    "source": (
        "id",
        "name",
        "kind",
        "aliases",
        "affiliated_id",
        "reliability",
        "reliability_since",
        "claims",
        "position",
    ),
}
"""The columns of each register in JSON and CSV: what means something for it (a
source's reliability grade; no coordinates or hierarchy for people and outlets)."""


def _as_dict(entry: GazetteerEntryView, kind: str, graded: SourceView | None) -> dict[str, Any]:
    found: dict[str, Any] = to_jsonable_python(entry)
    if kind == "source":
        latest = graded.history[-1] if graded is not None and graded.history else None
        found["affiliated_id"] = found["parent_id"]
        found["claims"] = found["reports"]
        found["reliability"] = (
            graded.reliability.value if graded is not None and graded.reliability else None
        )
        found["reliability_since"] = latest.effective_at.isoformat() if latest else None
    return {name: found[name] for name in FIELDS[kind]}


def _print(found: list[dict[str, Any]], kind: str, position: int) -> None:
    table = Table(title=f"{kind.capitalize()}s as known at position {position}", pad_edge=False)
    width = min(max((len(e["id"]) for e in found), default=2), 40)
    table.add_column("id", min_width=width, overflow="fold")
    table.add_column("name", overflow="fold")
    table.add_column("kind")
    table.add_column("aliases", overflow="fold")
    if kind == "place":
        table.add_column("coordinates")
    if kind in ("actor", "place"):
        table.add_column("parent", overflow="fold")
    if kind == "actor":
        table.add_column("member of", overflow="fold")
    if kind == "source":
        table.add_column("affiliated with", overflow="fold")
        table.add_column("reliability")
    table.add_column("claims" if kind == "source" else "reports", justify="right")
    for e in found:
        cells = [e["id"], e["name"], e["kind"], ", ".join(e["aliases"]) or "-"]
        if kind == "place":
            located = e["latitude"] is not None and e["longitude"] is not None
            cells.append(f"{e['latitude']:.3f}, {e['longitude']:.3f}" if located else "-")
        if kind in ("actor", "place"):
            cells.append(e["parent_id"] or "-")
        if kind == "actor":
            cells.append(", ".join(e["member_of"]) or "-")
        if kind == "source":
            since = f" since {e['reliability_since'][:10]}" if e["reliability_since"] else ""
            cells.append(e["affiliated_id"] or "-")
            cells.append(f"{e['reliability']}{since}" if e["reliability"] else "not graded")
        cells.append(str(e["claims"] if kind == "source" else e["reports"]))
        table.add_row(*cells)
    print_table(out, table)


def actors(
    ctx: typer.Context, as_of: AsOf = None, fmt: Format = "table", no_refresh: NoRefresh = False
) -> None:
    """Registered actors: names and aliases (any of which --actor takes), parent unit,
    coalitions, and how many deployment reports name each."""
    _listing(ctx, "actor", as_of, fmt, no_refresh)


def places(
    ctx: typer.Context, as_of: AsOf = None, fmt: Format = "table", no_refresh: NoRefresh = False
) -> None:
    """Registered places: names and aliases (any of which --place takes), coordinates,
    and how many deployment reports name each."""
    _listing(ctx, "place", as_of, fmt, no_refresh)


def sources(
    ctx: typer.Context, as_of: AsOf = None, fmt: Format = "table", no_refresh: NoRefresh = False
) -> None:
    """Registered sources: names and aliases, affiliation, reliability grade (Admiralty
    A-F, as last assessed by then, with the time it took effect), and how many claims
    each speaks in (at any hop of reported speech)."""
    _listing(ctx, "source", as_of, fmt, no_refresh)
