"""Opendatasoft Explore API v2.1 (data.stad.gent, ...): ``/records`` and JSON ``/exports``.

``{"total_count": N, "results": [...]}``; nested fields (a geo_point_2d such as
``location``) are flattened to dotted names and give the record's position;
an error is ``{"error_code": ..., "message": ...}``.
"""

from __future__ import annotations

from collections.abc import Mapping

from datapedia.model.fiche import Distribution
from datapedia.model.protocols import opendatasoft_url_needs as url_needs
from datapedia.probe.adapters.common import (
    Adapter,
    Content,
    ParseContext,
)
from datapedia.probe.adapters.decode import ParseError, load_json
from datapedia.probe.adapters.records import flatten, geo_point, summarize_rows


def parse(body: bytes, distribution: Distribution, ctx: ParseContext) -> Content:
    data = load_json(body)
    if isinstance(data, Mapping) and "error_code" in data:
        raise ParseError(f"Opendatasoft-fout {data['error_code']}: {data.get('message', '')}")
    if isinstance(data, Mapping) and isinstance(data.get("results"), list):
        results, total = data["results"], data.get("total_count")
    elif isinstance(data, list):  # the JSON export of a whole dataset
        results, total = data, len(data)
    else:
        raise ParseError("onverwacht Opendatasoft-antwoord: geen 'results'")
    content = summarize_rows(
        (flatten(r) for r in results if isinstance(r, Mapping)),
        distribution,
        ctx,
        point=geo_point,
    )
    if isinstance(total, int):
        content.total_records = total
    return content


ADAPTER = Adapter(parse=parse, url_needs=url_needs)
