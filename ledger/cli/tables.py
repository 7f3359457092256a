"""Tables that never cut an id, a name or a figure: printed as tables where they fit the
terminal, else as one block per row."""

import textwrap

from rich.console import Console
from rich.table import Column, Table


def _longest_word(column: Column) -> int:
    cells = [str(column.header), *map(str, column.cells)]
    return max(len(word) for cell in cells for word in [*cell.split(), ""])


def fits(table: Table, width: int) -> bool:
    """Whether ``table`` fits ``width`` with every column as wide as its longest word
    (header included), so that wrapping never has to cut a word, an id or a figure."""
    needed = len(table.columns) + 1  # the borders
    return needed + sum(_longest_word(c) + 2 for c in table.columns) <= width


def print_table(console: Console, table: Table) -> None:
    """The table, or where it would not fit the terminal without cutting an id, a name
    or a figure mid-word, one block per row: the first column as its heading, then each
    other column as ``name: value``, wrapped at spaces only."""
    if fits(table, console.width):
        for column in table.columns:  # rich may narrow a column, never below a word
            column.min_width = max(column.min_width or 0, _longest_word(column))
        console.print(table)
        return
    if table.title:
        console.print(str(table.title))
    headers = [" ".join(str(c.header).split()) for c in table.columns]
    rows = zip(*(list(map(str, c.cells)) for c in table.columns), strict=True)
    for cells in rows:
        console.print()
        console.print("  ".join(cells[0].splitlines()), soft_wrap=False)
        for header, cell in zip(headers[1:], cells[1:], strict=True):
            value = ", ".join(line for line in cell.splitlines() if line) or "-"
            console.print(f"  {header}: {value}", soft_wrap=False)


def paragraph(text: str, width: int, indent: str) -> str:
    """``text`` wrapped to ``width`` at spaces only (never inside an id, a name or a
    figure), each line after the first indented two more than ``indent``."""
    return textwrap.fill(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_long_words=False,
        break_on_hyphens=False,
    )
