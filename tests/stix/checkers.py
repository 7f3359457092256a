"""Independent checkers of our STIX: stix2-validator 3.3.2 in strict mode with our
extension's schema, and the stix2 library's parser.

The validator applies a schema found under ``schema_dir`` to every object whose
``extensions`` name it, but skips any directory whose path contains "examples", and a
non-empty ``disabled`` list silently drops other checks too; so checks are chosen with
``enabled`` (every default check but the ones named in ``SKIPPED``), and a test proves
a bad extension value fails (the schema is really applied)."""

import json
from typing import Any

import stix2
from stix2validator import ValidationOptions, validate_instance
from stix2validator.v21 import shoulds

from ledger.stix import SCHEMA_DIR

SKIPPED = {
    "extref-hashes": "a document's url is exported without a hash: the ledger's "
    "content_sha256 is the producer's hash of what it read, not necessarily of the bytes "
    "at the url, and a false hash would be worse than none",
}
"""The one should-check left off, with the reason (the README names it too)."""


def default_checks() -> list[str]:
    """The names of the checks the validator runs by default (the enabled-list form)."""
    defaults = {f.__name__ for f in shoulds.list_shoulds(ValidationOptions())}
    return [
        name
        for name, check in shoulds.CHECKS.items()
        if name != "all" and getattr(check, "__name__", None) in defaults
    ]


def options(skipped: set[str] | None = None) -> ValidationOptions:
    skip = set(SKIPPED) if skipped is None else skipped
    return ValidationOptions(
        strict=True,
        strict_types=True,
        strict_properties=True,
        schema_dir=str(SCHEMA_DIR),
        enabled=[name for name in default_checks() if name not in skip],
    )


def problems(bundle: dict[str, Any], skipped: set[str] | None = None) -> list[str]:
    """What stix2-validator finds wrong with a bundle (nothing: it is valid)."""
    result = validate_instance(bundle, options(skipped))
    return [str(e) for e in result.errors]


def assert_valid(data: bytes) -> dict[str, Any]:
    """The bundle, after both checkers found nothing wrong with it."""
    bundle = json.loads(data)
    found = problems(bundle)
    assert not found, found[:10]
    parsed = stix2.parse(bundle, allow_custom=False)
    assert len(parsed.objects) == len(bundle["objects"])
    return bundle  # type: ignore[no-any-return]
