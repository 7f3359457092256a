"""TAXII's status resource (spec section 4.3) for one envelope posted to the inbox: what
the STIX import did with each object, or why the envelope was refused whole.

Pure: the route imports, then this turns the import's outcome (or its refusal) into
the status, so the counts add up by construction: every object of the envelope is one
success or one failure, and nothing is ever pending (the import is done when it answers).
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ledger.stix.report import ObjectOutcome

ADDED = "added"
"""The message of an object whose events were appended (direct transport)."""
ACCEPTED = "accepted: Kafka holds its events and the archiver will store them"
"""The message of an object whose events were accepted by Kafka."""
HELD = "already held"
"""The message of an object the ledger held already: an exact duplicate, no error."""


@dataclass(frozen=True)
class Posted:
    """One object of the envelope, as the status names it: its id and version."""

    id: str
    version: str | None

    @classmethod
    def of(cls, obj: Mapping[str, Any]) -> "Posted":
        modified = obj.get("modified")
        return cls(str(obj["id"]), modified if isinstance(modified, str) else None)


def posted(objects: Iterable[Mapping[str, Any]]) -> list[Posted]:
    return [Posted.of(obj) for obj in objects]


def _detail(item: Posted, message: str) -> dict[str, str]:
    found = {"id": item.id}
    if item.version is not None:
        found["version"] = item.version
    found["message"] = message
    return found


def _resource(
    status_id: str,
    requested_at: str,
    successes: list[dict[str, str]],
    failures: list[dict[str, str]],
) -> dict[str, Any]:
    """The status; TAXII forbids empty lists, so a list with nothing in it is left out."""
    found: dict[str, Any] = {
        "id": status_id,
        "status": "complete",
        "request_timestamp": requested_at,
        "total_count": len(successes) + len(failures),
        "success_count": len(successes),
        "failure_count": len(failures),
        "pending_count": 0,
    }
    if successes:
        found["successes"] = successes
    if failures:
        found["failures"] = failures
    return found


def _message(outcome: ObjectOutcome | None, added: str | None) -> tuple[bool, str]:
    """Whether an object succeeded, and what the status says of it."""
    if outcome is None:
        return False, "not mapped: the import gave no account of this object"
    if outcome.mapped:
        return True, HELD if added is None else added
    if outcome.known:
        return True, HELD
    return False, f"not mapped: {outcome.reason or 'the ledger has no event for it'}"


def imported(
    status_id: str,
    requested_at: str,
    objects: list[Posted],
    outcomes: Mapping[str, ObjectOutcome],
    added: str = ADDED,
    *,
    appended: bool = True,
) -> dict[str, Any]:
    """The status of an envelope the import took: objects mapped (``added``) or already
    held are successes, objects the ledger does not map are failures with the reason.

    ``appended`` is whether the import stood for any event the ledger lacked: when it
    did not, every object it mapped is held already (a marking definition, which maps
    to the markings of other objects' events and to no event of its own, included)."""
    successes: list[dict[str, str]] = []
    failures: list[dict[str, str]] = []
    for item in objects:
        ok, message = _message(outcomes.get(item.id), added if appended else None)
        (successes if ok else failures).append(_detail(item, message))
    return _resource(status_id, requested_at, successes, failures)


def _names(sentence: str, object_id: str) -> bool:
    """Whether a refusal's sentence names the object (its whole id, not part of one)."""
    return re.search(rf"(?<![\w-]){re.escape(object_id)}(?![\w-])", sentence) is not None


def refused(
    status_id: str, requested_at: str, objects: list[Posted], refusals: list[str]
) -> dict[str, Any]:
    """The status of an envelope refused whole (nothing was appended): every object is
    a failure; one a refusal names gets its sentences, the others the first refusal."""
    first = refusals[0] if refusals else "the import refused it"
    whole = f"not added: the envelope was refused whole ({first})"
    failures = []
    for item in objects:
        naming = [s for s in refusals if _names(s, item.id)]
        failures.append(_detail(item, "; ".join(naming) if naming else whole))
    return _resource(status_id, requested_at, [], failures)
