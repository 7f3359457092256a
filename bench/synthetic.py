"""A synthetic intelligence ledger: a realistic mix of every event type, reproducible.

Identifiers refer back to earlier events (claims to documents, attributions and
deployments to claims, assessments between claims), as in a real ledger.
"""

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from ledger.domain.events import EVENT_TYPES, Event

MIX: list[tuple[str, int]] = [
    ("SourceRegistered", 2),
    ("SourceReliabilityAssessed", 2),
    ("ActorRegistered", 2),
    ("PlaceRegistered", 1),
    ("DocumentIngested", 3),
    ("ClaimAsserted", 28),
    ("AttributionMade", 30),
    ("DeploymentReported", 25),
    ("ClaimAssessed", 6),
    ("ClaimRetracted", 1),
]
"""Event types and their weights (percent)."""

_ACTIVITIES = ["PRESENT", "ARRIVED", "REINFORCING", "OPERATING", "HQ", "WITHDRAWN"]
_CREDIBILITY = ["CONFIRMED", "PROBABLY_TRUE", "POSSIBLY_TRUE", "DOUBTFUL", "IMPROBABLE"]
_START = datetime(2015, 1, 1, tzinfo=UTC)


class _World:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.namespace = uuid.UUID(int=seed)
        self.count = 0
        self.sources = ["source:s0"]
        self.actors = ["actor:a0"]
        self.places = ["place:p0"]
        self.documents = ["doc:d0"]
        self.claims = ["claim:c0", "claim:c00"]

    def pick(self, items: list[str]) -> str:
        # recent items are referenced more often, as in a live ledger
        return items[max(0, len(items) - 1 - int(self.rng.expovariate(0.05)))]

    def when(self) -> str:
        return (_START + timedelta(hours=self.rng.randrange(0, 24 * 365 * 3))).isoformat()

    def body(self, event_type: str) -> dict[str, Any]:
        rng, n = self.rng, self.count
        if event_type == "SourceRegistered":
            self.sources.append(f"source:s{n}")
            return {
                "source_id": self.sources[-1],
                "kind": rng.choice(["PERSON", "OUTLET"]),
                "name": f"Source {n}",
                "aliases": [f"S{n}"],
            }
        if event_type == "SourceReliabilityAssessed":
            return {
                "source_id": self.pick(self.sources),
                "reliability": rng.choice("ABCDEF"),
                "rationale": "track record over the last year",
                "effective_at": self.when(),
            }
        if event_type == "ActorRegistered":
            self.actors.append(f"actor:a{n}")
            return {
                "actor_id": self.actors[-1],
                "name": f"Brigade {n}",
                "kind": "MILITIA",
                "aliases": [f"B{n}"],
                "member_of": [self.actors[0]],
            }
        if event_type == "PlaceRegistered":
            self.places.append(f"place:p{n}")
            return {
                "place_id": self.places[-1],
                "name": f"Town {n}",
                "kind": "TOWN",
                "latitude": rng.uniform(32, 37),
                "longitude": rng.uniform(35, 42),
            }
        if event_type == "DocumentIngested":
            self.documents.append(f"doc:d{n}")
            return {
                "document_id": self.documents[-1],
                "outlet_source_id": self.pick(self.sources),
                "author_source_ids": [self.pick(self.sources)],
                "title": f"Report {n}",
                "published_at": self.when(),
                "content_sha256": f"{n:064x}",
                "language": "en",
                "url": f"https://news.example/{n}",
            }
        if event_type == "ClaimAsserted":
            self.claims.append(f"claim:c{n}")
            return {
                "claim_id": self.claims[-1],
                "document_id": self.pick(self.documents),
                "kind": "DEPLOYMENT",
                "statement": f"Reports put a unit of brigade {n % 97} near a town.",
                "actor_ids": [self.pick(self.actors)],
                "place_ids": [self.pick(self.places)],
                "valid_time": {"start": self.when(), "precision": "DAY"},
                "credibility": rng.choice(_CREDIBILITY),
            }
        if event_type == "AttributionMade":
            return {
                "attribution_id": f"attr:{n}",
                "claim_id": self.pick(self.claims),
                "source_id": self.pick(self.sources),
                "via_source_id": None,
                "document_id": self.pick(self.documents),
                "mode": "PARAPHRASE",
                "access": "NOT_STATED",
            }
        if event_type == "DeploymentReported":
            low = rng.randrange(50, 5000)
            place = self.pick(self.places)
            return {
                "report_id": f"dep:{n}",
                "claim_id": self.pick(self.claims),
                "actor_id": self.pick(self.actors),
                "place": {"name": f"around {place}", "place_id": place, "precision": "AREA"},
                "strength": {
                    "low": low,
                    "qualifier": "AT_LEAST",
                    "unit": "fighters",
                    "text": f"over {low}",
                },
                "activity": rng.choice(_ACTIVITIES),
                "valid_time": {"start": self.when(), "precision": "WEEK"},
                "credibility": rng.choice(_CREDIBILITY),
            }
        if event_type == "ClaimAssessed":
            a, b = self.pick(self.claims), self.pick(self.claims)
            if a == b:
                b = self.claims[0] if a != self.claims[0] else self.claims[1]
            return {
                "assessment_id": f"assess:{n}",
                "claim_id": a,
                "related_claim_id": b,
                "relation": rng.choice(["CORROBORATES", "CONTRADICTS", "REFINES"]),
                "independence": rng.choice(["INDEPENDENT", "SAME_ORIGIN", "UNKNOWN"]),
                "rationale": "compared by an analyst",
            }
        return {
            "claim_id": self.pick(self.claims),
            "retracted_by": "ANALYST_REJECTED",
            "reason": "contradicted by imagery",
        }


PLACEHOLDERS: list[tuple[str, dict[str, Any]]] = [
    ("SourceRegistered", {"source_id": "source:s0", "kind": "OUTLET", "name": "Source 0"}),
    (
        "DocumentIngested",
        {
            "document_id": "doc:d0",
            "outlet_source_id": "source:s0",
            "title": "Report 0",
            "content_sha256": f"{0:064x}",
            "language": "en",
        },
    ),
    ("ActorRegistered", {"actor_id": "actor:a0", "name": "Actor 0", "kind": "MILITIA"}),
    ("PlaceRegistered", {"place_id": "place:p0", "name": "Place 0", "kind": "TOWN"}),
    *[
        (
            "ClaimAsserted",
            {
                "claim_id": claim,
                "document_id": "doc:d0",
                "kind": "DEPLOYMENT",
                "statement": "A first report.",
                "valid_time": {"start": _START.isoformat(), "precision": "DAY"},
                "credibility": "POSSIBLY_TRUE",
            },
        )
        for claim in ("claim:c0", "claim:c00")
    ],
]
"""The entities a world refers to before it has made any: registered first, so that
every reference resolves (a world's later entities are registered as it makes them)."""


def synthetic_events(count: int, seed: int = 7) -> Iterator[Event]:
    """``count`` valid events in the MIX proportions, the same for the same seed; the
    first few register the entities the world starts with (``PLACEHOLDERS``)."""
    world = _World(seed)
    types = [t for t, _ in MIX]
    weights = [w for _, w in MIX]
    for index, (event_type, body) in enumerate(PLACEHOLDERS[:count]):
        envelope = {
            "event_id": str(uuid.uuid5(world.namespace, f"placeholder-{index}")),
            "recorded_by": "bench",
        }
        yield EVENT_TYPES[event_type].model_validate({"envelope": envelope, **body})
    for _ in range(max(count - len(PLACEHOLDERS), 0)):
        world.count += 1
        event_type = world.rng.choices(types, weights)[0]
        data = {
            "envelope": {
                "event_id": str(uuid.uuid5(world.namespace, str(world.count))),
                "recorded_by": "bench",
            },
            **world.body(event_type),
        }
        yield EVENT_TYPES[event_type].model_validate(data)
