"""``ledger audit trace``: where a claim or a posture row comes from, as a tree."""

import json
import sys
from typing import Annotated

import typer
from rich.text import Text
from rich.tree import Tree

from ledger.audit.trace import TraceNode, trace_claim, trace_posture
from ledger.cli.audit.running import AsJson, could_not_run
from ledger.cli.context import EXIT_INVALID, err, error_line, options, out
from ledger.cli.moments import MOMENT_HELP, given_time
from ledger.domain.gazetteer import NameAmbiguous, NameNotFound
from ledger.errors import LedgerError
from ledger.projection import claim_names
from ledger.projection.service import POSTURE
from ledger.runtime import bootstrap


def trace(
    ctx: typer.Context,
    claim_id: Annotated[
        str | None,
        typer.Argument(metavar="[CLAIM_ID]", help="The claim to trace, e.g. claim:seed-05."),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(
            "--actor",
            metavar="ACTOR",
            help="With --place: trace a posture row. An id, name or alias, any case.",
        ),
    ] = None,
    place: Annotated[
        str | None,
        typer.Option(
            "--place",
            metavar="PLACE",
            help="The row's place: id, name or alias (place:idlib, Idlib).",
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="TIME",
            help="The provenance as known at this record time. " + MOMENT_HELP,
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Show where a claim (or a posture row) comes from, as a tree.

    A claim: its document and outlet, each hop of reported speech down to the original
    speaker with the reliability each source had then, the assessments and retractions
    naming it, and the deployment reports it backs with the posture rows using them. A
    posture row (--actor and --place): each report it rests on, as winner, supporting or
    contradicting, with its claim's tree. Every node shows its ledger position and record
    time. Run `ledger project` first.
    """
    opts = options(ctx)
    with could_not_run():
        if (claim_id is None) == (actor is None or place is None):
            raise LedgerError("give either a CLAIM_ID or both --actor and --place")
        if (actor is None) != (place is None):
            raise LedgerError("--actor and --place go together: they name one posture row")
        moment = given_time(as_of, "--as-of")
        with bootstrap(opts.settings()) as runtime:
            reads = runtime.reads  # the --clearance's own projections, read as it would
            reads.catch_up_with_operator()
            at = reads.position(POSTURE, as_of=moment)
            position = at.position
            hint = ""
            if claim_id is None:  # names, aliases or ids, as every --actor and --place
                assert actor is not None and place is not None
                try:
                    actor_id = reads.resolve(at, "actor", actor, "--actor")
                    place_key = reads.resolve(at, "place", place, "--place")
                except (NameNotFound, NameAmbiguous) as exc:  # the input, not the audit
                    err.print(error_line(str(exc)))
                    raise typer.Exit(EXIT_INVALID) from None
            with runtime.store.cleared(reads.clearance) as conn:
                if claim_id is not None:
                    root = trace_claim(conn, claim_id, position, reads.schema)
                    missing = f"no events name {claim_id}"
                else:
                    root = trace_posture(conn, actor_id, place_key, position, reads.schema)
                    missing = f"there is no posture row for {actor_id} at {place_key}"
            if root is None and claim_id is not None:
                hint = claim_names.hint(reads.similar_claims(at, claim_id))
        if root is None:
            err.print(error_line(f"{missing} (as known at position {position}){hint}"))
            raise typer.Exit(EXIT_INVALID)
    if as_json:
        document = {"known_at_position": position, "tree": root.as_json()}
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        return
    out.print(f"Provenance as known at ledger position {position}")
    tree = Tree(_node_text(root))
    _grow(tree, root)
    out.print(tree)


LABEL_WIDTH = 90
"""Longest label shown in the text tree (statements and rationales are cut; --json has
them whole)."""


def _node_text(node: TraceNode) -> Text:
    when = node.recorded_at.strftime("%Y-%m-%d %H:%M:%S") if node.recorded_at else "-"
    where = f"#{node.position}" if node.position is not None else "#?"
    label = node.label if len(node.label) <= LABEL_WIDTH else node.label[: LABEL_WIDTH - 3] + "..."
    extra = []
    if node.kind == "source" and "reliability" in node.details:
        extra.append(f"reliability {node.details['reliability'] or '?'}")
    for key in ("status", "role"):
        if key in node.details:
            extra.append(str(node.details[key]))
    if "role_of_report" in node.details:
        extra.append(f"report is {node.details['role_of_report']}")
    suffix = f" [{', '.join(extra)}]" if extra else ""
    return (
        Text(f"{where} {when}  ", style="dim")
        + Text(f"{node.kind} ", style="bold")
        + Text(f"{node.id}: {label}{suffix}")
    )


def _grow(tree: Tree, node: TraceNode) -> None:
    for child in node.children:
        _grow(tree.add(_node_text(child)), child)
