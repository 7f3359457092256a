"""``ledger audit``: prove integrity, replay past moments, trace answers, export the ledger.

Exit codes of every audit command: 0 clean, 1 an integrity failure or a difference was
found (the first bad position is named), 2 the check could not run (database or Kafka
unreachable, bad usage, unreadable file).
"""

import typer

from ledger.cli.audit import check_proof, export, import_check, prove, replay, trace, verify

app = typer.Typer(
    help=(
        "Audit the ledger: prove nothing was altered (verify), rebuild the projections as "
        "they were at a past moment (replay), trace an answer to the events it rests on "
        "(trace), hand the ledger to an auditor as a standard Avro file (export, "
        "import-check), and give anyone a proof bundle of events or of an answer that "
        "checks offline with the log's public key (prove, check-proof).\n\nExit codes: 0 "
        "clean, 1 integrity failure or difference found, 2 could not run."
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)

app.command("verify")(verify.verify)
app.command("replay")(replay.replay)
app.command("trace")(trace.trace)
app.command("export")(export.export)
app.command("import-check")(import_check.import_check)
app.command("prove")(prove.prove)
app.command("check-proof")(check_proof.check_proof)
