"""The deployment description runs real commands with real settings."""

from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml

from ledger.cli.main import app
from ledger.config import KafkaSettings, Settings

COMPOSE = Path(__file__).resolve().parents[2] / "infra" / "compose.yaml"


def _services() -> dict[str, Any]:
    services: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())["services"]
    return services


def _ledger_services() -> dict[str, Any]:
    return {name: s for name, s in _services().items() if s.get("image") == "ledger:latest"}


def _resolve(args: list[str]) -> Any:
    """Parse a full command line with the real CLI; raises on unknown commands or options."""
    command: Any = typer.main.get_command(app)
    assert args[0] == "ledger"
    ctx = command.make_context("ledger", args[1:])
    while hasattr(command, "resolve_command"):  # a group: descend into its subcommand
        protected = getattr(ctx, "_protected_args", None) or getattr(ctx, "protected_args", [])
        name, sub, rest = command.resolve_command(ctx, [*protected, *ctx.args])
        assert sub is not None, f"unknown command {name}"
        command = sub
        ctx = command.make_context(str(name), rest, parent=ctx)
    return command


def test_resolve_refuses_what_the_cli_refuses() -> None:
    for wrong in (["ledger", "archive", "--nope"], ["ledger", "kafka", "create"]):
        with pytest.raises(Exception, match="No such"):
            _resolve(wrong)
    assert _resolve(["ledger", "kafka", "init", "--partitions", "3"]).name == "init"


def test_the_deployment_has_archivers_and_setup() -> None:
    commands = [s["command"] for s in _ledger_services().values()]
    assert ["ledger", "init"] in commands
    assert sum(1 for c in commands if c[:2] == ["ledger", "archive"]) >= 2


def test_the_api_serves_on_every_interface_with_keys_on() -> None:
    (api,) = [s for s in _ledger_services().values() if s["command"][:2] == ["ledger", "serve"]]
    assert api["command"][api["command"].index("--host") + 1] == "0.0.0.0"
    assert "--insecure-no-auth" not in api["command"]
    assert "/health" in " ".join(api["healthcheck"]["test"])


def test_every_ledger_command_exists() -> None:
    for name, service in _ledger_services().items():
        command = _resolve([str(part) for part in service["command"]])
        assert command.callback is not None, name


def test_archivers_split_the_partitions_without_overlap() -> None:
    owned: list[int] = []
    for service in _ledger_services().values():
        command = [str(part) for part in service["command"]]
        if command[:2] == ["ledger", "archive"]:
            listed = command[command.index("--partitions") + 1]
            owned += [int(p) for p in listed.split(",")]
    partitions = int(
        next(iter(_ledger_services().values()))["environment"]["LEDGER_KAFKA_PARTITIONS"]
    )
    assert sorted(owned) == list(range(partitions))


def test_environment_names_real_settings() -> None:
    known = {f"LEDGER_{name.upper()}" for name in Settings.model_fields} | {
        f"LEDGER_KAFKA_{name.upper()}" for name in KafkaSettings.model_fields
    }
    for name, service in _ledger_services().items():
        for variable in service["environment"]:
            assert variable in known, f"{name}: {variable} is not a setting"
