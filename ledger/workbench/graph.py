"""A claim's chain of reported speech as a graph: who said it, through whom, into which
document. Sources are boxes with their grade at the position read; an arrow is one
hop (its mode and access), the last one into the document."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from ledger.projection.views import Hop, SourceView
from ledger.workbench.svg import element, markup, num, text, title

BOX_W, BOX_H, STEP, TOP, MARGIN = 190, 58, 250, 30, 16


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
    width = MARGIN * 2 + STEP * (len(nodes) - 1) + BOX_W
    height = TOP + BOX_H + 70
    parts = [
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10Z"/></marker></defs>'
    ]
    mid = TOP + BOX_H / 2
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
            d = f"M{num(x1 - BOX_W / 2)},{num(TOP + BOX_H)}"
            d += f"C{num(x1)},{num(height - 10)} {num(x2)},{num(height - 10)} "
            d += f"{num(x2 + BOX_W / 2)},{num(TOP + BOX_H)}"
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
        body += element("rect", x=x, y=TOP, width=BOX_W, height=BOX_H, rx=6)
        body += text(node.label[:30], x=x + 8, y=TOP + 22)
        body += text(node.detail[:34], x=x + 8, y=TOP + 42, class_="edge-label")
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
