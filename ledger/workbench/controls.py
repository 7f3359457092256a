"""The time controls and filters a page takes from its URL, so a view reopens exactly.

Record time: ``as_of`` (what the ledger knew at that moment) or ``position`` (down to
one event). World time: ``valid_at`` (what was true then). Times without a timezone are
UTC; ``canonical`` rewrites them (and drops empty form fields) so every view has one URL.
"""

from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlencode

from starlette.requests import Request

from ledger.domain.moments import BadMoment, read_moment

TIME_PARAMETERS = ("as_of", "position", "valid_at")
_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class Redirect(Exception):
    """The request's URL is not the view's canonical one: send the browser there."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


def parse_time(text: str) -> datetime:
    """A moment by the ledger's rule (``ledger.domain.moments``: a date alone is the start
    of that day), except that a time without a timezone is UTC, as the page's inputs
    say; ValueError (BadMoment) when it is none."""
    moment = read_moment(text, naive=True)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_FORMAT)


def canonical(request: Request) -> None:
    """Raise Redirect when the query has empty fields or times not in the URL form."""
    given = list(request.query_params.multi_items())
    kept = []
    for name, value in given:
        if value.strip() == "":
            continue
        if name in ("as_of", "valid_at"):
            with suppress(ValueError):  # else left as given: the page says what is wrong
                value = format_time(parse_time(value))
        kept.append((name, value))
    if kept != given:
        query = urlencode(kept)
        raise Redirect(request.url.path + (f"?{query}" if query else ""))


@dataclass(frozen=True)
class TimeControls:
    """Where in record time and world time a page reads."""

    as_of: datetime | None = None
    position: int | None = None
    valid_at: datetime | None = None
    at_least: int | None = None
    """Wait (a bounded while) until the projections have folded this position: a page
    opened right after an append shows it. Never carried on to other links."""
    problems: tuple[str, ...] = field(default=())
    """What was wrong with the controls as given (each then left unset)."""

    @classmethod
    def of(cls, request: Request) -> "TimeControls":
        params = request.query_params
        problems: list[str] = []

        def moment(name: str) -> datetime | None:
            text = params.get(name)
            if text is None:
                return None
            try:
                return parse_time(text)
            except BadMoment as exc:
                problems.append(f"{name}: {text!r} {exc}")
                return None

        def position(name: str) -> int | None:
            text = params.get(name)
            if text is None:
                return None
            if text.isdigit() and len(text) < 19:
                return int(text)
            problems.append(f"{name}: {text!r} is not a ledger position (0, 1, 2, ...)")
            return None

        return cls(
            moment("as_of"),
            position("position"),
            moment("valid_at"),
            position("at_least"),
            tuple(problems),
        )

    def query(self) -> dict[str, str]:
        """The controls as URL parameters (only those set)."""
        found = {}
        if self.as_of is not None:
            found["as_of"] = format_time(self.as_of)
        if self.position is not None:
            found["position"] = str(self.position)
        if self.valid_at is not None:
            found["valid_at"] = format_time(self.valid_at)
        return found

    def url(self, path: str, **extra: str | None) -> str:
        """``path`` at the same moments, with ``extra`` parameters (None ones left out)."""
        query = {**self.query(), **{k: v for k, v in extra.items() if v is not None}}
        return path + (f"?{urlencode(query)}" if query else "")

    def input_value(self, name: str) -> str:
        """A time control's value as a datetime-local input shows it (UTC)."""
        moment = self.as_of if name == "as_of" else self.valid_at
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") if moment else ""
