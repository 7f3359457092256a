"""The basemap shipped in the package: Natural Earth 1:50m countries (public domain),
derived from npm's ``world-atlas`` by ``infra/basemap/derive.py``."""

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

ATTRIBUTION = "Basemap: Natural Earth (public domain), via world-atlas"

Ring = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Country:
    name: str
    bbox: tuple[float, float, float, float]
    """West, south, east, north, in degrees."""
    rings: tuple[Ring, ...]


@cache
def countries() -> tuple[Country, ...]:
    """Every country of the shipped basemap, read once per process."""
    text = files("ledger.workbench").joinpath("basemap/countries-50m.json").read_text()
    data = json.loads(text)
    return tuple(
        Country(
            name=c["name"],
            bbox=(c["bbox"][0], c["bbox"][1], c["bbox"][2], c["bbox"][3]),
            rings=tuple(tuple((p[0], p[1]) for p in ring) for ring in c["rings"]),
        )
        for c in data["countries"]
    )


def within(west: float, south: float, east: float, north: float) -> list[Country]:
    """The countries whose box meets the given one."""
    return [
        c
        for c in countries()
        if c.bbox[0] <= east and c.bbox[2] >= west and c.bbox[1] <= north and c.bbox[3] >= south
    ]
