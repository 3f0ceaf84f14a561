"""Flat rows from any feed: flattening, the bounded sample, and the summary of the rows.

``summarize_rows`` turns the rows an adapter found into the measured content fields:
how many records, a sample for completeness, newest/oldest timestamps, units and a
bounding box.
"""

from __future__ import annotations

import json
import random
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, tzinfo
from typing import Any

from datapedia.model.fiche import Distribution
from datapedia.model.results import UnitObservation
from datapedia.model.rows import narrow_row
from datapedia.probe.adapters.common import (
    NOTE_MISSING_TIMESTAMP_FIELD,
    BBox,
    Content,
    ParseContext,
    Timestamps,
    as_float,
)


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mappings become dotted keys; lists stay as JSON text (a sample row is flat)."""
    row: dict[str, Any] = {}
    if isinstance(value, Mapping):
        for key, item in value.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(item, Mapping):
                row.update(flatten(item, name))
            elif isinstance(item, list):
                row[name] = json.dumps(item, ensure_ascii=False, default=str)[:500]
            else:
                row[name] = item
    elif prefix:
        row[prefix] = value
    return row


class Sample:
    """A bounded sample across the whole response: head, tail and a seeded random middle.

    A third of ``size`` is the first rows, a third the last ones, the rest a reservoir
    sample of everything between, drawn with a seed taken from the URL so the same
    response always gives the same sample. Empty rows at the end are seen too.
    """

    def __init__(self, size: int, seed: str) -> None:
        self._head_size = size // 3
        self._tail: deque[dict[str, Any]] = deque(maxlen=size // 3)
        self._middle_size = size - self._head_size - size // 3
        self._head: list[dict[str, Any]] = []
        self._middle: list[dict[str, Any]] = []
        self._between = 0
        self._random = random.Random(zlib.crc32(seed.encode()))

    def add(self, row: dict[str, Any]) -> None:
        if len(self._head) < self._head_size:
            self._head.append(row)
            return
        if self._tail.maxlen == 0:
            self._to_middle(row)
            return
        if len(self._tail) == self._tail.maxlen:
            self._to_middle(self._tail[0])  # the oldest tail row is now in the middle
        self._tail.append(row)

    def _to_middle(self, row: dict[str, Any]) -> None:
        self._between += 1
        if len(self._middle) < self._middle_size:
            self._middle.append(row)
            return
        slot = self._random.randrange(self._between)
        if slot < self._middle_size:
            self._middle[slot] = row

    @property
    def rows(self) -> list[dict[str, Any]]:
        return [*self._head, *self._middle, *self._tail]


def summarize_rows(
    rows: Iterable[Mapping[str, Any]],
    distribution: Distribution,
    ctx: ParseContext,
    *,
    timestamp_field: str | None = None,
    id_field: str | None = None,
    assume: tzinfo | None = None,
    series: bool = False,
    point: Callable[[Mapping[str, Any]], tuple[Any, Any] | None] | None = None,
    rows_are_units: bool = False,
    content: Content | None = None,
) -> Content:
    """Records, sample, newest/oldest, units with their newest time, and bbox from flat rows.

    The fiche's ``timestamp_field``/``id_field`` win over the protocol's defaults.
    Every unit is listed with its newest readable timestamp and position (the judge
    decides which are fresh); ``units_reporting`` counts units with any timestamp.
    Without an id field, ``rows_are_units`` makes every row a unit (a WFS feature).
    """
    content = content or Content()
    ts_field = distribution.timestamp_field or timestamp_field
    unit_field = distribution.id_field or id_field
    times = Timestamps(ctx, series=series)
    box = BBox()
    units: dict[str, UnitObservation] = {}
    sample = Sample(ctx.thresholds.sample_rows, str(distribution.url))
    records = 0
    seen_field = False
    # One column more than is judged: completeness sees that a record was wider.
    width = ctx.thresholds.max_columns + 1
    keep = {c.name for c in distribution.columns} | {ts_field, unit_field} - {None}
    for row in rows:
        records += 1
        sample.add(narrow_row(row, width, keep))
        moment = None
        if ts_field:
            seen_field = seen_field or ts_field in row
            moment = times.add(row.get(ts_field), distribution.timestamp_format, assume)
        xy = point(row) if point is not None else None
        if xy is not None:
            box.add(*xy)
        name = _unit_name(row, unit_field, records, rows_are_units)
        if name is not None:
            _add_unit(units, name, moment, xy)
    content.records = records
    content.sample = sample.rows
    content.rows_sampled = len(content.sample)
    if unit_field and (units or not records) or rows_are_units and not unit_field:
        _fill_units(content, units, timed=bool(ts_field))
    content.bbox = box.value
    times.fill(content)
    if ts_field and records and not seen_field:
        content.notes.append(NOTE_MISSING_TIMESTAMP_FIELD.format(field=ts_field))
    return content


def _add_unit(
    units: dict[str, UnitObservation],
    name: str,
    moment: datetime | None,
    xy: tuple[Any, Any] | None,
) -> None:
    unit = units.setdefault(name, UnitObservation(id=name))
    if moment is not None and (unit.newest is None or moment > unit.newest):
        unit.newest = moment
    if xy is not None and unit.lon is None:
        unit.lon, unit.lat = as_float(xy[0]), as_float(xy[1])


def _fill_units(content: Content, units: dict[str, UnitObservation], *, timed: bool) -> None:
    # An empty answer is a measurement too: zero units report.
    content.units = list(units.values())
    content.units_total = len(units)
    reporting = sum(1 for u in units.values() if u.newest is not None)
    content.units_reporting = reporting if timed else None


def _unit_name(
    row: Mapping[str, Any], unit_field: str | None, number: int, rows_are_units: bool
) -> str | None:
    if unit_field:
        value = row.get(unit_field)
        return None if value in (None, "") else str(value)
    return f"object {number}" if rows_are_units else None


def geo_point(row: Mapping[str, Any]) -> tuple[Any, Any] | None:
    """The first flattened ``<field>.lon``/``<field>.lat`` pair (an Opendatasoft geo_point_2d,
    whatever the dataset calls it: ``geo_point_2d``, ``location``, ...)."""
    for key, value in row.items():
        if key.endswith(".lon") and value is not None:
            lat = row.get(key[:-4] + ".lat")
            if lat is not None:
                return value, lat
    return None


def lonlat(lon_key: str, lat_key: str) -> Callable[[Mapping[str, Any]], tuple[Any, Any] | None]:
    """A ``point`` function for rows that carry longitude and latitude columns."""

    def point(row: Mapping[str, Any]) -> tuple[Any, Any] | None:
        if row.get(lon_key) is None or row.get(lat_key) is None:
            return None
        return row[lon_key], row[lat_key]

    return point
