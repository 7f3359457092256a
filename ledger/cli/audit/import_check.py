"""``ledger audit import-check``: an exported ledger file re-verified offline."""

from pathlib import Path
from typing import Annotated

import typer

from ledger.audit.export import import_check as check_file
from ledger.cli.audit.running import AsJson, ExpectAnchor, could_not_run, parse_anchors, progress
from ledger.cli.audit.verdict import finish
from ledger.codec.single_object import AvroCodec


def import_check(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A file from `ledger audit export`.")
    ],
    expect_anchor: ExpectAnchor = None,
    as_json: AsJson = False,
) -> None:
    """Re-verify an exported ledger file offline, without the database.

    Recomputes the whole hash chain from the file's records, decodes every payload with
    the writer schema stored in the file (after checking each schema against its
    fingerprint), and checks the last hash against the head hash in the metadata and
    any --expect-anchor. Exit 0 clean, 1 integrity failure, 2 unreadable file.
    """
    with could_not_run():
        anchors = parse_anchors(expect_anchor)
        with progress("checking", None) as told:
            report = check_file(file, anchors=anchors, known=AvroCodec().registry, progress=told)
    finish(report, as_json, show_anchor=False)
