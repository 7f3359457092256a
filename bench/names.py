"""Name resolution and "did you mean" suggestions on large gazetteer registers.

A register of N actors, each with a name and an alias (synthetic, syllable names, so
near misses are plausible). Workloads, each with its baseline in the same run:

- resolve: an id, a name in another case, an alias: µs per filter (the aim: under 1 ms);
- suggest: a name with one letter changed, through the trigram index and difflib's
  ranking, against difflib's ``get_close_matches`` over every name (what it was);
- the suggestion index, built on the first suggestion a register is asked for.

    python -m bench.names --entries 100000
"""

import argparse
import difflib
import random
import time
from functools import partial

from bench.common import report, timed
from ledger.domain.gazetteer import SUGGESTIONS, Entry, Register, normalise

SYLLABLES = ["al", "ba", "ka", "ri", "zu", "mo", "ne", "ha", "sh", "ta", "qa", "di", "fa", "lu"]


def names(rng: random.Random) -> str:
    words = rng.randint(2, 3)
    return " ".join(
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
        for _ in range(words)
    )


def misspelt(rng: random.Random, text: str) -> str:
    letters = list(text)
    letters[rng.randrange(len(letters))] = "x"
    return "".join(letters)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Name resolution benchmark (see module doc).")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args(argv)
    rng = random.Random(3)
    taken: set[str] = set()

    def unique() -> str:  # an ambiguous name would be an error, not a resolution
        while (name := names(rng)).casefold() in taken:
            pass
        taken.add(name.casefold())
        return name

    entries = [
        Entry(f"actor:x{i}", unique(), "UNIT", (unique(),), position=i) for i in range(args.entries)
    ]
    started = time.perf_counter()
    register = Register.of("actor", entries)
    built = time.perf_counter() - started
    sample = rng.sample(entries, args.queries)
    givens = [g for e in sample for g in (e.id, e.name.upper(), e.aliases[0])]
    rows = [
        timed(
            [partial(register.resolve, g, "--actor") for g in givens],
            "register",
            "resolve (id, name, alias)",
            len(givens),
        )
    ]
    started = time.perf_counter()
    register.suggest("warm up")
    index = time.perf_counter() - started
    wrong = [misspelt(rng, e.name) for e in sample]
    rows.append(
        timed([partial(register.suggest, w) for w in wrong], "trigram index", "suggest", len(wrong))
    )
    spelled: dict[str, str] = {}
    for entry in entries:
        for name in entry.names:
            spelled.setdefault(normalise(name), name)

    def every_name(given: str) -> list[str]:
        close = difflib.get_close_matches(normalise(given), spelled, n=SUGGESTIONS, cutoff=0.6)
        return [spelled[c] for c in close]

    few = wrong[: max(len(wrong) // 10, 5)]  # the baseline is slow: a tenth of the queries
    rows.append(
        timed([partial(every_name, w) for w in few], "difflib, every name", "suggest", len(few))
    )
    agree = sum(register.suggest(w)[:1] == every_name(w)[:1] for w in few)
    report(
        "names",
        rows,
        {
            "suggest: trigram index / every name (p50)": rows[2].percentile(50)
            / rows[1].percentile(50)
        },
        {"entries": args.entries, "queries": args.queries},
        {
            "resolve µs per filter (p50)": rows[0].percentile(50) * 1000,
            "resolve µs per filter (p99)": rows[0].percentile(99) * 1000,
            "register build s": built,
            "suggestion index build s": index,
            "top suggestion same as difflib over every name, %": 100 * agree / len(few),
        },
    )


if __name__ == "__main__":
    main()
