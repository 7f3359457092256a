"""Derive the workbench's basemap from Natural Earth, as packaged in npm's ``world-atlas``.

Natural Earth (https://www.naturalearthdata.com) is in the public domain; ``world-atlas``
(ISC) converts its 1:50m admin-0 countries to TopoJSON. This script decodes that TopoJSON,
simplifies every ring (Douglas-Peucker), rounds coordinates to 0.01 degree and writes
``ledger/workbench/basemap/countries-50m.json``: per country its name, bounding box and
rings of (longitude, latitude). Run it from the repository root:

    python infra/basemap/derive.py            # fetches world-atlas with `npm pack`
    python infra/basemap/derive.py PATH.json  # or from a countries-50m.json at hand
"""

import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

PACKAGE = "world-atlas@2.0.2"
SOURCE = "countries-50m.json"
OUT = Path("ledger/workbench/basemap/countries-50m.json")
TOLERANCE = 0.03
"""Degrees a simplified ring may stray from the original (about 3 km)."""
DIGITS = 2

Point = tuple[float, float]


def fetch() -> dict[str, Any]:
    """The TopoJSON of world-atlas, by `npm pack` into a temporary folder."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=folder, check=True)
        archive = next(Path(folder).glob("world-atlas-*.tgz"))
        with tarfile.open(archive) as tar:
            member = tar.extractfile(f"package/{SOURCE}")
            assert member is not None
            return dict(json.load(member))


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """Every arc in longitude and latitude (TopoJSON arcs are quantized deltas)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indexes: list[int], arcs: list[list[Point]]) -> list[Point]:
    """A ring joined from arcs (a negative index is the reversed arc ~i)."""
    points: list[Point] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker, iteratively (rings have thousands of points)."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        worst, at = 0.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if norm == 0:
                distance = ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            else:
                distance = abs(dy * px - dx * py + bx * ay - by * ax) / norm
            if distance > worst:
                worst, at = distance, i
        if worst > tolerance:
            keep[at] = True
            stack.extend([(first, at), (at, last)])
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def country(geometry: dict[str, Any], arcs: list[list[Point]]) -> dict[str, Any] | None:
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    rings = []
    for polygon in polygons:
        for indexes in polygon:
            simple = simplify(ring(indexes, arcs), TOLERANCE)
            rounded = [(round(x, DIGITS), round(y, DIGITS)) for x, y in simple]
            if len(rounded) >= 4:
                rings.append(rounded)
    if not rings:
        return None
    xs = [x for r in rings for x, _ in r]
    ys = [y for r in rings for _, y in r]
    return {
        "name": geometry.get("properties", {}).get("name", ""),
        "bbox": [min(xs), min(ys), max(xs), max(ys)],
        "rings": rings,
    }


def derive(topology: dict[str, Any]) -> dict[str, Any]:
    arcs = decode_arcs(topology)
    found = [country(g, arcs) for g in topology["objects"]["countries"]["geometries"]]
    return {
        "source": f"Natural Earth 1:50m admin-0 countries, via npm {PACKAGE} ({SOURCE})",
        "license": "Natural Earth: public domain. world-atlas: ISC.",
        "derived_by": "infra/basemap/derive.py",
        "tolerance_degrees": TOLERANCE,
        "countries": sorted((c for c in found if c), key=lambda c: c["name"]),
    }


def main() -> None:
    topology = json.loads(Path(sys.argv[1]).read_text()) if len(sys.argv) > 1 else fetch()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(derive(topology), separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KiB)")  # noqa: T201


if __name__ == "__main__":
    main()
