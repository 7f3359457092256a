"""The checkpoint check of ``verify``: every signed checkpoint the ledger keeps is a valid
note of the log's key, agrees with its row, and fits the ledger as it is now (its root is
compared with the recomputed tree while the events are scanned, see ``tree_check``)."""

from collections.abc import Sequence

from ledger.audit.report import CheckOutcome, Findings
from ledger.log.checkpoint import Checkpoint
from ledger.log.note import NoteError, Verifier, open_note, parse_note
from ledger.store.checkpoints import StoredCheckpoint


def signed_roots(
    stored: Sequence[StoredCheckpoint],
    findings: Findings,
    key: Verifier | None,
    head: int,
    start: int,
    last: int,
) -> tuple[dict[int, tuple[bytes, str]], CheckOutcome]:
    """The roots the scan must meet (size -> root, label) and the outcome so far."""
    roots: dict[int, tuple[bytes, str]] = {}
    before = findings.count("checkpoint")
    for checkpoint in stored:
        label = f"the checkpoint of size {checkpoint.size}"
        where = checkpoint.size if checkpoint.size > 0 else None
        try:
            note = open_note(checkpoint.note, key) if key else parse_note(checkpoint.note)
            body = Checkpoint.parse(note.text)
        except NoteError as exc:
            findings.add("checkpoint", where, f"{label} is not a valid signed note: {exc}")
            continue
        if (body.size, body.root) != (checkpoint.size, checkpoint.root):
            findings.add("checkpoint", where, f"{label}: its row differs from its signed note")
            continue
        if key is not None and body.origin != key.name:
            findings.add("checkpoint", where, f"{label} names another log ({body.origin!r})")
        if checkpoint.size > head:
            findings.add(
                "checkpoint",
                head + 1,
                f"the ledger ends at position {head}, but {label} was signed: events were removed",
            )
        elif start <= checkpoint.size <= last and checkpoint.size > 0:
            roots[checkpoint.size] = (body.root, label)
    signatures = "signatures checked" if key else "signatures NOT checked (no log key)"
    outcome = CheckOutcome(
        "checkpoint",
        "failed" if findings.count("checkpoint") > before else "passed",
        f"{len(stored)} signed checkpoint(s) fit the tree; {signatures}",
    )
    return roots, outcome
