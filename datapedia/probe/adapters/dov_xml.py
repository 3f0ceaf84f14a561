"""DOV XML of one groundwater filter (``https://www.dov.vlaanderen.be/data/filter/<id>.xml``).

The water-level series is every ``filtermeting/peilmeting`` with a ``datum``
(and sometimes a ``tijdstip``) and ``peil_mtaw``. DOV writes local dates without a
zone; times are read as UTC and noted, as for every zone-less source.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from datapedia.model.fiche import Distribution
from datapedia.model.results import UnitObservation
from datapedia.probe.adapters.common import (
    LAMBERT72,
    Adapter,
    Content,
    ParseContext,
    lambert72_to_wgs84,
)
from datapedia.probe.adapters.decode import ParseError, iter_local, load_xml, local, text_of
from datapedia.probe.adapters.records import summarize_rows


def parse(body: bytes, distribution: Distribution, ctx: ParseContext) -> Content:
    root = load_xml(body)
    if local(root.tag) != "dov-schema":
        raise ParseError(f"geen DOV-XML (dov-schema) maar <{local(root.tag)}>")
    content = summarize_rows(_rows(root), distribution, ctx, timestamp_field="tijd", series=True)
    name = _filter_name(root)
    if name is not None:
        # One filter is one unit; the judge decides whether its newest level is recent.
        lon, lat = _position(root) or (None, None)
        content.units = [UnitObservation(id=name, newest=content.newest, lon=lon, lat=lat)]
        content.units_total = 1
        content.units_reporting = 1 if content.newest is not None else 0
    return content


def _position(root: Any) -> tuple[float, float] | None:
    """The location's Lambert 72 point (``ligging``) in WGS84, for the maps."""
    ligging = next(iter_local(root, "ligging"), None)
    point = next(iter_local(ligging, "Point"), None) if ligging is not None else None
    if point is None or not (point.get("srsName") or "").endswith(LAMBERT72):
        return None
    try:
        x, y = (float(v) for v in (text_of(next(iter_local(point, "pos"))) or "").split()[:2])
    except (StopIteration, ValueError):
        return None
    return lambert72_to_wgs84(x, y)


def _filter_name(root: Any) -> str | None:
    for element in iter_local(root, "filter"):
        return text_of(next(iter_local(element, "identificatie"), None)) or "filter"
    return None


def _rows(root: Any) -> Iterator[dict[str, Any]]:
    for meting in iter_local(root, "filtermeting"):
        for peilmeting in (e for e in meting if local(e.tag) == "peilmeting"):
            row: dict[str, Any] = {local(e.tag): text_of(e) for e in peilmeting if not len(e)}
            datum, tijdstip = row.get("datum"), row.get("tijdstip")
            row["tijd"] = f"{datum}T{tijdstip}" if datum and tijdstip else datum
            yield row


ADAPTER = Adapter(parse=parse)
