"""Global options wherever they are typed: ``ledger posture --clearance SECRET`` as
``ledger --clearance SECRET posture``.

Before parsing, each global option (and its value) found after the command is moved in
front of it, unless that command has an option of the same name (``ledger keys create
--clearance`` is the key's own clearance) or it comes after ``--``.
"""

from collections.abc import Sequence
from typing import Any

import typer.core


def _names(params: Sequence[Any]) -> tuple[set[str], set[str]]:
    """The option names of ``params``, and those of them that take a value."""
    names: set[str] = set()
    valued: set[str] = set()
    for param in params:
        if not isinstance(param, typer.core.TyperOption):
            continue
        spelled = {*param.opts, *param.secondary_opts}
        names |= spelled
        if not param.is_flag and not param.count:
            valued |= spelled
    return names, valued


def hoisted(group: typer.core.TyperGroup, ctx: Any, args: list[str]) -> list[str]:
    """``args`` with the global options typed after the command moved before it."""
    globals_, global_valued = _names(group.params)
    at = 0
    while at < len(args) and args[at].split("=", 1)[0] in globals_:
        at += 2 if args[at] in global_valued else 1
    command: Any = group
    start = at
    while isinstance(command, typer.core.TyperGroup) and at < len(args):
        found = command.get_command(ctx, args[at])
        if found is None:
            return args
        command, at = found, at + 1
    path = args[start:at]
    own, own_valued = _names(command.get_params(ctx))
    moved: list[str] = []
    rest: list[str] = []
    while at < len(args):
        word = args[at]
        if word == "--":
            rest += args[at:]
            break
        name = word.split("=", 1)[0]
        target = moved if name in globals_ and name not in own else rest
        valued = global_valued if target is moved else own_valued
        take = 2 if word in valued else 1
        target += args[at : at + take]
        at += take
    return args[:start] + moved + path + rest


class GlobalOptionsAnywhere(typer.core.TyperGroup):
    """The root group: accepts its options after the command too."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoisted(self, ctx, list(args)))
