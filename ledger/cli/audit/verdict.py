"""A verify report as the auditor reads it (or as JSON), and the exit code it gives:
``verify`` and ``import-check`` end here."""

import json
import sys

import typer
from rich.text import Text

from ledger.audit.report import VerifyReport
from ledger.cli.context import EXIT_INVALID, out


def print_report(report: VerifyReport, show_anchor: bool) -> None:
    span = f"positions {report.first}-{report.last}" if report.last >= report.first else "nothing"
    out.print(
        f"Verified {report.source}: {span} ({report.events:,} events) in {report.seconds:.1f} s"
    )
    for check in report.checks:
        mark = {"passed": "ok     ", "failed": "FAILED ", "skipped": "skipped"}[check.status]
        out.print(f"  {mark} {check.name:<16} {check.detail}")
    if report.ok:
        out.print(Text("No integrity problem found.", style="bold green"))
    else:
        first = report.first_finding()
        where = (
            f"at position {report.first_bad_position}"
            if report.first_bad_position is not None
            else "(no ledger position)"
        )
        out.print(
            Text(f"INTEGRITY FAILURE {where}: ", style="bold red")
            + Text(f"{first.check}: {first.problem}" if first else "")
        )
        for finding in report.findings.kept:
            out.print(f"  - {finding}")
        hidden = report.findings.total - len(report.findings.kept)
        if hidden > 0:
            out.print(f"  ... and {hidden:,} more")
    if show_anchor and report.anchor:
        out.print(f"anchor {report.anchor}")


def finish(report: VerifyReport, as_json: bool, show_anchor: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(report.as_json(), indent=2) + "\n")
    else:
        print_report(report, show_anchor)
    if not report.ok:
        raise typer.Exit(EXIT_INVALID)
