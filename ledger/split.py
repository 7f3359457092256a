"""Splitting a span of ledger positions over worker processes: how many workers this
process may start, and the ranges they take (a parallel fold, a parallel verify)."""

import os
from itertools import pairwise


def worker_count() -> int:
    """Worker processes for a split job: one per core this process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def ranges(start: int, target: int, parts: int) -> list[tuple[int, int]]:
    """(after, until] ranges that cover (start, target] in ``parts`` nearly equal pieces."""
    size = target - start
    cuts = [start + size * i // parts for i in range(parts + 1)]
    return [(a, b) for a, b in pairwise(cuts) if b > a]
