"""A report expanded into the events it stands for, with ids derived from the content:
the same report recorded twice yields the same events, so the second time appends
nothing. Names are resolved through the gazetteer (the ledger's entries plus those the
report declares); strengths are read through ``ledger.authoring.strength``."""

import hashlib
import json
import uuid
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from ledger.authoring.report import Deployment, Hop, Place, Report, Span
from ledger.authoring.resolve import Resolver, Unresolved
from ledger.authoring.strength import parse_strength
from ledger.domain.events import EVENT_TYPES, Event
from ledger.domain.names import Entry
from ledger.errors import ValidationFailed

NAMESPACE = uuid.UUID("6b1f0a52-3c0e-5d0e-9a57-1e6c1c0de7a1")
"""The UUID namespace of recorded events: event_id = uuid5(NAMESPACE, type + content)."""


def event_id(event_type: str, recorded_by: str, fields: dict[str, Any]) -> uuid.UUID:
    """The id of an event with this content: the same content always gets the same id."""
    content = json.dumps([event_type, recorded_by, fields], sort_keys=True, default=str)
    return uuid.uuid5(NAMESPACE, content)


def _bare(id: str) -> str:
    return id.split(":", 1)[1] if ":" in id else id


def _span(span: Span) -> dict[str, Any]:
    return {
        "start": span.start.isoformat(),
        "end": span.end.isoformat() if span.end else None,
        "precision": span.precision.value,
    }


class _Expansion:
    """The events of one report, built in order; problems collected, not raised."""

    def __init__(self, report: Report, known: Iterable[Entry], source: str) -> None:
        self.report = report
        self.source = source
        self.resolver = Resolver(known)
        self.records: list[dict[str, Any]] = []
        self.problems: list[str] = []
        self._fresh: set[tuple[str, str]] = set()

    def name(self, kind: str, name: str, where: str) -> str:
        try:
            return self.resolver.resolve(kind, name)
        except Unresolved as exc:
            self.problems.append(f"{self.source}, {where}: {exc}")
            return name

    def emit(self, event_type: str, **fields: Any) -> None:
        fields = {k: v for k, v in fields.items() if v is not None}
        recorded_by = self.report.recorded_by
        envelope = {
            "event_id": str(event_id(event_type, recorded_by, fields)),
            "recorded_by": recorded_by,
        }
        self.records.append({"type": event_type, "envelope": envelope, **fields})

    def declare(self) -> None:
        """Register the sources, actors and places the report declares and the ledger
        lacks; a declared entry the ledger holds already is left as it is."""
        report = self.report
        for kind, items in (
            ("source", report.sources),
            ("actor", report.actors),
            ("place", report.places),
        ):
            for item in items:
                if not self.resolver.knows(kind, item.id):
                    self.resolver.add(Entry(kind, item.id, item.name, tuple(item.aliases)))
                    self._fresh.add((kind, item.id))
        for i, s in enumerate(report.sources):
            if ("source", s.id) not in self._fresh:
                continue
            where = f"sources[{i}]"
            self.emit(
                "SourceRegistered",
                source_id=s.id,
                kind=s.kind.value,
                name=s.name,
                aliases=s.aliases,
                description=s.description,
                affiliated_source_id=self.name("source", s.affiliated, f"{where}.affiliated")
                if s.affiliated
                else None,
            )
        for s in report.sources:
            if ("source", s.id) in self._fresh and s.reliability is not None:
                self.emit(
                    "SourceReliabilityAssessed",
                    source_id=s.id,
                    reliability=s.reliability.grade.value,
                    rationale=s.reliability.rationale,
                    effective_at=s.reliability.effective.isoformat(),
                )
        for i, a in enumerate(report.actors):
            if ("actor", a.id) not in self._fresh:
                continue
            where = f"actors[{i}]"
            self.emit(
                "ActorRegistered",
                actor_id=a.id,
                name=a.name,
                kind=a.kind.value,
                aliases=a.aliases,
                parent_actor_id=self.name("actor", a.parent, f"{where}.parent")
                if a.parent
                else None,
                member_of=[
                    self.name("actor", m, f"{where}.member_of[{j}]")
                    for j, m in enumerate(a.member_of)
                ],
                country=a.country,
            )
        for i, p in enumerate(report.places):
            if ("place", p.id) not in self._fresh:
                continue
            self.emit(
                "PlaceRegistered",
                place_id=p.id,
                name=p.name,
                kind=p.kind.value,
                aliases=p.aliases,
                parent_place_id=self.name("place", p.parent, f"places[{i}].parent")
                if p.parent
                else None,
                latitude=p.latitude,
                longitude=p.longitude,
            )

    def document(self) -> str:
        d = self.report.document
        digest = (
            d.content_sha256
            or hashlib.sha256(json.dumps([d.id, d.title, d.url]).encode()).hexdigest()
        )
        self.emit(
            "DocumentIngested",
            document_id=d.id,
            outlet_source_id=self.name("source", d.outlet, "document.outlet"),
            author_source_ids=[
                self.name("source", a, f"document.authors[{i}]") for i, a in enumerate(d.authors)
            ],
            title=d.title,
            published_at=d.published.isoformat() if d.published else None,
            content_sha256=digest,
            language=d.language,
            url=d.url,
        )
        return d.id

    def claims(self, document_id: str) -> None:
        for n, claim in enumerate(self.report.claims, start=1):
            where = f"claims[{n - 1}]"
            claim_id = claim.id or f"claim:{_bare(document_id)}-{n:02d}"
            self.emit(
                "ClaimAsserted",
                claim_id=claim_id,
                document_id=document_id,
                kind=claim.kind.value,
                statement=claim.statement,
                actor_ids=[
                    self.name("actor", a, f"{where}.actors[{i}]")
                    for i, a in enumerate(claim.actors)
                ],
                place_ids=[
                    self.name("place", p, f"{where}.places[{i}]")
                    for i, p in enumerate(claim.places)
                ],
                valid_time=_span(claim.valid),
                credibility=claim.credibility.value,
            )
            for h, hop in enumerate(claim.chain, start=1):
                self.hop(claim_id, document_id, h, hop, f"{where}.chain[{h - 1}]")
            for k, deployment in enumerate(claim.deployments, start=1):
                self.deployment(
                    claim_id,
                    claim.valid,
                    claim.credibility.value,
                    k,
                    deployment,
                    f"{where}.deployments[{k - 1}]",
                )

    def hop(self, claim_id: str, document_id: str, number: int, hop: Hop, where: str) -> None:
        self.emit(
            "AttributionMade",
            attribution_id=f"attr:{_bare(claim_id)}-{number}",
            claim_id=claim_id,
            source_id=self.name("source", hop.said_by, f"{where}.said_by"),
            via_source_id=self.name("source", hop.via, f"{where}.via") if hop.via else None,
            document_id=document_id,
            mode=hop.mode.value,
            access=hop.access.value,
            access_note=hop.note,
        )

    def deployment(
        self, claim_id: str, valid: Span, credibility: str, number: int, d: Deployment, where: str
    ) -> None:
        place = d.place if isinstance(d.place, Place) else Place(name=d.place, id=d.place)
        strength = None
        if d.strength is not None:
            read = parse_strength(d.strength)
            strength = {
                "low": read.low,
                "best": read.best,
                "high": read.high,
                "qualifier": read.qualifier.value,
                "unit": d.unit,
                "text": read.text,
            }
        self.emit(
            "DeploymentReported",
            report_id=f"dep:{_bare(claim_id)}-{number}",
            claim_id=claim_id,
            actor_id=self.name("actor", d.actor, f"{where}.actor"),
            place={
                "name": place.name,
                "place_id": self.name("place", place.id, f"{where}.place") if place.id else None,
                "latitude": place.latitude,
                "longitude": place.longitude,
                "precision": place.precision.value,
            },
            strength=strength,
            activity=d.activity.value,
            valid_time=_span(d.valid or valid),
            credibility=(d.credibility.value if d.credibility else credibility),
        )

    def assessments(self) -> None:
        for a in self.report.assessments:
            self.emit(
                "ClaimAssessed",
                assessment_id=f"assess:{_bare(a.claim)}-{_bare(a.related)}",
                claim_id=a.claim,
                related_claim_id=a.related,
                relation=a.relation.value,
                independence=a.independence.value,
                rationale=a.rationale,
            )


def expand(report: Report, known: Iterable[Entry], source: str = "report") -> list[Event]:
    """The events of ``report``, in an order where everything is registered before it is
    named; ``known`` are the gazetteer entries the ledger holds. All or nothing."""
    expansion = _Expansion(report, known, source)
    expansion.declare()
    document_id = expansion.document()
    expansion.claims(document_id)
    expansion.assessments()
    if expansion.problems:
        raise ValidationFailed(expansion.problems)
    events: list[Event] = []
    problems: list[str] = []
    for n, record in enumerate(expansion.records, start=1):
        body = dict(record)
        model = EVENT_TYPES[body.pop("type")]
        try:
            events.append(model.model_validate(body))
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            field = ".".join(map(str, first["loc"]))
            problems.append(
                f"{source}: event {n} ({model.event_type()}), field {field}: {first['msg']}"
            )
    if problems:
        raise ValidationFailed(problems)
    return events
