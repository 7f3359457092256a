"""The demo's data: the seed article's events, shipped as package data of ``ledger.examples``."""

from importlib import resources
from pathlib import Path

from ledger.intake.lines import parse_lines
from ledger.ports import LedgerStore
from ledger.records import Appended

SEED_ARTICLE = "seed-article.jsonl"


def load_seed(ledger: LedgerStore) -> list[Appended]:
    """Append the seed article's events (idempotent: a second load appends nothing)."""
    path = Path(str(resources.files("ledger.examples").joinpath(SEED_ARTICLE)))
    parsed = parse_lines(path.read_bytes().split(b"\n"), path.name)
    return ledger.append([p.event for p in parsed])
