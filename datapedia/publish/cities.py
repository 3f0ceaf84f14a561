"""The 13 Flemish centrumsteden: which units of a dataset lie inside each and report fresh data.

Boundaries come from the CC0 TopoJSON in ``datapedia/publish/geo/`` (2019 municipalities; see its
README for the 2025 mergers: Hasselt includes Kortessem). Positions are the ones the
probes read (``EndpointObservation.unit_positions``); nothing here touches the network.

A unit counts as *fresh* by the judge's own rule for coverage: its newest observation
lies within ``datapedia.judge.timeliness.freshness_window`` of the check (the caller
passes that window), so a city's cell and the dataset's coverage count alike.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from datapedia.model.results import Diagnosis, UnitObservation

TOPOJSON = Path(__file__).parent / "geo" / "belgium-municipalities-2019.topojson"
CENTRUMSTEDEN = (
    "Aalst",
    "Antwerpen",
    "Brugge",
    "Genk",
    "Gent",
    "Hasselt",
    "Kortrijk",
    "Leuven",
    "Mechelen",
    "Oostende",
    "Roeselare",
    "Sint-Niklaas",
    "Turnhout",
)
# 2025 mergers that change a centrumstad: the 2019 municipalities it is now made of.
MERGED_2025 = {"Hasselt": ("Hasselt", "Kortessem")}
FLEMISH_REGION = "02000"


@functools.cache
def _topology() -> dict:
    return json.loads(TOPOJSON.read_text(encoding="utf-8"))


@functools.cache
def _arcs() -> list[list[tuple[float, float]]]:
    """Every arc in lon/lat: quantized, delta-encoded positions decoded once."""
    topo = _topology()
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    decoded = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring(indexes: list[int]) -> list[tuple[float, float]]:
    arcs = _arcs()
    ring: list[tuple[float, float]] = []
    for index in indexes:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points if not ring else points[1:])  # arcs share their end points
    return ring


def _shape(geometry: dict) -> BaseGeometry:
    def polygon(rings: list[list[int]]) -> Polygon:
        return Polygon(_ring(rings[0]), [_ring(r) for r in rings[1:]])

    if geometry["type"] == "Polygon":
        return polygon(geometry["arcs"])
    return MultiPolygon([polygon(p) for p in geometry["arcs"]])


def _geometries(kind: str) -> list[dict]:
    return _topology()["objects"][kind]["geometries"]


@functools.cache
def city_shapes() -> dict[str, BaseGeometry]:
    """Each centrumstad's 2025 boundary (the union of its 2019 municipalities)."""
    by_name = {
        g["properties"]["name_nl"]: g
        for g in _geometries("municipalities")
        if g["properties"]["reg_nis"] == FLEMISH_REGION
    }
    return {
        city: unary_union([_shape(by_name[m]) for m in MERGED_2025.get(city, (city,))])
        for city in CENTRUMSTEDEN
    }


@functools.cache
def flanders() -> BaseGeometry:
    """The Flemish region's outline, simplified to about 200 m for the maps."""
    provinces = [
        _shape(g) for g in _geometries("provinces") if g["properties"]["reg_nis"] == FLEMISH_REGION
    ]
    return unary_union(provinces).simplify(0.002)


@functools.cache
def _prepared() -> list[tuple[str, BaseGeometry]]:
    """Each city's shape, prepared for many point-in-polygon questions."""
    prepared = []
    for city, shape in city_shapes().items():
        shapely.prepare(shape)
        prepared.append((city, shape))
    return prepared


def cities_of(points: list[tuple[float, float]]) -> list[str | None]:
    """The centrumstad of each (lon, lat), or None: all points at once, one question per
    city (a point on a city's boundary is not inside it)."""
    found: list[str | None] = [None] * len(points)
    if not points:
        return found
    lon, lat = [p[0] for p in points], [p[1] for p in points]
    for city, shape in _prepared():
        for index, inside in enumerate(shapely.contains_xy(shape, lon, lat)):
            if inside and found[index] is None:  # the first in CENTRUMSTEDEN order wins
                found[index] = city
    return found


def city_of(lon: float, lat: float) -> str | None:
    return cities_of([(lon, lat)])[0]


@dataclass(frozen=True)
class Placed:
    unit: UnitObservation
    city: str | None
    fresh: bool


@dataclass(frozen=True)
class CityCell:
    """One cell of the city × dataset matrix: units inside the city, and how many are fresh."""

    inside: int = 0
    fresh: int = 0


def _positions(
    diagnosis: Diagnosis | None, window: timedelta
) -> list[tuple[UnitObservation, bool]]:
    """Every unit position of the latest check (the last one per unit) and its freshness."""
    if diagnosis is None:
        return []
    limit = diagnosis.checked_at - window
    seen: dict[str, tuple[UnitObservation, bool]] = {}
    for endpoint in diagnosis.endpoints:
        for unit in endpoint.unit_positions or []:
            if unit.lon is None or unit.lat is None:
                continue
            fresh = unit.newest is not None and limit <= unit.newest
            seen[f"{endpoint.distribution}/{unit.id}"] = (unit, fresh)
    return list(seen.values())


def place_all(checks: list[tuple[Diagnosis | None, timedelta]]) -> list[list[Placed]]:
    """``placed_units`` of many checks, their cities looked up together."""
    positions = [_positions(diagnosis, window) for diagnosis, window in checks]
    found = iter(cities_of([(u.lon, u.lat) for units in positions for u, _ in units]))
    return [[Placed(unit, next(found), fresh) for unit, fresh in units] for units in positions]


def placed_units(diagnosis: Diagnosis | None, window: timedelta) -> list[Placed]:
    """Every unit position of the latest check, with its centrumstad and freshness."""
    return place_all([(diagnosis, window)])[0]


def city_cells(placed: list[Placed]) -> dict[str, CityCell]:
    cells = {}
    for city in CENTRUMSTEDEN:
        inside = [p for p in placed if p.city == city]
        cells[city] = CityCell(inside=len(inside), fresh=sum(p.fresh for p in inside))
    return cells


# --- the map -----------------------------------------------------------------------
MAP_WIDTH = 600.0
_MARGIN = 6.0


@functools.cache
def _frame() -> tuple[float, float, float, float, float]:
    """west, north, scale (units per degree of longitude), y-stretch, height."""
    west, south, east, north = flanders().bounds
    stretch = 1 / math.cos(math.radians((south + north) / 2))  # a degree of lat is longer
    scale = (MAP_WIDTH - 2 * _MARGIN) / (east - west)
    height = (north - south) * scale * stretch + 2 * _MARGIN
    return west, north, scale, stretch, height


def project(lon: float, lat: float) -> tuple[float, float]:
    west, north, scale, stretch, _ = _frame()
    return _MARGIN + (lon - west) * scale, _MARGIN + (north - lat) * scale * stretch


def _path(shape: BaseGeometry) -> str:
    polygons = shape.geoms if hasattr(shape, "geoms") else [shape]
    parts = []
    for polygon in polygons:
        for ring in [polygon.exterior, *polygon.interiors]:
            xy = [project(x, y) for x, y in ring.coords]
            parts.append("M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in xy) + "Z")
    return "".join(parts)


@functools.cache
def base_paths() -> tuple[str, dict[str, str], dict[str, tuple[float, float]]]:
    """Flanders' outline, each centrumstad's outline (simplified) and its label position."""
    cities = {c: s.simplify(0.001) for c, s in city_shapes().items()}
    labels = {c: project(s.centroid.x, s.centroid.y) for c, s in cities.items()}
    return _path(flanders()), {c: _path(s) for c, s in cities.items()}, labels


def map_height() -> float:
    return _frame()[4]


def in_frame(unit: UnitObservation) -> bool:
    west, south, east, north = flanders().bounds
    return west <= unit.lon <= east and south <= unit.lat <= north
