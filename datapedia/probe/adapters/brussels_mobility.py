"""Brussels Mobility bike counts API (``data.mobility.brussels/bike/api/counts/``).

Shapes recorded by public users of the API:
- ``?request=devices``: GeoJSON ``features`` with ``properties.device_name`` and ``active``;
- ``?request=live``: ``{"requestDate": ..., "data": {"CB02411": {"hour_cnt": 3,
  "day_cnt": 770, "year_cnt": 370188, "cnt_time": "2019/10/17 11:13:00"}, ...}}``,
  where ``cnt_time`` is documented as Brussels local time;
- ``?request=history``: a list of counts per 15 minutes, read generically.
Anything else is parsed defensively as a list of records.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from datapedia.model.fiche import Distribution
from datapedia.model.protocols import brussels_mobility_url_needs as url_needs
from datapedia.probe.adapters.common import (
    Adapter,
    BBox,
    Content,
    ParseContext,
)
from datapedia.probe.adapters.decode import ParseError, load_json
from datapedia.probe.adapters.records import flatten, summarize_rows

BRUSSELS = ZoneInfo("Europe/Brussels")


def parse(body: bytes, distribution: Distribution, ctx: ParseContext) -> Content:
    data = load_json(body)
    if isinstance(data, Mapping) and isinstance(data.get("features"), list):
        return _devices(data["features"], distribution, ctx)
    if isinstance(data, Mapping) and isinstance(data.get("data"), Mapping):
        rows = [
            {"device_name": name, **flatten(values)}
            for name, values in data["data"].items()
            if isinstance(values, Mapping)
        ]
        return summarize_rows(
            rows,
            distribution,
            ctx,
            timestamp_field="cnt_time",
            id_field="device_name",
            assume=BRUSSELS,
        )
    records = data.get("data") if isinstance(data, Mapping) else data
    if isinstance(records, list):
        return summarize_rows(
            (flatten(r) for r in records if isinstance(r, Mapping)), distribution, ctx
        )
    message = data.get("message") or data.get("error") if isinstance(data, Mapping) else None
    raise ParseError(f"Brussels Mobility-fout: {message}" if message else "onbekend antwoord")


def _devices(features: list[Any], distribution: Distribution, ctx: ParseContext) -> Content:
    box = BBox()
    rows = []
    for feature in features:
        if isinstance(feature, Mapping):
            box.add_geojson(feature.get("geometry"))
            rows.append(flatten(feature.get("properties") or {}))
    content = summarize_rows(rows, distribution, ctx, id_field="device_name")
    content.bbox = box.value
    content.units_total = len(rows)
    content.units_reporting = sum(1 for row in rows if row.get("active") is True)
    return content


ADAPTER = Adapter(parse=parse, url_needs=url_needs)
