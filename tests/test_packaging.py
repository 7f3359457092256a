"""The package as built for a non-editable install holds every module of ``ledger``."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_ledger_package_is_listed_for_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "ledger").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages"


def test_the_stix_schema_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["ledger.stix"]
    shipped = [p for pattern in patterns for p in (ROOT / "ledger" / "stix").glob(pattern)]
    assert [p.name for p in shipped] == [
        "extension-definition--367878b3-6e5b-4f8c-839e-b0f1b56b62ba.json"
    ]
