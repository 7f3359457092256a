"""Event type names as people type them: any case, with or without spaces
(``deploymentreported``, ``Deployment Reported``), given back in their canonical
spelling; an unknown one gets the closest as a suggestion."""

import difflib

from ledger.domain.events import EVENT_TYPES


def _key(name: str) -> str:
    return "".join(name.replace("_", " ").replace("-", " ").split()).casefold()


def canonical_type(name: str) -> str | None:
    """The event type ``name`` spells, or None when it spells none."""
    if name in EVENT_TYPES:
        return name
    wanted = _key(name)
    return next((known for known in EVENT_TYPES if _key(known) == wanted), None)


def type_hint(name: str) -> str:
    """``; did you mean DeploymentReported?``, or the list of the known types."""
    keys = {_key(known): known for known in EVENT_TYPES}
    close = difflib.get_close_matches(_key(name), list(keys), n=1, cutoff=0.6)
    if close:
        return f"; did you mean {keys[close[0]]}?"
    return f" (known: {', '.join(EVENT_TYPES)})"
