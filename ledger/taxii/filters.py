"""The filters of a TAXII request (spec section 3.4.1): ``added_after`` and
``match[id|type|version|spec_version]``, each value list comma-separated (and the
parameter may be repeated), read into a test one entry passes or not.

``match[version]`` picks among the versions a collection holds of each object at the
position read: ``first``, ``last`` (the default), ``all``, or the version of a timestamp;
``added_after`` then keeps those added after it. So a poller asking for what was added
after its last ``X-TAXII-Date-Added-Last`` gets each object whose newest version is new.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ledger.intake.limits import shown
from ledger.taxii.collection import Entry
from ledger.taxii.dates import parsed

KEYWORDS = frozenset({"first", "last", "all"})
_SPEC_VERSION = re.compile(r"^\d+\.\d+$")
_TYPE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class FilterProblem(ValueError):
    """A filter that cannot be read: one sentence naming the parameter and the value."""


@dataclass(frozen=True)
class Filters:
    added_after: int | None = None
    ids: frozenset[str] | None = None
    types: frozenset[str] | None = None
    keywords: frozenset[str] = frozenset({"last"})
    """``first``, ``last``, ``all`` among the ``match[version]`` values."""
    moments: frozenset[int] = frozenset()
    """The timestamps among them, in microseconds."""
    spec_versions: frozenset[str] | None = None

    def admits(self, entry: Entry) -> bool:
        """Whether ``entry`` passes every filter but ``added_after`` (paging applies it)."""
        if self.ids is not None and entry.id not in self.ids:
            return False
        if self.types is not None and entry.type not in self.types:
            return False
        if self.spec_versions is not None and entry.spec_version not in self.spec_versions:
            return False
        return (
            "all" in self.keywords
            or ("last" in self.keywords and entry.last)
            or ("first" in self.keywords and entry.first)
            or (bool(self.moments) and parsed(entry.version) in self.moments)
        )


def values(name: str, given: Sequence[str] | None, most: int) -> list[str] | None:
    """The comma-separated values of a repeatable parameter (None when not given)."""
    if not given:
        return None
    found = [v.strip() for item in given for v in item.split(",")]
    if any(not v for v in found):
        raise FilterProblem(f"{name}: an empty value; separate values with single commas")
    if len(found) > most:
        raise FilterProblem(f"{name}: {len(found):,} values, more than the {most:,} allowed")
    return found


def moment(name: str, text: str) -> int:
    """A timestamp parameter in microseconds; a problem naming it if it is not one."""
    found = parsed(text)
    if found is None:
        raise FilterProblem(
            f"{name}: {shown(text)} is not a TAXII timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z)"
        )
    return found


def read_filters(
    *,
    added_after: str | None = None,
    ids: Sequence[str] | None = None,
    types: Sequence[str] | None = None,
    versions: Sequence[str] | None = None,
    spec_versions: Sequence[str] | None = None,
    most: int = 10_000,
) -> Filters:
    """The filters of a request's parameters (``most`` values per parameter at most)."""
    after = None if added_after is None else moment("added_after", added_after)
    found_types = values("match[type]", types, most)
    for kind in found_types or ():
        if not _TYPE.match(kind):
            raise FilterProblem(f"match[type]: {shown(kind)} is not a STIX type name")
    found_specs = values("match[spec_version]", spec_versions, most)
    for spec in found_specs or ():
        if not _SPEC_VERSION.match(spec):
            raise FilterProblem(f"match[spec_version]: {shown(spec)} is not a version like 2.1")
    keywords: set[str] = set()
    moments: set[int] = set()
    for value in values("match[version]", versions, most) or ["last"]:
        if value in KEYWORDS:
            keywords.add(value)
        else:
            moments.add(moment("match[version]", value))
    found_ids = values("match[id]", ids, most)
    return Filters(
        added_after=after,
        ids=None if found_ids is None else frozenset(found_ids),
        types=None if found_types is None else frozenset(found_types),
        keywords=frozenset(keywords),
        moments=frozenset(moments),
        spec_versions=None if found_specs is None else frozenset(found_specs),
    )
