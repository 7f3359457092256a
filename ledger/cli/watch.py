"""``ledger watch``: follow a server's live stream and print each change of the posture or
claim it names, one line each, with the positions it rests on, until Ctrl-C."""

import sys
from typing import Annotated, Any

import typer

from ledger.cli.context import reporting_errors
from ledger.errors import CannotRun, LedgerError

Row = tuple[str, str]
"""A posture row's key: (actor id, place key)."""


def posture_changes(
    before: dict[Row, str], answer: dict[str, Any]
) -> tuple[dict[Row, str], list[str]]:
    """The rows of a posture answer, and a line for each that differs from ``before``
    (new, changed, or gone)."""
    now = {(r["actor_id"], r["place_key"]): posture_text(r) for r in answer["items"]}
    lines = [text for row, text in now.items() if before.get(row) != text]
    lines += [f"{actor} at {place}: no posture any more" for actor, place in before.keys() - now]
    return now, lines


def posture_text(row: dict[str, Any]) -> str:
    strength = f" {row['strength']}" if row.get("strength") else ""
    actor = row.get("actor") or row["actor_id"]
    doing = row["status"] + (f" {row['activity']}" if row["activity"] != row["status"] else "")
    return (
        f"{actor} at {row['place']}: {doing}{strength} "
        f"({row['grade']}, from {row['valid_from'][:10]}), rests on "
        + ", ".join(str(p) for p in row["positions"])
    )


def claim_text(answer: dict[str, Any]) -> str:
    corroborations = answer["independent_corroborations"]
    return (
        f"{answer['claim_id']}: {answer['status'] or 'only referenced'}, {corroborations} "
        f"independent corroboration{'s' if corroborations != 1 else ''}, rests on "
        + ", ".join(str(p) for p in answer["positions"])
    )


class Watched:
    """What one watch follows, read from the server at a position."""

    def __init__(
        self,
        url: str,
        key: str | None,
        actor: str | None,
        place: str | None,
        claim: str | None,
    ) -> None:
        import httpx  # only this command and the SDK's stream talk HTTP

        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._client = httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=30)
        self._posture = {k: v for k, v in (("actor", actor), ("place", place)) if v}
        self._claim = claim
        self._rows: dict[Row, str] = {}
        self._claim_line: str | None = None

    def _get(self, path: str, **params: Any) -> dict[str, Any]:
        import httpx

        try:
            response = self._client.get(path, params=params)
        except httpx.TransportError as exc:
            raise CannotRun(
                f"{self._client.base_url}: the server cannot be reached ({exc})"
            ) from None
        body = response.json() if response.content else {}
        if response.status_code != 200:
            detail = body.get("detail") if isinstance(body, dict) else None
            raise LedgerError(f"GET {path}: {response.status_code} {detail or response.text}")
        assert isinstance(body, dict)
        return body

    def head(self) -> int:
        return int(self._get("/events", limit=1)["head"])

    def changes(self, position: int) -> list[str]:
        """The lines of what changed once the server has folded ``position``."""
        lines = []
        if self._posture:
            answer = self._get("/posture", at_least=position, **self._posture)
            at = answer["read_at"]["position"]
            self._rows, changed = posture_changes(self._rows, answer)
            lines += [f"position {at}: {text}" for text in changed]
        if self._claim:
            answer = self._get(f"/claims/{self._claim}", at_least=position)
            text = claim_text(answer)
            if text != self._claim_line:
                self._claim_line = text
                lines.append(f"position {answer['read_at']['position']}: {text}")
        return lines

    def close(self) -> None:
        self._client.close()


def watch(
    url: Annotated[
        str, typer.Option("--url", metavar="URL", help="The ledger's HTTP API.")
    ] = "http://127.0.0.1:8000",
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key", metavar="KEY", envvar="LEDGER_API_KEY", help="A reader's API key."
        ),
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--actor", metavar="NAME", help="An actor: id, name or alias.")
    ] = None,
    place: Annotated[
        str | None, typer.Option("--place", metavar="NAME", help="A place: id, name or alias.")
    ] = None,
    claim: Annotated[str | None, typer.Option("--claim", metavar="ID", help="A claim id.")] = None,
) -> None:
    """Print the posture of an actor (at a place) or a claim's standing now, then a line
    each time it changes as the ledger grows, with the positions it rests on, until
    Ctrl-C. It follows the server's live stream (GET /stream) and reads each answer at
    the position that changed it."""
    from ledger.subscription import subscribe

    if not (actor or place or claim):
        raise typer.BadParameter("name what to watch: --actor, --place and/or --claim")
    with reporting_errors():
        watched = Watched(url, api_key, actor, place, claim)
        try:
            head = watched.head()
            _print(watched.changes(head) or [f"position {head}: nothing yet"])
            with subscribe(url, from_position=head + 1, key=api_key) as events:
                for recorded in events:
                    _print(watched.changes(recorded.position))
        except KeyboardInterrupt:
            return
        finally:
            watched.close()


def _print(lines: list[str]) -> None:
    for line in lines:
        sys.stdout.write(line + "\n")
    sys.stdout.flush()
