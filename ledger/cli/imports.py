"""``ledger import stix``: a STIX 2.1 bundle from the tools teams already run, into the
ledger through the same intake as ``ledger append``."""

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.context import err, options, out, reporting_errors, status
from ledger.cli.render import counted
from ledger.errors import ValidationFailed
from ledger.intake import OPERATOR_CALLER
from ledger.log.producer_signing import ProducerSigner
from ledger.runtime import open_sink
from ledger.stix.importing import DEFAULT_PRODUCER, import_bundle

app = typer.Typer(
    help="Import what other tools export (STIX 2.1 bundles) into the ledger.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("stix")
def stix(
    ctx: typer.Context,
    file: Annotated[
        str, typer.Argument(metavar="FILE", help="A STIX 2.1 bundle (JSON), or - for stdin.")
    ],
    recorded_by: Annotated[
        str,
        typer.Option(
            "--recorded-by",
            metavar="PRODUCER",
            help="The producer the events are recorded by (whose key signs them, if any).",
        ),
    ] = DEFAULT_PRODUCER,
    sign_with: Annotated[
        Path | None,
        typer.Option(
            "--sign-with",
            metavar="KEYFILE",
            help="Sign every event with this producer key (`ledger producers keygen`).",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Map and check the bundle; append nothing.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as one JSON document.")
    ] = False,
) -> None:
    """Import a STIX 2.1 bundle: all of it, or nothing.

    Identities become sources, threat actors and intrusion sets actors, locations
    places, reports documents, notes claims, opinions claims that corroborate or
    contradict, located-at relationships from an actor deployment reports, duplicate-of
    and derived-from between notes assessments, and TLP and the ledger's own markings
    classifications (a marking it does not know fails closed: UNKNOWN, seen by the
    operator only). Objects the ledger has no event for (malware, indicators,
    attributed-to, ...) are counted by type with the reason, never dropped silently.
    Event ids derive from the content, the STIX id and the producer (--recorded-by),
    so the same producer importing a bundle again appends nothing. The events go
    directly to PostgreSQL through the same checks as `ledger append` (limits,
    references, the producer key register); a refusal names the STIX object and
    property, and nothing is appended. The report says, per STIX type, how many
    objects were mapped, already held, and not mapped and why. The README's "Exchange:
    STIX 2.1" has the whole mapping.
    """
    opts = options(ctx)
    settings, kafka = opts.settings(), opts.kafka_settings()
    with reporting_errors():
        source = "<stdin>" if file == "-" else file
        try:
            raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as exc:
            raise ValidationFailed([f"{file}: cannot read: {exc.strerror}"]) from None
        signer = ProducerSigner.load(sign_with) if sign_with is not None else None
        with open_sink(settings, kafka, "direct") as sink, status(f"importing {source}"):
            outcome = import_bundle(
                raw,
                recorded_by=recorded_by,
                caller=OPERATOR_CALLER,
                sink=sink,
                source=source,
                limits=settings.limits,
                signer=signer,
                dry_run=dry_run,
            )
    report = outcome.report
    if as_json:
        document = {**report.to_json(), "appended": outcome.appended, "dry_run": dry_run}
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        return
    for line in report.lines():
        out.print(line, highlight=False)
    if dry_run:
        err.print(f"{counted(report.events, 'new event')}; nothing appended (--dry-run)")
    elif outcome.appended:
        positions = [r.position for r in outcome.receipts if r.appended and r.position]
        out.print(
            f"imported {source}: appended {counted(outcome.appended, 'event')} "
            f"(positions {min(positions)}-{max(positions)})"
        )
    else:
        err.print("nothing new appended: the ledger holds everything this bundle maps to")
