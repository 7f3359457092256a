"""Random ledgers for need-to-know properties: a small world (four claims, three sources,
two actors, two places) whose events carry random markings."""

from typing import Any

from hypothesis import strategies as st

from ledger.domain.enums import Classification
from ledger.domain.events import Event
from tests.factories import make

CLAIMS = [f"claim:c{i}" for i in range(4)]
SOURCES = [f"source:s{i}" for i in range(3)]
ACTORS = ["actor:a0", "actor:a1"]
PLACES = ["place:p0", "place:p1"]
DOCUMENTS = ["doc:d0", "doc:d1"]
COMPARTMENTS = ["ALPHA", "BRAVO"]
DAYS = st.integers(min_value=1, max_value=28).map(lambda d: f"2015-10-{d:02d}T00:00:00Z")

LEVELS = [
    Classification.UNCLASSIFIED,
    Classification.RESTRICTED,
    Classification.SECRET,
    Classification.TOP_SECRET,
    Classification.UNKNOWN,
]

markings = st.tuples(
    st.sampled_from(LEVELS), st.lists(st.sampled_from(COMPARTMENTS), unique=True).map(sorted)
)
"""A (level, compartments) pair; open events are the most common draw."""


def marked(event: Event, level: Classification, compartments: list[str]) -> Event:
    envelope = event.envelope.model_copy(
        update={"classification": level, "compartments": compartments}
    )
    return event.model_copy(update={"envelope": envelope})


@st.composite
def strengths(draw: st.DrawFn) -> dict[str, Any] | None:
    if draw(st.booleans()):
        return None
    low = draw(st.integers(0, 5000))
    high = low + draw(st.integers(0, 3000))
    return draw(
        st.sampled_from(
            [
                {"low": low, "qualifier": "AT_LEAST", "unit": "fighters", "text": f"over {low}"},
                {"best": high, "qualifier": "APPROX", "unit": "fighters", "text": f"~{high}"},
                {
                    "low": low,
                    "high": high,
                    "qualifier": "RANGE",
                    "unit": "fighters",
                    "text": f"{low}-{high}",
                },
            ]
        )
    )


def _registration(draw: st.DrawFn, kind: str) -> Event:
    if kind == "actor":
        actor = draw(st.sampled_from(ACTORS))
        return make(
            "ActorRegistered",
            actor_id=actor,
            name=f"Force {actor[-1]}",
            aliases=[draw(st.sampled_from(["Hizballah", "Hezbollah", "Quds"]))],
            member_of=[],
        )
    if kind == "place":
        place = draw(st.sampled_from(PLACES))
        return make(
            "PlaceRegistered",
            place_id=place,
            name=f"Town {place[-1]}",
            aliases=[draw(st.sampled_from(["Idlib", "Aleppo"]))],
            parent_place_id=None,
        )
    if kind == "source":
        source = draw(st.sampled_from(SOURCES))
        return make("SourceRegistered", source_id=source, name=f"Source {source[-1]}", aliases=[])
    return make(
        "DocumentIngested",
        document_id=draw(st.sampled_from(DOCUMENTS)),
        outlet_source_id=draw(st.sampled_from(SOURCES)),
        author_source_ids=[],
    )


@st.composite
def events(draw: st.DrawFn) -> Event:
    """One event of the small world, unmarked."""
    kind = draw(
        st.sampled_from(
            [
                *("actor", "place", "source", "document"),
                *("claim", "said", "report", "report", "report"),
                *("retract", "grade", "assess"),
            ]
        )
    )
    if kind in ("actor", "place", "source", "document"):
        return _registration(draw, kind)
    claim = draw(st.sampled_from(CLAIMS))
    if kind == "claim":
        return make("ClaimAsserted", claim_id=claim, document_id=draw(st.sampled_from(DOCUMENTS)))
    if kind == "said":
        return make(
            "AttributionMade",
            claim_id=claim,
            source_id=draw(st.sampled_from(SOURCES)),
            via_source_id=None,
            attribution_id=f"attr:{draw(st.integers(0, 999))}",
        )
    if kind == "report":
        return make(
            "DeploymentReported",
            claim_id=draw(st.none() | st.just(claim)),
            actor_id=draw(st.sampled_from(ACTORS)),
            place={
                "name": "somewhere",
                "place_id": draw(st.sampled_from(PLACES)),
                "precision": "AREA",
            },
            strength=draw(strengths()),
            activity=draw(st.sampled_from(["PRESENT", "REINFORCING", "WITHDRAWN"])),
            valid_time={"start": draw(DAYS), "precision": "DAY"},
            credibility=draw(st.sampled_from(["CONFIRMED", "POSSIBLY_TRUE", "DOUBTFUL"])),
        )
    if kind == "retract":
        return make("ClaimRetracted", claim_id=claim)
    if kind == "grade":
        return make(
            "SourceReliabilityAssessed",
            source_id=draw(st.sampled_from(SOURCES)),
            reliability=draw(st.sampled_from("ABCDEF")),
        )
    other = draw(st.sampled_from([c for c in CLAIMS if c != claim]))
    return make(
        "ClaimAssessed",
        claim_id=claim,
        related_claim_id=other,
        relation=draw(st.sampled_from(["CORROBORATES", "CONTRADICTS", "DUPLICATES"])),
        independence=draw(st.sampled_from(["INDEPENDENT", "SAME_ORIGIN", "UNKNOWN"])),
    )


@st.composite
def marked_events(draw: st.DrawFn) -> Event:
    """An event of the small world with a random marking."""
    level, compartments = draw(markings)
    return marked(draw(events()), level, compartments)
