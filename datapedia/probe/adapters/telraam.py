"""Telraam API v1 ``/reports/traffic_snapshot_live``: a GeoJSON snapshot of all segments.

A segment is online when its ``date`` (the hour of its latest report) is filled;
offline segments carry empty strings. Freshness is the newest ``last_data_package``
unless the fiche names another ``timestamp_field``. Each segment is listed with its
first coordinate, so the judge can count only the segments in the fiche's area.
"""

from __future__ import annotations

from collections.abc import Mapping

from datapedia.model.fiche import Distribution
from datapedia.probe.adapters.common import Adapter, BBox, Content, ParseContext, first_point
from datapedia.probe.adapters.decode import ParseError, load_json
from datapedia.probe.adapters.records import flatten, summarize_rows


def parse(body: bytes, distribution: Distribution, ctx: ParseContext) -> Content:
    data = load_json(body)
    if not isinstance(data, Mapping) or not isinstance(data.get("features"), list):
        message = data.get("message") if isinstance(data, Mapping) else None
        raise ParseError(f"Telraam-fout: {message}" if message else "geen GeoJSON 'features'")
    features = [f for f in data["features"] if isinstance(f, Mapping)]
    box = BBox()
    rows = []
    for feature in features:
        box.add_geojson(feature.get("geometry"))
        row = flatten(feature.get("properties") or {})
        rows.append((row, first_point(feature.get("geometry"))))
    content = summarize_rows(
        (row for row, _ in rows),
        distribution,
        ctx,
        timestamp_field="last_data_package",
        id_field="segment_id",
    )
    where = {str(row.get("segment_id")): xy for row, xy in rows if xy}
    for unit in content.units or []:
        if unit.id in where:
            unit.lon, unit.lat = where[unit.id]
    content.bbox = box.value
    content.units_total = len(rows)
    content.units_reporting = sum(1 for row, _ in rows if row.get("date") not in (None, ""))
    return content


ADAPTER = Adapter(parse=parse)
