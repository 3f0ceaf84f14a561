"""Telraam API v1 ``/reports/traffic_snapshot_live``: a GeoJSON snapshot of all segments.

A segment is online when its ``date`` (the hour of its latest report) is filled;
offline segments carry empty strings. Freshness is the newest ``last_data_package``
unless the fiche names another ``timestamp_field``.
"""

from __future__ import annotations

from collections.abc import Mapping

from datapedia.fiche import Distribution
from datapedia.probes.common import (
    Adapter,
    BBox,
    Content,
    ParseContext,
    ParseError,
    first_vertex,
    flatten,
    load_json,
    summarize_rows,
)


def parse(body: bytes, distribution: Distribution, ctx: ParseContext) -> Content:
    data = load_json(body)
    if not isinstance(data, Mapping) or not isinstance(data.get("features"), list):
        message = data.get("message") if isinstance(data, Mapping) else None
        raise ParseError(f"Telraam-fout: {message}" if message else "geen GeoJSON 'features'")
    features = [f for f in data["features"] if isinstance(f, Mapping)]
    box = BBox()
    starts: dict[str, tuple[float, float]] = {}  # segment -> its first vertex, for the maps
    for feature in features:
        box.add_geojson(feature.get("geometry"))
        segment = (feature.get("properties") or {}).get("segment_id")
        if (start := first_vertex(feature.get("geometry"))) and segment is not None:
            starts[str(segment)] = start
    rows = [flatten(feature.get("properties") or {}) for feature in features]
    content = summarize_rows(
        rows,
        distribution,
        ctx,
        timestamp_field="last_data_package",
        id_field="segment_id",
        point=lambda row: starts.get(str(row.get("segment_id"))),
    )
    content.bbox = box.value
    content.units_total = len(rows)
    content.units_reporting = sum(1 for row in rows if row.get("date") not in (None, ""))
    return content


ADAPTER = Adapter(parse=parse)
