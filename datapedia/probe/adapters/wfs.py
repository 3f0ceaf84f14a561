"""OGC WFS 2.0 (and 1.1) GetFeature responses in GML, as DOV and Mercator serve them.

Each feature becomes a flat sample row of its simple properties (local element
names); geometry is only used for the bbox when its CRS is WGS84. A GetFeature
asked with ``outputFormat=application/json`` answers GeoJSON, read as JSON features.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element

from datapedia.model.fiche import Distribution
from datapedia.model.protocols import wfs_url_needs as url_needs
from datapedia.probe.adapters import json_file
from datapedia.probe.adapters.common import (
    LAMBERT72,
    Adapter,
    BBox,
    Content,
    ParseContext,
    lambert72_to_wgs84,
)
from datapedia.probe.adapters.decode import ParseError, iter_local, load_xml, local, text_of
from datapedia.probe.adapters.records import summarize_rows

_MEMBERS = {"member", "featureMember", "featureMembers"}
# urn and http forms of EPSG:4326 put latitude first; CRS84 and legacy "EPSG:4326" do not.
_LAT_FIRST = ("urn:ogc:def:crs:EPSG::4326", "http://www.opengis.net/def/crs/EPSG/0/4326")
_LON_FIRST = (
    "EPSG:4326",
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
)


_JSON_START = re.compile(rb"\s*[\[{]")


def parse(body: bytes, distribution: Distribution, ctx: ParseContext) -> Content:
    if _JSON_START.match(body):  # not body.lstrip(): that copied the whole body
        return json_file.parse(body, distribution, ctx)
    root = load_xml(body)
    name = local(root.tag)
    if name in ("ExceptionReport", "ServiceExceptionReport"):
        texts = [t for e in root.iter() if (t := text_of(e)) and local(e.tag).endswith("Text")]
        texts = texts or [t for e in root.iter() if (t := text_of(e))]
        raise ParseError("WFS-fout: " + ("; ".join(texts) or "ExceptionReport zonder tekst"))
    if name != "FeatureCollection":
        raise ParseError(f"geen WFS FeatureCollection maar <{name}>")
    box = BBox()
    # A feature's position, by the identity of its row: the row object lives while
    # summarize_rows reads it, and the geometry is not a column of the sample.
    places: dict[int, tuple[float, float]] = {}
    content = summarize_rows(
        _rows(root, box, places),
        distribution,
        ctx,
        rows_are_units=True,
        point=lambda row: places.pop(id(row), None),
    )
    content.bbox = box.value
    matched = root.get("numberMatched") or root.get("numberOfFeatures")
    if matched and matched.isdigit():
        content.total_records = int(matched)
    return content


def _features(root: Element) -> Iterator[Element]:
    for member in root:
        if local(member.tag) in _MEMBERS:
            yield from member


def _rows(
    root: Element, box: BBox, places: dict[int, tuple[float, float]]
) -> Iterator[dict[str, Any]]:
    for feature in _features(root):
        row: dict[str, Any] = {}
        place = None
        for prop in feature:
            if len(prop):
                _add_geometry(prop, box)
                place = place or _first_position(prop)
            else:
                row[local(prop.tag)] = text_of(prop)
        if place:
            places[id(row)] = place
        yield row


def _first_position(prop: Element) -> tuple[float, float] | None:
    """The geometry's first position as WGS84 lon/lat; Lambert 72 (DOV) is converted."""
    srs = next((e.get("srsName") for e in prop.iter() if e.get("srsName")), None) or ""
    names = ("pos", "posList", "coordinates")
    element = next((e for name in names for e in iter_local(prop, name)), None)
    numbers = (text_of(element) or "").replace(",", " ").split()
    try:
        a, b = float(numbers[0]), float(numbers[1])
    except (IndexError, ValueError):
        return None
    if srs.endswith(LAMBERT72):
        return lambert72_to_wgs84(a, b)
    if srs.startswith(_LAT_FIRST):
        return b, a
    return (a, b) if srs.startswith(_LON_FIRST) else None


def _add_geometry(prop: Element, box: BBox) -> None:
    srs = next((e.get("srsName") for e in prop.iter() if e.get("srsName")), None)
    if srs is None or not srs.startswith(_LAT_FIRST + _LON_FIRST):
        return  # projected CRS (e.g. Lambert 72): no WGS84 bbox
    lat_first = srs.startswith(_LAT_FIRST)
    for name in ("pos", "posList", "coordinates"):
        for element in iter_local(prop, name):
            numbers = (text_of(element) or "").replace(",", " ").split()
            step = int(element.get("srsDimension") or _dimension(prop) or 2)
            for i in range(0, len(numbers) - 1, step):
                a, b = numbers[i], numbers[i + 1]
                box.add(*((b, a) if lat_first else (a, b)))


def _dimension(prop: Element) -> str | None:
    return next((e.get("srsDimension") for e in prop.iter() if e.get("srsDimension")), None)


ADAPTER = Adapter(parse=parse, url_needs=url_needs)
