"""The timeline of an actor or a place: per (actor, place) a lane of strength bands over
world time, and a mark per report, each opening the claim it rests on.

It draws what the read service's timeline answers: after each report, the rows it
touched. A band runs from a winning report's start to the end of its effective span
as last answered (else to the next winner's start, else to the world time asked).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from markupsafe import Markup

from ledger.projection.views import PostureView, TimelineStep
from ledger.workbench.map import STYLES, UNKNOWN_STYLE, describe, strength_of
from ledger.workbench.svg import element, markup, num, text, title

LEFT, RIGHT, LANE, GAP, TOP = 260, 20, 56, 14, 24
WIDTH = 960


@dataclass
class _Band:
    row: PostureView
    start: datetime
    end: datetime | None


def _lanes(steps: Sequence[TimelineStep]) -> dict[tuple[str, str], list[_Band]]:
    """The winners of each pair in the order they won, each with its latest answer."""
    lanes: dict[tuple[str, str], dict[int, _Band]] = {}
    for step in steps:
        for row in step.rows:
            bands = lanes.setdefault(row.key, {})
            end = row.effective_to or row.valid_to
            bands[row.report_position] = _Band(row, row.valid_from, end)
    return {key: sorted(b.values(), key=lambda b: b.start) for key, b in lanes.items()}


def render(
    steps: Sequence[TimelineStep], world: datetime, link: Callable[[PostureView], str]
) -> Markup:
    lanes = _lanes(steps)
    if not lanes:
        return Markup('<p class="empty">No reports on the timeline at this position.</p>')
    starts = [b.start for bands in lanes.values() for b in bands]
    ends = [b.end for bands in lanes.values() for b in bands if b.end is not None]
    first = min(starts) - timedelta(days=15)
    last = max([*ends, *starts, min(world, max(starts) + timedelta(days=365))])
    last += timedelta(days=15)
    span = (last - first).total_seconds() or 1.0

    def x(moment: datetime) -> float:
        clipped = min(max(moment, first), last)
        return LEFT + (WIDTH - LEFT - RIGHT) * (clipped - first).total_seconds() / span

    height = TOP + len(lanes) * (LANE + GAP) + 20
    parts = [_axis(first, last, x, height)]
    for i, (_, bands) in enumerate(sorted(lanes.items())):
        top = TOP + i * (LANE + GAP)
        label = f"{bands[0].row.actor or bands[0].row.actor_id} at {bands[0].row.place}"
        parts.append(text(label[:42], x=4, y=num(top + LANE / 2 + 4), class_="lane-label"))
        parts.append(
            element("line", x1=LEFT, x2=WIDTH - RIGHT, y1=top + LANE, y2=top + LANE, stroke="#ccc")
        )
        figures = [f for b in bands for f in (b.row.high, b.row.best, b.row.low) if f]
        ceiling = max(figures, default=1) * 1.3
        for j, band in enumerate(bands):
            following = bands[j + 1].start if j + 1 < len(bands) else None
            end = band.end or following or max(world, band.start)
            parts.append(_band(band.row, x(band.start), x(end), top, ceiling, link))
    svg = element(
        "svg",
        "".join(parts),
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {WIDTH} {height}",
        class_="timeline",
        role="img",
        aria_label="Timeline of reports",
    )
    return markup([svg])


def _band(
    row: PostureView,
    left: float,
    right: float,
    top: float,
    ceiling: float,
    link: Callable[[PostureView], str],
) -> str:
    style = STYLES.get(row.status, UNKNOWN_STYLE)
    figure = strength_of(row)
    low = row.low if row.low is not None else figure
    high = row.high if row.high is not None else (figure * 1.25 if figure else None)

    def y(value: float) -> float:
        return top + LANE - LANE * value / ceiling

    if low is None or high is None:  # no figure: a thin band across the lane's middle
        y_top, y_bottom = top + LANE / 2 - 4, top + LANE / 2 + 4
    else:
        y_top, y_bottom = y(high), y(low)
    width = max(right - left, 2.0)
    band = element(
        "rect",
        x=num(left),
        y=num(y_top),
        width=num(width),
        height=num(max(y_bottom - y_top, 2.0)),
        fill=style.colour,
        class_="band",
    )
    mark_y = y(figure) if figure else top + LANE / 2
    mark = element(
        "a",
        element(
            "circle",
            title(describe(row)),
            cx=num(left),
            cy=num(mark_y),
            r=5,
            fill=style.colour,
            class_="report",
            data_position=row.report_position,
        ),
        href=link(row),
    )
    label = text(
        f"{row.strength or row.activity.lower()} ({row.grade})",
        x=num(left + 8),
        y=num(mark_y - 7),
        class_="lane-label",
    )
    return band + mark + label


def _axis(first: datetime, last: datetime, x: Callable[[datetime], float], height: float) -> str:
    """Year ticks, or month ticks when the span is short."""
    months = (last.year - first.year) * 12 + last.month - first.month
    step = 1 if months <= 18 else 3 if months <= 48 else 12
    parts = []
    year, month = first.year, first.month
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        tick = first.replace(year=year, month=month, day=1, hour=0, minute=0, second=0)
        if tick > last:
            break
        if (month - 1) % step:
            continue
        at = num(x(tick))
        parts.append(element("line", x1=at, x2=at, y1=TOP - 6, y2=height - 16))
        parts.append(text(f"{tick:%Y-%m}", x=at, y=num(height - 4), text_anchor="middle"))
    return element("g", "".join(parts), class_="axis")
