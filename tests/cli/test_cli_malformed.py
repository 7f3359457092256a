"""Every kind of malformed line through ``ledger append`` (the typer app in process, and
once as a subprocess on stdin): exit 1, a sentence naming the line, no traceback, and
nothing appended."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger.cli.main import app
from ledger.config import Settings
from ledger.runtime import open_ledger
from tests.helpers import (
    create_database,
    database_url_for,
    drop_database,
    ledger_cli,
    ledger_cli_bytes,
)
from tests.malformed import KIND_NAMES, kinds, valid

BY_KIND = {m.kind: m for m in kinds()}


@pytest.fixture(scope="module")
def shared_url(server_url: str, template_db: str) -> Iterator[str]:
    """One empty ledger for the module: every test checks it stays empty."""
    name = create_database(server_url, template_db)
    yield database_url_for(server_url, name)
    drop_database(server_url, name)


def _head(url: str) -> int:
    with open_ledger(Settings(database_url=url)) as ledger:
        return ledger.head().position


def _lines(*lines: bytes) -> bytes:
    return b"\n".join(lines) + b"\n"


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_malformed_line_is_refused_by_line(shared_url: str, tmp_path: Path, kind: str) -> None:
    good = json.dumps(valid("ActorRegistered")).encode()
    file = tmp_path / "in.jsonl"
    file.write_bytes(
        _lines(good, BY_KIND[kind].raw, json.dumps(valid("SourceRegistered")).encode())
    )
    result = CliRunner().invoke(app, ["append", str(file)], env={"LEDGER_DATABASE_URL": shared_url})
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "in.jsonl line 2" in result.output
    assert "nothing appended" in result.output
    assert len(result.output) < 5_000, "the message echoes too much of the bad value"
    assert _head(shared_url) == 0


def test_every_kind_on_stdin_is_named_by_its_line(shared_url: str) -> None:
    """The whole generator as one stream on stdin, through the real command: each bad
    line named by its own number, counted as a file's lines would be."""
    bad = list(BY_KIND.values())[:40]
    good = json.dumps(valid("ActorRegistered", name="one\u2028two"), ensure_ascii=False)
    stdin = _lines(good.encode(), *(m.raw for m in bad))
    result = ledger_cli_bytes("append", "-", "--dry-run", database_url=shared_url, stdin=stdin)
    assert result.returncode == 1
    stderr = result.stderr.decode()
    assert "Traceback" not in stderr
    for number, malformed in enumerate(bad, start=2):
        assert f"<stdin> line {number}:" in stderr or f"<stdin> line {number}," in stderr, (
            malformed.kind
        )


def test_stdin_is_split_exactly_as_a_file(shared_url: str, tmp_path: Path) -> None:
    """U+2028 inside a string is not a line break: both count the bad line as line 2."""
    first = json.dumps(valid("ActorRegistered", name="one\u2028two"), ensure_ascii=False)
    data = _lines(first.encode(), b"{broken")
    file = tmp_path / "in.jsonl"
    file.write_bytes(data)
    from_file = ledger_cli("append", str(file), database_url=shared_url)
    from_stdin = ledger_cli_bytes("append", "-", database_url=shared_url, stdin=data)
    assert from_file.returncode == from_stdin.returncode == 1
    assert f"{file} line 2: not valid JSON" in from_file.stderr
    stdin_says = from_stdin.stderr.decode()
    assert "error: 1 invalid input(s)" in stdin_says and "line 3" not in stdin_says
    assert "<stdin> line 2: not valid JSON" in stdin_says


def test_a_byte_order_mark_is_dropped_as_over_http(shared_url: str, tmp_path: Path) -> None:
    file = tmp_path / "bom.jsonl"
    file.write_bytes(b"\xef\xbb\xbf" + _lines(json.dumps(valid("ActorRegistered")).encode()))
    result = ledger_cli("append", str(file), "--dry-run", database_url=shared_url)
    assert result.returncode == 0, result.stderr
    assert "1 event valid" in result.stdout  # never "1 events"


def test_limits_follow_the_environment(shared_url: str, tmp_path: Path) -> None:
    file = tmp_path / "in.jsonl"
    file.write_bytes(_lines(json.dumps(valid(statement="x" * 300)).encode()))
    result = ledger_cli(
        "append",
        str(file),
        "--dry-run",
        database_url=shared_url,
        env_extra={"LEDGER_MAX_TEXT_BYTES": "200"},
    )
    assert result.returncode == 1
    assert "line 1, field statement: text of 300 bytes is longer than the 200 allowed" in (
        result.stderr
    )


def test_a_long_unknown_field_name_is_cut_short(database_url: str) -> None:
    line = json.dumps({**valid(), "x" * 100_000: 1})
    result = ledger_cli("append", "-", stdin=line + "\n", database_url=database_url)
    assert result.returncode == 1
    assert "(100,000 characters): is not a field of ClaimAsserted" in result.stderr
    assert len(result.stderr) < 1_000, len(result.stderr)
