"""The demo: load the seed article's events and summarise what the ledger now holds.

The summary is a small fold over the recorded events (sources and their grades, the
reported deployments, one claim's chain of reported speech); the Dagster projections
do this properly and at scale.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ledger.domain.enums import Reliability
from ledger.domain.events import (
    ActorRegistered,
    AttributionMade,
    ClaimAsserted,
    DeploymentReported,
    PlaceRegistered,
    SourceRegistered,
    SourceReliabilityAssessed,
)
from ledger.domain.grading import grade
from ledger.jsonlines import parse_lines
from ledger.records import Appended, RecordedEvent
from ledger.store.postgres import PostgresLedger

SEED_ARTICLE = "seed-article.jsonl"
"""The example events of the seed article, shipped as package data of ``ledger.examples``."""


@dataclass(frozen=True)
class Hop:
    """One link of a chain of reported speech."""

    source_id: str
    source_name: str
    reliability: Reliability | None
    mode: str
    position: int


@dataclass
class Summary:
    counts: Counter[str] = field(default_factory=Counter)
    sources: dict[str, SourceRegistered] = field(default_factory=dict)
    reliability: dict[str, Reliability] = field(default_factory=dict)
    actors: dict[str, ActorRegistered] = field(default_factory=dict)
    places: dict[str, PlaceRegistered] = field(default_factory=dict)
    claims: dict[str, tuple[ClaimAsserted, int]] = field(default_factory=dict)
    attributions: dict[str, list[tuple[AttributionMade, int]]] = field(default_factory=dict)
    deployments: list[tuple[DeploymentReported, int]] = field(default_factory=list)

    def add(self, recorded: RecordedEvent) -> None:
        event = recorded.event
        self.counts[recorded.event_type] += 1
        match event:
            case SourceRegistered():
                self.sources[event.source_id] = event
            case SourceReliabilityAssessed():
                self.reliability[event.source_id] = event.reliability
            case ActorRegistered():
                self.actors[event.actor_id] = event
            case PlaceRegistered():
                self.places[event.place_id] = event
            case ClaimAsserted():
                self.claims[event.claim_id] = (event, recorded.position)
            case AttributionMade():
                self.attributions.setdefault(event.claim_id, []).append((event, recorded.position))
            case DeploymentReported():
                self.deployments.append((event, recorded.position))

    def source_name(self, source_id: str) -> str:
        source = self.sources.get(source_id)
        return source.name if source else f"{source_id} (unregistered)"

    def actor_name(self, actor_id: str) -> str:
        actor = self.actors.get(actor_id)
        return actor.name if actor else f"{actor_id} (unregistered)"

    def chain(self, claim_id: str) -> list[Hop]:
        """The hops from the original speaker outwards to the publisher."""
        hops = {a.source_id: (a, pos) for a, pos in self.attributions.get(claim_id, [])}
        relays = {a.via_source_id for a, _ in hops.values()}
        origins = [s for s in hops if s not in relays]
        chain: list[Hop] = []
        current: str | None = origins[0] if origins else None
        seen: set[str] = set()
        while current is not None and current not in seen:
            seen.add(current)
            if current not in hops:
                chain.append(
                    Hop(
                        current,
                        self.source_name(current),
                        self.reliability.get(current),
                        "publishes",
                        0,
                    )
                )
                break
            hop, position = hops[current]
            chain.append(
                Hop(
                    current,
                    self.source_name(current),
                    self.reliability.get(current),
                    str(hop.mode),
                    position,
                )
            )
            current = hop.via_source_id
        return chain

    def origin_grade(self, claim_id: str | None, report: DeploymentReported) -> str:
        chain = self.chain(claim_id) if claim_id else []
        return grade(chain[0].reliability if chain else None, report.credibility)


def load_seed(ledger: PostgresLedger) -> list[Appended]:
    """Append the seed article's events (idempotent: a second load appends nothing)."""
    path = Path(str(resources.files("ledger.examples").joinpath(SEED_ARTICLE)))
    parsed = parse_lines(path.read_text(encoding="utf-8").splitlines(), path.name)
    return ledger.append([p.event for p in parsed])


def summarize(events: Iterable[RecordedEvent]) -> Summary:
    summary = Summary()
    for recorded in events:
        summary.add(recorded)
    return summary
