"""``ledger demo``: load the seed article's events and show what the ledger holds."""

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from ledger.cli.context import options, out, reporting_errors
from ledger.cli.posture import print_history, print_posture
from ledger.cli.project import run_projections
from ledger.cli.serve import Host, Port, announce, run_server, serving
from ledger.cli.tables import print_table
from ledger.demo import load_seed
from ledger.log.key_file import ensure_signer
from ledger.projection.service import POSTURE
from ledger.projection.views import SourceView
from ledger.runtime import bootstrap, describe_target
from ledger.web import keys
from ledger.web.keys import Role

SHOWN_CLAIM = "claim:seed-05"


def demo(
    ctx: typer.Context,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve",
            help="Then serve the HTTP API on it, printing an analyst key and a curl line.",
        ),
    ] = False,
    host: Host = "127.0.0.1",
    port: Port = 8000,
) -> None:
    """Load the example events of the seed article, project them, and show the posture.

    The example is a 2015 article on joint Russian, Iranian, Hezbollah and Iraqi
    operations rooms in Damascus and Baghdad and forces sent around Idlib, Aleppo and
    Sahel al-Ghab, encoded as sources, a document, claims, attributions and deployment
    reports. The demo then materializes the projections (as `ledger project` does) and
    ends with the force posture and the history of one attributed claim. Loading twice
    appends nothing the second time. With --serve it goes on to serve the HTTP API
    over the example (Ctrl-C stops it).
    """
    opts = options(ctx)
    settings = opts.settings()
    with reporting_errors(), bootstrap(settings) as runtime:
        # a working ledger, as `ledger init` leaves one: the projection run signs a
        # checkpoint, and `ledger checkpoint` works next
        signer, key_created = ensure_signer(settings.signing_key_path, settings.log_name)
        results = load_seed(runtime.store)
        head = runtime.store.head()
        run_projections(settings, opts.kafka_settings())  # shares this process's embedded server
        reads = runtime.reads
        counts = runtime.store.event_counts()
        at = reads.position(POSTURE)
        registered = reads.sources(at, limit=None).items
        rows = reads.posture(at, limit=None).items
        history = reads.claim(at, SHOWN_CLAIM)
    new = sum(1 for r in results if r.appended)
    out.print(Text("Intelligence ledger demo", style="bold") + f" ({describe_target(settings)})")
    out.print(
        f"seed article: {len(results)} events, {new} newly appended, "
        f"{len(results) - new} already present; head at position {head.position}, "
        f"hash {head.hash.hex()[:16]}..."
    )
    out.print()
    _counts(counts)
    _sources(registered)
    print_posture(rows, at.position)
    if history is not None:
        print_history(history, at.position)
    out.print()
    if key_created:
        out.print(
            f"signing key created: {settings.signing_key_path} "
            f"(log public key {signer.verifier.encode()})"
        )
    if not serve:
        out.print(
            f"next: ledger posture --actor actor:hezbollah    ledger history {SHOWN_CLAIM}    "
            "ledger posture --valid-at 2015-09-20    ledger demo --serve"
        )
        return
    with reporting_errors(), bootstrap(settings) as runtime, runtime.store.connection() as conn:
        made, key = keys.create(conn, Role.ANALYST, "demo analyst")
    base = f"http://{host}:{port}"
    out.print(f"analyst key {made.key_id} (revoke with `ledger keys revoke {made.key_id}`):")
    out.print(key)
    out.print(
        f'try: curl -s -H "Authorization: Bearer {key}" "{base}/posture?actor=actor:hezbollah"'
    )
    with serving(opts) as ready:
        announce(host, port, True, ready.active_keys)
        run_server(ready, host, port, workers=1, log_level="warning")


def _counts(counts: list[tuple[str, int]]) -> None:
    table = Table(title="Events by type", pad_edge=False)
    table.add_column("type")
    table.add_column("count", justify="right")
    for event_type, count in counts:
        table.add_row(event_type, str(count))
    print_table(out, table)


def _sources(registered: list[SourceView]) -> None:
    table = Table(title="Sources", pad_edge=False)
    for column in ("source", "kind", "name", "reliability"):
        table.add_column(column)
    for source in registered:
        reliability = source.reliability.value if source.reliability else "-"
        table.add_row(source.source_id, source.kind, source.name, reliability)
    print_table(out, table)
