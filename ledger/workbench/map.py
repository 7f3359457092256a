"""The posture map: one mark per (actor, place) row at the place's coordinates, drawn as
server-side SVG over the shipped basemap.

Status is shape and colour, strength is size, the grade is the label, stale rows are
faded; each mark's tooltip is its row and it links to the row's provenance. The view is
zoomed (``viewBox``) to the marks; rows whose place has no coordinates are returned to
be listed beside the map.
"""

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from ledger.domain.posture import PostureStatus
from ledger.projection.views import PostureView
from ledger.workbench import basemap
from ledger.workbench.svg import element, markup, num, text, title

WIDTH = 960
"""Nominal width in pixels that sizes are given for (the SVG scales to its box)."""
MIN_SPAN = 6.0
"""Smallest view, in degrees, so a single place still shows its surroundings."""


@dataclass(frozen=True)
class Style:
    shape: str
    colour: str
    meaning: str


STYLES = {
    PostureStatus.ACTIVE: Style("circle", "#1f6fb2", "active"),
    PostureStatus.CONTESTED: Style("diamond", "#d9822b", "contested: a report as good disagrees"),
    PostureStatus.WITHDRAWN: Style("square", "#6b6b6b", "withdrawn"),
    PostureStatus.RETRACTED: Style("cross", "#b3261e", "retracted"),
}
UNKNOWN_STYLE = Style("circle", "#888888", "unknown")


@dataclass(frozen=True)
class PostureMap:
    svg: Markup
    unplaced: list[PostureView]
    """Rows whose place has no coordinates."""


def strength_of(row: PostureView) -> int | None:
    """The figure a mark is sized by: best, else the low end, else the high end."""
    for value in (row.best, row.low, row.high):
        if value is not None:
            return value
    return None


def describe(row: PostureView) -> str:
    """The row as one tooltip."""
    actor = row.actor or row.actor_id
    strength = row.strength or "strength not stated"
    until = f" to {row.effective_to:%Y-%m-%d}" if row.effective_to else ""
    stale = f", stale ({row.age_days} days old)" if row.stale else ""
    return (
        f"{actor} at {row.place}: {row.status.value} {row.activity.lower()}, {strength}, "
        f"grade {row.grade}, from {row.valid_from:%Y-%m-%d}{until}{stale}; "
        f"report at position {row.report_position}, rests on positions "
        f"{', '.join(map(str, row.positions))}"
    )


@dataclass(frozen=True)
class _View:
    """Equirectangular projection, x shrunk by cos(mid latitude), in degree units."""

    west: float
    south: float
    east: float
    north: float

    @property
    def squeeze(self) -> float:
        return math.cos(math.radians((self.south + self.north) / 2))

    def x(self, lon: float) -> float:
        return lon * self.squeeze

    def y(self, lat: float) -> float:
        return -lat

    @property
    def unit(self) -> float:
        """View units per nominal pixel."""
        return (self.east - self.west) * self.squeeze / WIDTH

    @property
    def box(self) -> str:
        x, y = self.x(self.west), self.y(self.north)
        w, h = (self.east - self.west) * self.squeeze, self.north - self.south
        return f"{num(x)} {num(y)} {num(w)} {num(h)}"


def _view(points: Sequence[tuple[float, float]]) -> _View:
    if not points:
        return _View(-180, -60, 180, 80)
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    mid_lat, mid_lon = (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
    span_lat = max((max(lats) - min(lats)) * 1.3, MIN_SPAN)
    span_lon = max((max(lons) - min(lons)) * 1.3, MIN_SPAN)
    span_lon = max(span_lon, span_lat * 1.6 / math.cos(math.radians(mid_lat)))
    span_lat = max(span_lat, span_lon * math.cos(math.radians(mid_lat)) / 1.6)
    return _View(
        mid_lon - span_lon / 2,
        mid_lat - span_lat / 2,
        mid_lon + span_lon / 2,
        mid_lat + span_lat / 2,
    )


def _land(view: _View) -> str:
    parts = []
    for country in basemap.within(view.west - 1, view.south - 1, view.east + 1, view.north + 1):
        d = "".join(
            "M" + "L".join(f"{num(view.x(lon))},{num(view.y(lat))}" for lon, lat in ring) + "Z"
            for ring in country.rings
        )
        parts.append(element("path", title(country.name), d=d, class_="land"))
    return "".join(parts)


def _shape(style: Style, x: float, y: float, r: float, colour: str) -> str:
    if style.shape == "circle":
        return element("circle", cx=num(x), cy=num(y), r=num(r), fill=colour)
    if style.shape == "square":
        return element(
            "rect", x=num(x - r), y=num(y - r), width=num(2 * r), height=num(2 * r), fill=colour
        )
    if style.shape == "diamond":
        d = f"M{num(x)},{num(y - r * 1.3)}L{num(x + r * 1.3)},{num(y)}"
        d += f"L{num(x)},{num(y + r * 1.3)}L{num(x - r * 1.3)},{num(y)}Z"
        return element("path", d=d, fill=colour)
    d = f"M{num(x - r)},{num(y - r)}L{num(x + r)},{num(y + r)}"
    d += f"M{num(x - r)},{num(y + r)}L{num(x + r)},{num(y - r)}"
    return element("path", d=d, stroke=colour, stroke_width=num(r / 2), fill="none")


def radius(row: PostureView, unit: float) -> float:
    """Strength by area: 5 px with no figure, growing with the square root of it."""
    figure = strength_of(row)
    pixels = 5.0 if figure is None else 5.0 + min(math.sqrt(figure) / 6, 22.0)
    return pixels * unit


def render(rows: Sequence[PostureView], link: Callable[[PostureView], str]) -> PostureMap:
    """The map of ``rows``; ``link`` gives each mark's provenance address."""
    placed: dict[tuple[float, float], list[PostureView]] = defaultdict(list)
    unplaced = []
    for row in rows:
        if row.latitude is None or row.longitude is None:
            unplaced.append(row)
        else:
            placed[(row.latitude, row.longitude)].append(row)
    view = _view(list(placed))
    unit = view.unit
    parts = [_land(view)]
    for (lat, lon), here in placed.items():
        cx, cy = view.x(lon), view.y(lat)
        # marks of one place on a ring around it, about 16 px apart
        spread = max(14.0, 16 * len(here) / (2 * math.pi)) * unit if len(here) > 1 else 0.0
        parts.append(element("circle", cx=num(cx), cy=num(cy), r=num(2 * unit), class_="spot"))
        names = sorted({r.place for r in here})
        parts.append(
            text(
                " / ".join(names)[:60],
                x=num(cx + 6 * unit),
                y=num(cy - 6 * unit - spread),
                font_size=num(12 * unit),
                class_="place-label",
            )
        )
        for i, row in enumerate(here):
            angle = 2 * math.pi * i / len(here)
            x, y = cx + spread * math.cos(angle), cy + spread * math.sin(angle)
            style = STYLES.get(row.status, UNKNOWN_STYLE)
            r = radius(row, unit)
            body = title(describe(row)) + _shape(style, x, y, r, style.colour)
            body += text(
                row.grade, x=num(x + r + unit), y=num(y + 4 * unit), font_size=num(10 * unit)
            )
            group = element(
                "g",
                body,
                class_="mark stale" if row.stale else "mark",
                opacity="0.55" if row.stale else None,
                data_actor=row.actor or row.actor_id,
                data_place=row.place,
                data_status=row.status.value,
            )
            parts.append(element("a", group, href=link(row)))
    svg = element(
        "svg",
        "".join(parts),
        xmlns="http://www.w3.org/2000/svg",
        viewBox=view.box,
        class_="posture-map",
        role="img",
        aria_label=f"Posture map, {sum(len(v) for v in placed.values())} marks",
    )
    return PostureMap(markup([svg]), unplaced)
