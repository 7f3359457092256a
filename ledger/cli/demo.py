"""``ledger demo``: load the seed article's events and show what the ledger holds."""

import typer
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from ledger.cli.context import options, out, reporting_errors
from ledger.cli.render import strength
from ledger.demo import Summary, load_seed, summarize
from ledger.runtime import describe_target, open_ledger

SHOWN_CLAIM = "claim:seed-05"


def demo(ctx: typer.Context) -> None:
    """Load the example events of the seed article and print a readable summary.

    The example is a 2015 article on joint Russian, Iranian, Hezbollah and Iraqi
    operations rooms in Damascus and Baghdad and forces sent around Idlib, Aleppo and
    Sahel al-Ghab, encoded as sources, a document, claims, attributions and deployment
    reports. Loading twice appends nothing the second time.
    """
    settings = options(ctx).settings()
    with reporting_errors(), open_ledger(settings) as ledger:
        results = load_seed(ledger)
        summary = summarize(ledger.read())
        head = ledger.head()
    new = sum(1 for r in results if r.appended)
    out.print(Text("Intelligence ledger demo", style="bold") + f" ({describe_target(settings)})")
    out.print(
        f"seed article: {len(results)} events, {new} newly appended, "
        f"{len(results) - new} already present; head at position {head.position}, "
        f"hash {head.hash.hex()[:16]}..."
    )
    out.print()
    _counts(summary)
    _sources(summary)
    _deployments(summary)
    _chain(summary, SHOWN_CLAIM)
    out.print()
    out.print(f"next: ledger events --stream {SHOWN_CLAIM}    ledger events --type ClaimAsserted")


def _counts(summary: Summary) -> None:
    table = Table(title="Events by type", pad_edge=False)
    table.add_column("type")
    table.add_column("count", justify="right")
    for event_type, count in sorted(summary.counts.items()):
        table.add_row(event_type, str(count))
    out.print(table)


def _sources(summary: Summary) -> None:
    table = Table(title="Sources", pad_edge=False)
    for column in ("source", "kind", "name", "reliability"):
        table.add_column(column)
    for source_id, source in summary.sources.items():
        reliability = summary.reliability.get(source_id)
        table.add_row(source_id, str(source.kind), source.name, str(reliability or "-"))
    out.print(table)


def _deployments(summary: Summary) -> None:
    table = Table(title="Reported deployments (as reported, not yet reconciled)", pad_edge=False)
    for column in ("actor", "activity", "place", "strength", "since", "grade", "pos"):
        table.add_column(column, justify="right" if column == "pos" else "left")
    for report, position in summary.deployments:
        table.add_row(
            summary.actor_name(report.actor_id),
            str(report.activity),
            report.place.name,
            strength(report.strength),
            report.valid_time.start.strftime("%Y-%m-%d"),
            summary.origin_grade(report.claim_id, report),
            str(position),
        )
    out.print(table)


def _chain(summary: Summary, claim_id: str) -> None:
    found = summary.claims.get(claim_id)
    if found is None:
        return
    claim, position = found
    tree = Tree(Text(f"{claim_id} (position {position})", style="bold"))
    node = tree
    for hop in summary.chain(claim_id):
        mode = hop.mode.lower().replace("_", " ")
        label = f"{hop.source_name} (reliability {hop.reliability or '?'}): {mode}"
        if hop.position:
            label += f" (position {hop.position})"
        node = node.add(label)
    out.print(f"Where {claim_id} comes from (the speaker, then who passed it on):")
    out.print(Text(f"  {claim.statement}"))
    out.print(tree)
