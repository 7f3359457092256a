"""The import contracts (``[tool.importlinter]`` in pyproject.toml, which ``python -m
tests`` checks) hold for the code as it is, and break when an import goes against them:
each case adds one import to a copy of the code and runs ``lint-imports`` on the copy."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.__main__ import LINT_IMPORTS

ROOT = Path(__file__).resolve().parents[1]


def lint_imports(root: Path, contract: str) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` for one contract, on the packages found under ``root`` first."""
    return subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS, "--no-logo", "--no-cache", "--contract", contract],
        cwd=root,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the code and its contracts, untouched."""
    copy = tmp_path_factory.mktemp("pristine")
    for name in ("ledger", "projections", "schemas"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


@pytest.mark.parametrize(
    ("module", "statement", "contract", "shown"),
    [
        # the domain reaching up to an adapter, and the codec to the entry points
        ("ledger/domain/enums.py", "import ledger.store.postgres", "layers", "ledger.domain"),
        ("ledger/codec/json_form.py", "import ledger.cli.main", "layers", "ledger.cli"),
        ("ledger/projection/views.py", "import ledger.runtime", "layers", "ledger.runtime"),
        ("ledger/log/leaf.py", "import psycopg", "core", "psycopg"),
        ("ledger/domain/names.py", "import fastapi", "core", "fastapi"),
        ("ledger/workbench/svg.py", "import ledger.api.problems", "workbench", "ledger.api"),
        # the circle issue 24 broke: a fold that reaches back to what imports it
        ("ledger/projection/catalog.py", "import ledger.projection.fold", "acyclic", "cycle"),
    ],
)
def test_an_import_against_the_layering_breaks_a_contract(
    pristine: Path, tmp_path: Path, module: str, statement: str, contract: str, shown: str
) -> None:
    copy = tmp_path / "code"
    shutil.copytree(pristine, copy)
    assert lint_imports(copy, contract).returncode == 0  # the copy as it is keeps it
    target = copy / module
    target.write_text(target.read_text() + f"\n{statement}  # noqa: E402, F401\n")
    broken = lint_imports(copy, contract)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "BROKEN" in broken.stdout and shown in broken.stdout


def test_the_code_keeps_every_contract() -> None:
    kept = subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS, "--no-logo", "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert kept.returncode == 0, kept.stdout
    assert "0 broken" in kept.stdout
