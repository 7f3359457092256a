"""``ledger audit``: prove integrity, replay past moments, trace answers, export the ledger.

Exit codes of every audit command: 0 clean, 1 an integrity failure or a difference was
found (the first bad position is named), 2 the check could not run (database or Kafka
unreachable, bad usage, unreadable file).
"""

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text
from rich.tree import Tree

from ledger.audit.export import export as export_ledger
from ledger.audit.export import import_check as check_file
from ledger.audit.proofs import answer_positions
from ledger.audit.proofs import prove as prove_events
from ledger.audit.replay import ReplayResult
from ledger.audit.replay import replay as replay_ledger
from ledger.audit.report import VerifyReport
from ledger.audit.trace import TraceNode, trace_claim, trace_posture
from ledger.audit.verify import Anchor
from ledger.audit.verify import verify as verify_ledger
from ledger.cli.context import EXIT_CANNOT_RUN, EXIT_INVALID, err, error_line, options, out
from ledger.cli.moments import MOMENT_HELP, given_time
from ledger.codec.single_object import AvroCodec
from ledger.config import reader_clearance
from ledger.domain.gazetteer import NameAmbiguous, NameNotFound
from ledger.domain.marking import Clearance
from ledger.errors import LedgerError, explained
from ledger.log.bundle import BundleError, check_bundle
from ledger.log.checkpoint import Checkpoint
from ledger.log.key_file import load_signer
from ledger.log.note import NoteError, Verifier, parse_note
from ledger.projection import claim_names
from ledger.projection.service import POSTURE
from ledger.runtime import bootstrap, open_ledger

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

AsJson = Annotated[bool, typer.Option("--json", help="Machine-readable output (JSON).")]
ExpectAnchor = Annotated[
    list[str] | None,
    typer.Option(
        "--expect-anchor",
        metavar="POSITION:HASH",
        help="A hash recorded earlier with --anchor; fails if the history up to POSITION "
        "no longer has it. May be given several times.",
    ),
]


@contextmanager
def _could_not_run() -> Iterator[None]:
    """Any error before a verdict means the audit could not run: exit 2, never 1."""
    try:
        yield
    except LedgerError as exc:
        err.print(error_line(explained(exc)))
        raise typer.Exit(EXIT_CANNOT_RUN) from None
    except KeyboardInterrupt:
        err.print("interrupted")
        raise typer.Exit(130) from None


@contextmanager
def _progress(label: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr while on a terminal; a silent callback when piped."""
    if not sys.stderr.isatty():
        yield lambda _: None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )
    with bar:
        task = bar.add_task(label, total=total)
        yield lambda done: bar.update(task, completed=done)


def _anchors(texts: list[str] | None) -> list[Anchor]:
    return [Anchor.parse(t) for t in texts or []]


def _print_report(report: VerifyReport, show_anchor: bool) -> None:
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


def _finish(report: VerifyReport, as_json: bool, show_anchor: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(report.as_json(), indent=2) + "\n")
    else:
        _print_report(report, show_anchor)
    if not report.ok:
        raise typer.Exit(EXIT_INVALID)


@app.command("verify")
def verify(
    ctx: typer.Context,
    start: Annotated[
        int, typer.Option("--from", metavar="POSITION", help="First position to verify.")
    ] = 1,
    end: Annotated[
        int | None,
        typer.Option("--to", metavar="POSITION", help="Last position to verify (default: head)."),
    ] = None,
    anchor: Annotated[
        bool,
        typer.Option(
            "--anchor",
            help="Print POSITION:HASH of the last verified event; record it, and later prove "
            "the history before it unchanged with --expect-anchor.",
        ),
    ] = False,
    expect_anchor: ExpectAnchor = None,
    no_projections: Annotated[
        bool,
        typer.Option("--no-projections", help="Skip comparing projections with a fresh replay."),
    ] = False,
    key: Annotated[
        str | None,
        typer.Option(
            "--key",
            metavar="PUBKEY",
            help="The log's verifier key (`ledger checkpoint --public-key`) to check the "
            "checkpoints' signatures with; default: the key of LEDGER_SIGNING_KEY_FILE.",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            metavar="N",
            help="Processes a whole-ledger verify of 200,000 events or more splits its "
            "checks over (default: one per core; 1 keeps one pass).",
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Prove that nothing in the ledger was altered.

    Checks that positions are contiguous, record time never goes backwards, the hash chain
    holds, the Merkle tree is the hash of the events and every signed checkpoint is valid
    and fits it, every schema registry entry matches its fingerprint, every payload decodes with
    its registered schema and agrees with the columns beside it, event ids are unique, and
    (for the whole ledger) that every Kafka offset up to the archiver's position was
    archived exactly once or kept as rejected (reading the topic when
    LEDGER_KAFKA_BOOTSTRAP is set) and that each projection equals a fresh replay.

    With --from/--to only that range is checked; the event before --from is taken as
    stored. Exit 0 clean, 1 integrity failure (the first bad position is named), 2 could
    not run.
    """
    opts = options(ctx)
    with _could_not_run():
        anchors = _anchors(expect_anchor)
        log_key = _log_key(key, opts.settings().signing_key_path)
        kafka = opts.kafka_settings()
        with open_ledger(opts.settings()) as ledger:
            last = end if end is not None else ledger.head().position
            with _progress("verifying", max(last - start + 1, 0)) as told:
                report = verify_ledger(
                    ledger,
                    start=start,
                    end=end,
                    anchors=anchors,
                    kafka=kafka if kafka.enabled else None,
                    projections=not no_projections,
                    progress=told,
                    log_key=log_key,
                    workers=workers,
                )
    _finish(report, as_json, anchor)


def _log_key(given: str | None, key_file: Path) -> Verifier | None:
    """The verifier key given, else that of the signing key file when there is one."""
    if given is not None:
        try:
            return Verifier.parse(given)
        except NoteError as exc:
            raise LedgerError(f"--key: {exc}") from None
    return load_signer(key_file).verifier if key_file.exists() else None


@app.command("replay")
def replay(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="TIME",
            help="Record time to replay (default: now, the head). " + MOMENT_HELP,
        ),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            help="Write each table as DIR/<table>.csv with a manifest, instead of keeping "
            "a scratch schema.",
        ),
    ] = None,
    schema: Annotated[
        str | None,
        typer.Option(
            "--schema",
            metavar="NAME",
            help="Scratch schema to build in (replaced if it exists); default "
            "projection_replay_<position>.",
        ),
    ] = None,
    compare: Annotated[
        bool,
        typer.Option(
            "--compare",
            help="Report where the live projections, asked as of the same time, differ.",
        ),
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Rebuild every projection as it was at record time T, from the events alone.

    Folds the ledger up to the last event recorded at or before T into a scratch schema
    (never the live one), or into CSV files with --out (same ledger, same bytes). With
    --compare, the live projections' as-of answers (fact rows, posture, sources) are
    compared with the replay; any difference exits 1.
    """
    opts = options(ctx)
    with _could_not_run():
        moment = given_time(as_of, "--as-of")
        if schema is not None and (schema == "projection" or not schema.isidentifier()):
            raise LedgerError(
                f"--schema {schema!r}: give a new name of letters, digits and underscores"
            )
        with open_ledger(opts.settings()) as ledger:
            position = ledger.position_at(moment) if moment else ledger.head().position
            with _replay_progress(position) as told:
                result = replay_ledger(
                    ledger,
                    as_of=moment,
                    position=position,
                    schema=schema,
                    out=out_dir,
                    compare=compare,
                    progress=told,
                    clearance=reader_clearance(opts.settings()),
                )
    if as_json:
        sys.stdout.write(json.dumps(result.as_json(), indent=2) + "\n")
    else:
        _print_replay(result)
    if result.differences:
        raise typer.Exit(EXIT_INVALID)


@contextmanager
def _replay_progress(position: int) -> Iterator[Callable[[str, int], None]]:
    if not sys.stderr.isatty():
        yield lambda _name, _reached: None
        return
    bar = Progress(
        TextColumn("{task.description:<14}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
    )
    with bar:
        tasks: dict[str, Any] = {}

        def told(name: str, reached: int) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=position)
            bar.update(tasks[name], completed=reached)

        yield told


def _print_replay(result: ReplayResult) -> None:
    when = result.as_of.isoformat() if result.as_of else "the head"
    out.print(
        f"Replayed the projections as of {when}: ledger position {result.position} "
        f"(hash {result.head_hash.hex()[:16]}...) in {result.seconds:.1f} s"
    )
    where = f"schema {result.schema}" if result.schema else f"directory {result.out}"
    out.print(f"  written to {where}")
    for name, digest in result.digests.items():
        out.print(f"  {name:<14} digest {digest}")
    out.print("  rows: " + ", ".join(f"{t} {n}" for t, n in result.rows.items()))
    if not result.compared:
        return
    if not result.differences:
        out.print(Text("The live projections answer exactly the same as of then.", style="bold"))
        return
    out.print(
        Text(
            f"{len(result.differences)} difference(s) from the live projections:", style="bold red"
        )
    )
    for difference in result.differences:
        out.print(f"  - {difference}")


@app.command("trace")
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
    with _could_not_run():
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


@app.command("export")
def export(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The .avro file to write.")],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="TIME", help="Export what was recorded by this time. " + MOMENT_HELP
        ),
    ] = None,
    codec: Annotated[
        str,
        typer.Option("--codec", metavar="deflate|null", help="Block compression of the file."),
    ] = "deflate",
    clearance: Annotated[
        str | None,
        typer.Option(
            "--clearance",
            metavar="LEVEL",
            help="Redact for a reader of this clearance: the events it may not see keep "
            "only their position, record time and hashes (default: the global --clearance, "
            "else everything).",
        ),
    ] = None,
    compartment: Annotated[
        list[str] | None,
        typer.Option("--compartment", metavar="NAME", help="A compartment --clearance holds."),
    ] = None,
) -> None:
    """Write the ledger (up to --as-of) as a standard Avro object container file.

    One record per event: position, columns, record time, the single-object bytes as
    written, the schema fingerprint, prev_hash and hash; the file's metadata holds every
    writer schema and the head hash. Any Avro tool reads it; `ledger audit import-check
    FILE` re-verifies it offline. With --clearance, the events that clearance may not see
    are redacted, and import-check still verifies the whole chain through them.
    """
    opts = options(ctx)
    with _could_not_run():
        codec = codec.strip().lower()
        if codec not in ("deflate", "null"):
            raise LedgerError(f"--codec {codec!r}: choose deflate or null")
        moment = given_time(as_of, "--as-of")
        if compartment and clearance is None:
            raise LedgerError("--compartment needs --clearance LEVEL")
        try:
            held = (
                Clearance.of(clearance.upper(), compartment or [])
                if clearance is not None
                else reader_clearance(opts.settings())
            )
        except ValueError as exc:
            raise LedgerError(f"--clearance: {exc}") from None
        with open_ledger(opts.settings()) as ledger:
            total = ledger.head().position
            partial = file.with_name(file.name + ".partial")
            try:
                with partial.open("wb") as handle, _progress("exporting", total) as told:
                    last, head_hash = export_ledger(
                        ledger, handle, as_of=moment, codec=codec, progress=told, clearance=held
                    )
            except OSError as exc:
                partial.unlink(missing_ok=True)
                raise LedgerError(f"{file}: cannot write the export: {exc.strerror}") from None
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
            partial.replace(file)
    out.print(f"wrote {last:,} events to {file}")
    out.print(f"head {last}:{head_hash.hex()}")


@app.command("import-check")
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
    with _could_not_run():
        anchors = _anchors(expect_anchor)
        with _progress("checking", None) as told:
            report = check_file(file, anchors=anchors, known=AvroCodec().registry, progress=told)
    _finish(report, as_json, show_anchor=False)


@app.command("prove")
def prove(
    ctx: typer.Context,
    positions: Annotated[
        list[int] | None,
        typer.Argument(metavar="[POSITION]...", help="Ledger positions of the events to prove."),
    ] = None,
    answer: Annotated[
        Path | None,
        typer.Option(
            "--answer",
            metavar="FILE",
            help="An answer as `--json` prints it (`-` reads stdin): prove every event it "
            "rests on (its `positions` lists and `..._position` values).",
        ),
    ] = None,
    out_file: Annotated[
        Path,
        typer.Option(
            "--out", metavar="FILE", help="Where to write the bundle (`-`: standard output)."
        ),
    ] = Path("proof.json"),
    since: Annotated[
        list[int] | None,
        typer.Option(
            "--since",
            metavar="SIZE",
            help="Also prove that the checkpoint extends the tree of SIZE events (one a "
            "reader saw before); may be given several times.",
        ),
    ] = None,
) -> None:
    """Write a self-contained proof bundle: events' exact bytes, their inclusion proofs,
    and the signed checkpoint (with its cosignatures) they rest on.

    Anyone with the log's public key can check it offline with `ledger audit check-proof`.
    When no checkpoint covers the events yet, one is signed first (needs the signing key).
    """
    opts = options(ctx)
    with _could_not_run():
        wanted = list(positions or [])
        if answer is not None:
            wanted += answer_positions(_read_json(answer))
        settings = opts.settings()
        signer = (
            load_signer(settings.signing_key_path) if settings.signing_key_path.exists() else None
        )
        with open_ledger(settings) as ledger:
            bundle = prove_events(ledger, wanted, signer=signer, since=since or [])
        data = bundle.encode()
        to_stdout = str(out_file) == "-"
        try:
            if to_stdout:
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
            else:
                out_file.write_bytes(data)
        except OSError as exc:
            raise LedgerError(f"{out_file}: cannot write the bundle: {exc.strerror}") from None
    size = Checkpoint.parse(parse_note(bundle.checkpoint).text).size
    # the bundle alone on standard output: the summary goes to stderr then
    (err if to_stdout else out).print(
        f"wrote {'the bundle to standard output' if to_stdout else out_file}: "
        f"{len(bundle.events)} event(s) proven in the tree of {size:,} events ({len(data):,} bytes)"
    )


def _read_json(path: Path) -> Any:
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
        return json.loads(text)
    except OSError as exc:
        raise LedgerError(f"{path}: cannot read the answer: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise LedgerError(f"{path}: the answer is not JSON: {exc}") from None


def _not_proven(problem: str, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps({"ok": False, "problem": problem}) + "\n")
    else:
        out.print(Text("NOT PROVEN: ", style="bold red") + Text(problem))
    raise typer.Exit(EXIT_INVALID)


def _check_stix(
    data: bytes, log_key: Verifier, witnesses: list[Verifier], min_witnesses: int, as_json: bool
) -> None:
    from ledger.stix.proofs import check_stix  # only this mode reads STIX

    try:
        checked = check_stix(data, log_key, witnesses, min_witnesses)
    except BundleError as exc:
        _not_proven(str(exc), as_json)
        return
    if as_json:
        document = {
            "ok": True,
            "log": checked.checkpoint.origin,
            "tree_size": checked.checkpoint.size,
            "root": checked.checkpoint.root.hex(),
            "objects": checked.objects,
            "events": checked.events,
            "witnesses": checked.witnesses,
        }
        sys.stdout.write(json.dumps(document) + "\n")
        return
    out.print(
        Text("PROVEN: ", style="bold green")
        + Text(
            f"{checked.objects} STIX object(s) are what the {checked.events} proven event(s) "
            f"they rest on say, in the tree of {checked.checkpoint.size:,} events signed by "
            f"{checked.checkpoint.origin}"
            + (f", cosigned by {', '.join(checked.witnesses)}" if checked.witnesses else "")
        )
    )


@app.command("check-proof")
def check_proof(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="A bundle from `ledger audit prove` (or, with --stix, a STIX export).",
        ),
    ],
    key: Annotated[
        str,
        typer.Option("--key", metavar="PUBKEY", help="The log's verifier key (NAME+KEYID+BASE64)."),
    ],
    witness_key: Annotated[
        list[str] | None,
        typer.Option(
            "--witness-key",
            metavar="PUBKEY",
            help="A witness's verifier key whose cosignature counts; may be repeated.",
        ),
    ] = None,
    min_witnesses: Annotated[
        int,
        typer.Option("--min-witnesses", metavar="N", min=0, help="Valid cosignatures required."),
    ] = 0,
    seen: Annotated[
        Path | None,
        typer.Option(
            "--seen",
            metavar="NOTE",
            help="A checkpoint of this log seen before: the bundle must show the same "
            "tree or one consistent with it (catches a forked or shrunk log).",
        ),
    ] = None,
    stix: Annotated[
        bool,
        typer.Option(
            "--stix",
            help="FILE is a STIX bundle from `ledger export stix --proofs`: check every "
            "object in it against the proven events it rests on.",
        ),
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Verify a proof bundle offline, with no database: the checkpoint's signature (and
    witnesses' cosignatures), each event's inclusion in the signed tree, and consistency
    with a checkpoint seen before. With --stix, every object of a STIX export is rebuilt
    from the proven events it names and must be exactly what they say. Exit 0 proven,
    1 not, 2 unreadable input."""
    with _could_not_run():
        try:
            log_key = Verifier.parse(key)
            witnesses = [Verifier.parse(k) for k in witness_key or []]
        except NoteError as exc:
            raise LedgerError(f"--key/--witness-key: {exc}") from None
        try:
            data = file.read_bytes()
            earlier = seen.read_text(encoding="utf-8") if seen is not None else None
        except (OSError, UnicodeDecodeError) as exc:
            raise LedgerError(f"cannot read {exc}") from None
    if stix:
        if seen is not None:
            err.print(error_line("--seen checks a proof bundle's tree; it does not go with --stix"))
            raise typer.Exit(EXIT_CANNOT_RUN)
        _check_stix(data, log_key, witnesses, min_witnesses, as_json)
        return
    try:
        checked = check_bundle(data, log_key, witnesses, min_witnesses, earlier)
    except BundleError as exc:
        if as_json:
            sys.stdout.write(json.dumps({"ok": False, "problem": str(exc)}) + "\n")
        else:
            out.print(Text("NOT PROVEN: ", style="bold red") + Text(str(exc)))
        raise typer.Exit(EXIT_INVALID) from None
    if as_json:
        document = {
            "ok": True,
            "log": checked.checkpoint.origin,
            "tree_size": checked.checkpoint.size,
            "root": checked.checkpoint.root.hex(),
            "positions": checked.positions,
            "witnesses": checked.witnesses,
        }
        sys.stdout.write(json.dumps(document) + "\n")
        return
    out.print(
        Text("PROVEN: ", style="bold green")
        + Text(
            f"{len(checked.positions)} event(s) are in the tree of {checked.checkpoint.size:,} "
            f"events signed by {checked.checkpoint.origin}"
            + (f", cosigned by {', '.join(checked.witnesses)}" if checked.witnesses else "")
        )
    )
