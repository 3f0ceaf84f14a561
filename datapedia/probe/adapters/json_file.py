"""Plain JSON downloads: a list of records, or a ``results``/``data``/``features``/``items``
list inside an object. GeoJSON features contribute their properties and bbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from datapedia.model.fiche import Distribution
from datapedia.probe.adapters.common import Adapter, BBox, Content, ParseContext
from datapedia.probe.adapters.decode import ParseError, load_json
from datapedia.probe.adapters.records import flatten, summarize_rows

_LIST_KEYS = ("results", "data", "features", "items")
_TOTAL_KEYS = ("total_count", "totalFeatures", "numberMatched", "total", "count")


def parse(body: bytes, distribution: Distribution, ctx: ParseContext) -> Content:
    data = load_json(body)
    records: Any = data
    total = None
    if isinstance(data, Mapping):
        key = next((k for k in _LIST_KEYS if isinstance(data.get(k), list)), None)
        if key is None:
            raise ParseError(f"geen lijst van records gevonden (verwacht: {', '.join(_LIST_KEYS)})")
        records = data[key]
        total = next((data[k] for k in _TOTAL_KEYS if isinstance(data.get(k), int)), None)
    if not isinstance(records, list):
        raise ParseError("geen lijst van records")
    box = BBox()
    # One flat row at a time: a list of them all beside the parsed records doubled
    # the memory a large file takes.
    rows = (_flat(record, box) for record in records if isinstance(record, Mapping))
    content = summarize_rows(rows, distribution, ctx)
    content.bbox = box.value
    content.total_records = total
    return content


def _flat(record: Mapping[str, Any], box: BBox) -> dict[str, Any]:
    """A record's flat row; a GeoJSON feature's properties, its geometry into the box."""
    if record.get("type") == "Feature":
        box.add_geojson(record.get("geometry"))
        record = record.get("properties") or {}
    return flatten(record)


ADAPTER = Adapter(parse=parse)
