"""The test command: lint, format check, strict types, then the test suite.

Run as ``python -m tests [pytest args]`` from the repository root; stops at the first
step that fails and exits with its code.
"""

import subprocess
import sys

STEPS = [
    ["ruff", "check", "."],
    ["ruff", "format", "--check", "."],
    ["mypy"],
]


def main() -> int:
    for step in STEPS:
        print(f"$ {' '.join(step)}", flush=True)  # noqa: T201
        code = subprocess.call([sys.executable, "-m", *step])
        if code != 0:
            return code
    pytest = ["pytest", *sys.argv[1:]]
    print(f"$ {' '.join(pytest)}", flush=True)  # noqa: T201
    return subprocess.call([sys.executable, "-m", *pytest])


if __name__ == "__main__":
    sys.exit(main())
