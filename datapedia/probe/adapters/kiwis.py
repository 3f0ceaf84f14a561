"""KiWIS (Kisters WISKI web services: waterinfo.be, HIC) JSON responses.

The shape is read from the body, not the URL, because fiches may ask any request:
- ``getTimeseriesValueLayer``: a list of dicts, one per station (latest value);
- ``getTimeseriesValues``: a list of ``{"columns": "Timestamp,Value,...", "data": [[...]]}``;
- ``getTimeseriesList``/``getStationList``: a list of lists, the first being the header;
- an error: ``{"type": "error", "code": ..., "message": ...}``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from datapedia.model.fiche import Distribution
from datapedia.model.protocols import kiwis_url_needs as url_needs
from datapedia.probe.adapters.common import (
    Adapter,
    Content,
    ParseContext,
)
from datapedia.probe.adapters.decode import ParseError, load_json
from datapedia.probe.adapters.records import lonlat, summarize_rows


def parse(body: bytes, distribution: Distribution, ctx: ParseContext) -> Content:
    data = load_json(body)
    if isinstance(data, Mapping):
        if data.get("type") == "error" or "message" in data and "data" not in data:
            code = data.get("code")
            raise ParseError(f"KiWIS-fout{f' {code}' if code else ''}: {data.get('message')}")
        if "data" in data:  # a single series not wrapped in a list
            data = [data]
    if not isinstance(data, list):
        raise ParseError("onverwacht KiWIS-antwoord: geen lijst")
    if not data:
        return Content(records=0, sample=[], rows_sampled=0)
    first = data[0]
    if isinstance(first, Mapping) and "data" in first:
        return _values(data, distribution, ctx)
    if isinstance(first, list):
        return _table(data, distribution, ctx)
    if isinstance(first, Mapping):
        return summarize_rows(
            (row for row in data if isinstance(row, Mapping)),
            distribution,
            ctx,
            timestamp_field="timestamp",
            id_field="station_no",
            point=lonlat("station_longitude", "station_latitude"),
        )
    raise ParseError("onverwacht KiWIS-antwoord: onbekende vorm")


def _values(series: list[Any], distribution: Distribution, ctx: ParseContext) -> Content:
    """One or more time series: gaps are measured along each series' timestamps."""

    def rows() -> Iterator[dict[str, Any]]:
        for item in series:
            if not isinstance(item, Mapping):
                continue
            columns = [c.strip() for c in str(item.get("columns", "")).split(",") if c.strip()]
            for values in item.get("data") or []:
                row = dict(zip(columns, values, strict=False))
                row["ts_id"] = item.get("ts_id")
                yield row

    content = summarize_rows(
        rows(), distribution, ctx, timestamp_field="Timestamp", id_field="ts_id", series=True
    )
    declared = [int(s["rows"]) for s in series if isinstance(s, Mapping) and _is_int(s.get("rows"))]
    if declared:
        content.total_records = sum(declared)
    return content


def _table(table: list[Any], distribution: Distribution, ctx: ParseContext) -> Content:
    header = [str(name) for name in table[0]]
    rows = (
        dict(zip(header, values, strict=False)) for values in table[1:] if isinstance(values, list)
    )
    return summarize_rows(rows, distribution, ctx, id_field="station_no")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) or (isinstance(value, str) and value.isdigit())


ADAPTER = Adapter(parse=parse, url_needs=url_needs)
