"""``ledger record``: a report (YAML or JSON) expanded into events and appended."""

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from ledger.authoring.report import Report
from ledger.cli.context import err, options, out, reporting_errors
from ledger.cli.render import counted
from ledger.domain.events import Event
from ledger.domain.references import Kind
from ledger.errors import ValidationFailed
from ledger.intake import OPERATOR_CALLER, Encoded, Options, check, submit
from ledger.intake.decoding import NotJson, utf8_text
from ledger.intake.limits import InputLimits
from ledger.intake.lines import describe_error
from ledger.intake.sinks import DirectSink
from ledger.runtime import open_ledger
from ledger.store.gazetteer import entries


def _report_loader(yaml: Any) -> Any:
    """PyYAML's safe loader, except that times and dates stay text: the report model
    reads them by the ledger's rule for moments, so a typo such as 2015-13-02 is an error
    naming its field (PyYAML's own reading would fail with a bare ValueError), and a
    date alone is the start of that day in UTC, as everywhere else."""

    class ReportLoader(yaml.SafeLoader):  # type: ignore[misc]
        pass

    ReportLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return ReportLoader


_TIMESTAMP = "tag:yaml.org,2002:timestamp"


def _keys_not_text(data: Any, where: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """(path, key) of every mapping key that is not text, such as the 0 YAML makes of
    ``{strength: about 2,000}`` (two entries: ``strength: about 2`` and ``000``)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if not isinstance(key, str):
                yield where, key
            else:
                yield from _keys_not_text(value, (*where, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _keys_not_text(item, (*where, index))


def read_report(raw: bytes, source: str, limits: InputLimits) -> Report:
    """The report in ``raw`` (YAML, of which JSON is a part), or every problem with it."""
    if len(raw) > limits.max_body_bytes:
        raise ValidationFailed(
            [f"{source}: {len(raw):,} bytes is more than the {limits.max_body_bytes:,} allowed"]
        )
    import yaml  # only `ledger record` reads YAML: not loaded by the other commands

    try:
        text = utf8_text(raw)
        if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text)):
            raise ValidationFailed(
                [f"{source}: YAML aliases (*name) are not accepted in a report; write it out"]
            )
        data: Any = yaml.load(text, Loader=_report_loader(yaml))
    except NotJson as exc:
        raise ValidationFailed([f"{source}: {exc}"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "cannot be read"
        raise ValidationFailed([f"{source}: not valid YAML{where}: {problem}"]) from None
    except RecursionError:
        raise ValidationFailed([f"{source}: nested too deeply to read"]) from None
    if not isinstance(data, dict):
        raise ValidationFailed([f"{source}: expected a report (a mapping with document:)"])
    odd = list(_keys_not_text(data, ()))
    if odd:
        raise ValidationFailed(
            [
                f"{source}, field {'.'.join(map(str, where)) or '(top)'}: the key {key!r} is not"
                " text; inside {...} a comma separates entries, so quote a value that holds"
                ' one (strength: "about 2,000")'
                for where, key in odd
            ]
        )
    try:
        return Report.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(
            [
                f"{source}, field {'.'.join(map(str, e['loc']))}: {describe_error(e, 'a report')}"
                for e in exc.errors(include_url=False)
            ]
        ) from None


def _within_limits(events: list[Event], source: str, limits: InputLimits) -> None:
    """The limits every input path applies hold for recorded events too."""
    problems = [
        f"{source} (event {n} of the expansion, {event.event_type()}), field "
        f"{'.'.join(map(str, loc))}: {reason}"
        for n, event in enumerate(events, start=1)
        for loc, reason in limits.problems(event.model_dump(mode="json"))
    ]
    if problems:
        raise ValidationFailed(problems)


def record(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(metavar="FILE", help="Report (YAML or JSON), or -.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the events as JSON Lines; append nothing.")
    ] = False,
    allow_unresolved: Annotated[
        bool,
        typer.Option("--allow-unresolved", help="Append references to things not registered."),
    ] = False,
) -> None:
    """Record a report: one document, its claims and deployments, without hand-written ids.

    The report names actors, places and sources by id, name or alias (case does not
    matter); a name the ledger does not know is an error with suggestions, unless the
    report declares it under actors:, places: or sources:, which registers it. Strengths
    are written as text ("over 4000", "about 2,000", "between 300 and 400", "thousands")
    and read through the table in the README. Event ids are derived from the content,
    so recording the same report again appends nothing new. Directly to PostgreSQL only.
    The format is in the README ("Recording a report"); examples/seed-article.report.yaml
    is a full example.
    """
    opts = options(ctx)
    settings = opts.settings()
    with reporting_errors():
        source = "<stdin>" if file == "-" else file
        try:
            raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as exc:
            raise ValidationFailed([f"{file}: cannot read: {exc.strerror}"]) from None
        report = read_report(raw, source, settings.limits)
        with open_ledger(settings) as ledger:
            from ledger.authoring.expand import expand  # loaded by this command alone

            known = list(entries(ledger, [Kind.ACTOR, Kind.PLACE, Kind.SOURCE]))
            events = expand(report, known, source)
            _within_limits(events, source, settings.limits)
            batch = Encoded.of(events, ledger.encode, first=1)
            recording = Options(
                label=lambda n: f"{source} (event {n} of the expansion)",
                allow_unresolved=allow_unresolved,
            )
            if dry_run:
                check(batch, OPERATOR_CALLER, recording, DirectSink(ledger))
                for event in events:
                    body = event.model_dump(mode="json", exclude_none=True)
                    sys.stdout.write(json.dumps({"type": event.event_type(), **body}) + "\n")
                err.print(f"{counted(len(events), 'event')}; nothing appended (--dry-run)")
                return
            receipts = submit(batch, OPERATOR_CALLER, recording, DirectSink(ledger))
    new = [r.position for r in receipts if r.appended and r.position is not None]
    out.print(
        f"recorded {source}: {counted(len(events), 'event')}, {len(new)} new"
        + (f" (positions {min(new)}-{max(new)})" if new else "; all were already in the ledger")
    )
