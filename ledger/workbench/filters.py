"""The posture filters a page takes from its URL: actor (with its roll-up), place,
status, grade and staleness. Actor and place go to the read service by name; grade and
staleness pick among the rows it answers."""

from dataclasses import dataclass

from starlette.requests import Request

from ledger.domain.posture import STALE_AFTER_DAYS, PostureStatus
from ledger.projection.views import PostureView


def _status(text: str) -> PostureStatus | None:
    """A status as written in the URL, in any case (``active``); None if it is none."""
    try:
        return PostureStatus(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class PostureFilters:
    actor: str | None = None
    place: str | None = None
    include_subordinates: bool = False
    statuses: frozenset[PostureStatus] = frozenset()
    grade: str | None = None
    """A grade or its first letter: B3, or B for every B."""
    stale: str | None = None
    """"yes" for stale rows only, "no" for current ones only."""
    stale_after: int = STALE_AFTER_DAYS

    @classmethod
    def of(cls, request: Request) -> "PostureFilters":
        params = request.query_params
        statuses = frozenset(
            status for s in params.getlist("status") if (status := _status(s)) is not None
        )
        days = params.get("stale_after", "")
        return cls(
            actor=params.get("actor") or None,
            place=params.get("place") or None,
            include_subordinates=params.get("include_subordinates") in ("1", "on", "true"),
            statuses=statuses,
            grade=(params.get("grade") or "").strip().upper() or None,
            stale=params.get("stale") if params.get("stale") in ("yes", "no") else None,
            stale_after=int(days) if days.isdigit() and int(days) <= 100_000 else STALE_AFTER_DAYS,
        )

    def keeps(self, row: PostureView) -> bool:
        """Whether the grade and staleness filters keep ``row``."""
        if self.grade and not row.grade.upper().startswith(self.grade):
            return False
        return self.stale is None or row.stale == (self.stale == "yes")

    def query(self) -> dict[str, str]:
        """The filters as URL parameters (statuses aside: they repeat)."""
        found = {
            "actor": self.actor,
            "place": self.place,
            "include_subordinates": "1" if self.include_subordinates else None,
            "grade": self.grade,
            "stale": self.stale,
            "stale_after": str(self.stale_after) if self.stale_after != STALE_AFTER_DAYS else None,
        }
        return {k: v for k, v in found.items() if v is not None}
