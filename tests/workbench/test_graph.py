"""The provenance graph wraps a source's name between words, never cutting one
("a high ranking source in Damas"), and every box is tall enough for its lines."""

import re
from html import unescape

from ledger.projection.views import Hop
from ledger.workbench.graph import LABEL_CHARS, Node, render, wrapped

NAME = "a high ranking source in Damascus"


def _texts(svg: str, css: str) -> list[str]:
    return [unescape(t) for t in re.findall(rf'<text[^>]*class="{css}"[^>]*>([^<]*)</text>', svg)]


def test_a_long_name_wraps_between_words() -> None:
    chain = [Hop(1, "source:anon", "source:magnier", "DIRECT_QUOTE", "NOT_STATED", None)]
    nodes = [
        Node("source:anon", NAME, "described source, grade F", "/a"),
        Node("source:magnier", "Elijah J. Magnier", "author / outlet, grade B", "/b"),
    ]
    svg = str(render(chain, nodes))
    lines = _texts(svg, "node-label")
    assert lines == ["a high ranking source in", "Damascus", "Elijah J. Magnier"]
    assert all(len(line) <= LABEL_CHARS for line in lines)
    (height,) = set(re.findall(r'<rect[^>]*height="(\d+)"', svg))
    lowest = max(
        float(y) for y in re.findall(r'<text[^>]*y="([\d.]+)"[^>]*class="edge-label"', svg)
    )
    assert 30 + int(height) > lowest, "the detail line falls outside its box"


def test_a_very_long_name_ends_with_an_ellipsis_after_a_whole_word() -> None:
    name = " ".join(["spokesman"] * 20)
    lines = wrapped(name, LABEL_CHARS)
    assert len(lines) == 3 and lines[-1].endswith(" …")
    assert all(word == "spokesman" for line in lines for word in line.removesuffix(" …").split())


def test_a_single_word_longer_than_a_line_is_broken_only_then() -> None:
    assert wrapped("x" * 40, LABEL_CHARS) == ["x" * LABEL_CHARS, "x" * (40 - LABEL_CHARS)]
    assert wrapped("Hezbollah", LABEL_CHARS) == ["Hezbollah"]
