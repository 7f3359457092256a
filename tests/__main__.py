"""The test command: lint, format check, strict types, then the test suite.

Run as ``python -m tests [pytest args]`` from the repository root. The two ruff steps
and the import contracts (``lint-imports``: the layering of pyproject.toml's
``[tool.importlinter]``) run first (each takes about a second) and stop the command if
they fail; mypy then runs alongside pytest, its output held back and printed when
pytest ends, so the two never interleave. The exit code is that of the first failing
step in the order ruff, ruff format, lint-imports, mypy, pytest.

pytest spreads the tests over one worker per CPU (pytest-xdist) unless the arguments
choose otherwise (``-n 0`` runs them in this process, as plain ``pytest`` does).
"""

import importlib.util
import subprocess
import sys
import tempfile

LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())"
"""``lint-imports`` run by this interpreter (import-linter has no ``python -m`` form)."""

QUICK_STEPS = [
    (["ruff", "check", "."], ["-m", "ruff", "check", "."]),
    (["ruff", "format", "--check", "."], ["-m", "ruff", "format", "--check", "."]),
    (["lint-imports", "--no-logo"], ["-c", LINT_IMPORTS, "--no-logo"]),
]
"""(what is shown, the interpreter's arguments) of each step run before the tests."""
MYPY = ["mypy"]


def _chose_distribution(args: list[str]) -> bool:
    """Whether the arguments choose the distribution themselves (``-n``, ``--dist``,
    ``-p no:xdist``) or rule it out (a debugger needs the tests in this process)."""
    for arg in args:
        if arg.startswith(("-n", "--numprocesses", "--dist", "--pdb", "--trace")):
            return True
        if arg.endswith("no:xdist"):
            return True
    return False


def pytest_command(args: list[str]) -> list[str]:
    """pytest with the given arguments, spread over the CPUs when xdist is installed."""
    if importlib.util.find_spec("xdist") is None or _chose_distribution(args):
        return ["pytest", *args]
    # worksteal: the few long tests (schemathesis, the archiver kills) would otherwise
    # leave one worker idle at the end while the other works through its share
    return ["pytest", "-n", "auto", "--dist", "worksteal", *args]


def _show(step: list[str]) -> None:
    print(f"$ {' '.join(step)}", flush=True)  # noqa: T201


def main() -> int:
    for shown, step in QUICK_STEPS:
        _show(shown)
        code = subprocess.call([sys.executable, *step])
        if code != 0:
            return code
    with tempfile.TemporaryFile() as mypy_output:
        mypy = subprocess.Popen(
            [sys.executable, "-m", *MYPY], stdout=mypy_output, stderr=subprocess.STDOUT
        )
        try:
            pytest = pytest_command(sys.argv[1:])
            _show([*pytest, f"  (with {' '.join(MYPY)} alongside: its output follows)"])
            pytest_code = subprocess.call([sys.executable, "-m", *pytest])
            mypy_code = mypy.wait()
        finally:
            if mypy.poll() is None:  # pytest interrupted: don't leave mypy behind
                mypy.terminate()
                mypy.wait()
        _show(MYPY)
        mypy_output.seek(0)
        sys.stdout.flush()
        sys.stdout.buffer.write(mypy_output.read())
        sys.stdout.flush()
    return mypy_code or pytest_code


if __name__ == "__main__":
    sys.exit(main())
