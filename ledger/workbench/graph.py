"""A claim's chain of reported speech as a graph: who said it, through whom, into which
document. Sources are boxes with their grade at the position read; an arrow is one
hop (its mode and access), the last one into the document."""

import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from ledger.projection.views import Hop, SourceView
from ledger.workbench.svg import element, markup, num, text, title

BOX_W, STEP, TOP, MARGIN = 190, 250, 30, 16
LABEL_CHARS, DETAIL_CHARS = 25, 30
"""Characters per line of a box's name and of its detail (about the box's width)."""
LABEL_LINES = 3
"""Most lines of a name; a longer one ends with an ellipsis after a whole word."""
LABEL_LEADING, DETAIL_LEADING, PAD = 17, 14, 10


def wrapped(value: str, width: int, most: int = LABEL_LINES) -> list[str]:
    """``value`` in lines of about ``width`` characters, broken between words (a word
    longer than a line alone is broken); past ``most`` lines, cut with an ellipsis."""
    lines = textwrap.wrap(value, width, break_on_hyphens=False) or [""]
    if len(lines) <= most:
        return lines
    kept = lines[:most]
    kept[-1] = textwrap.shorten(f"{kept[-1]} {lines[most]}", width, placeholder=" …")
    return kept


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    detail: str
    href: str


def nodes_of(
    chain: Sequence[Hop],
    sources: Mapping[str, SourceView],
    document: tuple[str, str] | None,
    link: Callable[[str], str],
) -> list[Node]:
    """The graph's boxes in the order of speech: original speaker first."""
    order: list[str] = []
    for hop in chain:
        for source_id in (hop.source_id, hop.via_source_id):
            if source_id and source_id not in order:
                order.append(source_id)
    found = []
    for i, source_id in enumerate(order):
        source = sources.get(source_id)
        grade = source.reliability.value if source and source.reliability else "ungraded"
        role = "described source" if i == 0 else "relay"
        if i == len(order) - 1:
            role = "author / outlet"
        found.append(
            Node(
                source_id,
                source.name if source else source_id,
                f"{role}, grade {grade}",
                link(source_id),
            )
        )
    if document is not None:
        found.append(Node(document[0], document[1], "document", link(document[0])))
    return found


def render(chain: Sequence[Hop], nodes: Sequence[Node]) -> Markup:
    if not nodes:
        return Markup('<p class="empty">No attribution is recorded for this claim.</p>')
    column = {node.id: i for i, node in enumerate(nodes)}
    labels = {node.id: wrapped(node.label, LABEL_CHARS) for node in nodes}
    details = {node.id: wrapped(node.detail, DETAIL_CHARS, 2) for node in nodes}
    most_label = max(len(lines) for lines in labels.values())
    most_detail = max(len(lines) for lines in details.values())
    box_h = PAD * 2 + LABEL_LEADING * most_label + DETAIL_LEADING * most_detail
    width = MARGIN * 2 + STEP * (len(nodes) - 1) + BOX_W
    height = TOP + box_h + 70
    parts = [
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10Z"/></marker></defs>'
    ]
    mid = TOP + box_h / 2
    edges = [(h.source_id, h.via_source_id, f"{h.mode.lower()}, {h.access.lower()}") for h in chain]
    if len(nodes) >= 2 and nodes[-1].detail == "document":
        edges.append((nodes[-2].id, nodes[-1].id, "published in"))
    for start, end, label in edges:
        if end is None or start not in column or end not in column:
            continue
        x1 = MARGIN + column[start] * STEP + BOX_W
        x2 = MARGIN + column[end] * STEP
        if column[end] == column[start] + 1:
            d = f"M{num(x1)},{num(mid)}L{num(x2)},{num(mid)}"
        else:  # a hop past its neighbours arcs under the row
            d = f"M{num(x1 - BOX_W / 2)},{num(TOP + box_h)}"
            d += f"C{num(x1)},{num(height - 10)} {num(x2)},{num(height - 10)} "
            d += f"{num(x2 + BOX_W / 2)},{num(TOP + box_h)}"
        parts.append(element("path", title(label), d=d, class_="edge"))
        parts.append(
            text(
                label,
                x=num((x1 + x2) / 2),
                y=num(TOP - 8),
                text_anchor="middle",
                class_="edge-label",
            )
        )
    for node in nodes:
        x = MARGIN + column[node.id] * STEP
        body = title(f"{node.label} ({node.id}): {node.detail}")
        body += element("rect", x=x, y=TOP, width=BOX_W, height=box_h, rx=6)
        y = TOP + PAD + 12
        for line in labels[node.id]:
            body += text(line, x=x + 8, y=y, class_="node-label")
            y += LABEL_LEADING
        y = TOP + PAD + 12 + LABEL_LEADING * most_label
        for line in details[node.id]:
            body += text(line, x=x + 8, y=y, class_="edge-label")
            y += DETAIL_LEADING
        parts.append(
            element("a", element("g", body, class_="node", data_id=node.id), href=node.href)
        )
    svg = element(
        "svg",
        "".join(parts),
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {width} {height}",
        class_="chain",
        role="img",
        aria_label="Chain of reported speech",
    )
    return markup([svg])
