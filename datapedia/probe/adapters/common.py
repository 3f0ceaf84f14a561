"""What every adapter shares: the parsed content, timestamps, gaps, bboxes.

Adapters turn a response body into ``Content`` (the content fields of
``EndpointObservation``). They raise ``ParseError`` with a Dutch message when the
body is not what the protocol promises; the probe records it as ``parse_error``.
Decoding with structural limits is in ``decode``, flat rows and their summary in
``records``.
"""

from __future__ import annotations

import functools
import re
import statistics
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from datapedia.model.fiche import Distribution
from datapedia.model.protocols import UrlNeeds, no_url_needs
from datapedia.model.results import UnitObservation
from datapedia.model.thresholds import Thresholds
from datapedia.model.words import count

# Notes are Dutch phrases shown to readers as they are; the judge reads measured
# fields (naive_timestamps, ...), never the text of a note.
NOTE_UNREADABLE_TIMESTAMPS = "onleesbaar: {times}"
NOTE_MISSING_TIMESTAMP_FIELD = "tijdstipveld '{field}' niet gevonden"

FUTURE_OFFSETS_KEPT = 100
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Non-ISO layouts seen on Belgian portals; a fiche can always set timestamp_format.
_FALLBACK_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y")


@dataclass(frozen=True)
class ParseContext:
    now: datetime
    thresholds: Thresholds


@dataclass
class Content:
    """The content fields of ``EndpointObservation``, as an adapter measured them."""

    parsed: bool = True
    parse_error: str | None = None
    newest: datetime | None = None
    oldest: datetime | None = None
    future_timestamps: int = 0
    future_offsets_s: list[float] = field(default_factory=list)
    naive_timestamps: int = 0
    records: int | None = None
    total_records: int | None = None
    units_reporting: int | None = None
    units_total: int | None = None
    largest_gap_s: float | None = None
    median_step_s: float | None = None
    bbox: list[float] | None = None
    sample: list[dict[str, Any]] | None = None
    rows_sampled: int | None = None
    units: list[UnitObservation] | None = None
    notes: list[str] = field(default_factory=list)
    too_complex: str | None = None  # set by the probe when a limit stopped the parse

    def fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


Parser = Callable[[bytes, Distribution, ParseContext], Content]


@dataclass(frozen=True)
class Adapter:
    """How one protocol is asked (HTTP method), read (parse), and which URL parameters the
    fields a fiche names need (``url_needs``, checked by ``datapedia validate``)."""

    parse: Parser
    method: str = "GET"
    url_needs: UrlNeeds = no_url_needs


# --- timestamps -----------------------------------------------------------------------
def parse_timestamp(
    value: Any, fmt: str | None = None, assume: tzinfo | None = None
) -> tuple[datetime | None, bool]:
    """``(aware datetime, had no zone)``; ``(None, False)`` when empty or unreadable.

    Zone-less values get ``assume`` (a documented local time) or else UTC, and the
    caller notes it. Date-only values are not flagged: a day's precision dwarfs the offset.
    Numbers are epoch seconds (or milliseconds when implausibly large).
    """
    if value is None or value == "" or isinstance(value, bool):
        return None, False
    if isinstance(value, int | float):
        seconds = value / 1000 if abs(value) > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC), False
        except (OverflowError, OSError, ValueError):
            return None, False
    text = str(value).strip()
    parsed = _parse_text(text, fmt)
    if parsed is None:
        return None, False
    if parsed.tzinfo is not None:
        return parsed, False
    if assume is not None:
        return parsed.replace(tzinfo=assume), False
    return parsed.replace(tzinfo=UTC), not _DATE_ONLY.match(text)


def _parse_text(text: str, fmt: str | None) -> datetime | None:
    for layout in (fmt,) if fmt else (None, *_FALLBACK_FORMATS):
        try:
            return (
                datetime.fromisoformat(text) if layout is None else datetime.strptime(text, layout)
            )
        except ValueError:
            continue
    return None


class Timestamps:
    """Collects observation times: newest/oldest, future ones, zone-less ones, gaps.

    Timestamps after ``now`` are counted and their distance kept, not used as newest:
    whether one is clock skew or a bogus 2099 value is the judge's call, not the probe's.
    """

    def __init__(self, ctx: ParseContext, *, series: bool = False) -> None:
        self._now = ctx.now
        self._series = series
        self._epochs: list[float] = []
        self.newest: datetime | None = None
        self.oldest: datetime | None = None
        self.future_offsets: list[float] = []
        self.naive = 0
        self.unreadable = 0

    @property
    def future(self) -> int:
        return len(self.future_offsets)

    def add(
        self, value: Any, fmt: str | None = None, assume: tzinfo | None = None
    ) -> datetime | None:
        """The moment read; None when unreadable or after ``now`` (kept as an offset)."""
        moment, naive = parse_timestamp(value, fmt, assume)
        if moment is None:
            if value not in (None, ""):
                self.unreadable += 1
            return None
        self.naive += naive
        if moment > self._now:
            self.future_offsets.append((moment - self._now).total_seconds())
            return None
        if self.newest is None or moment > self.newest:
            self.newest = moment
        if self.oldest is None or moment < self.oldest:
            self.oldest = moment
        if self._series:
            self._epochs.append(moment.timestamp())
        return moment

    def fill(self, content: Content) -> Content:
        content.newest, content.oldest = self.newest, self.oldest
        content.future_timestamps = self.future
        # The nearest ones are what the judge may call clock skew; the rest only count.
        content.future_offsets_s = sorted(self.future_offsets)[:FUTURE_OFFSETS_KEPT]
        content.naive_timestamps = self.naive
        if self._series:
            content.largest_gap_s, content.median_step_s = gaps(self._epochs)
        if self.unreadable:
            content.notes.append(
                NOTE_UNREADABLE_TIMESTAMPS.format(times=count(self.unreadable, "tijdstip"))
            )
        return content


def gaps(epochs: Iterable[float]) -> tuple[float | None, float | None]:
    """Largest gap and median step (seconds) between distinct, sorted observation times."""
    ordered = sorted(set(epochs))
    steps = [b - a for a, b in zip(ordered, ordered[1:], strict=False)]
    if not steps:
        return None, None
    return max(steps), float(statistics.median(steps))


# --- space ----------------------------------------------------------------------------
class BBox:
    """Grows a WGS84 [west, south, east, north]; points outside lon/lat ranges are ignored."""

    def __init__(self) -> None:
        self._box: list[float] | None = None

    def add(self, lon: Any, lat: Any) -> None:
        try:
            x, y = float(lon), float(lat)
        except (TypeError, ValueError):
            return
        if not (-180 <= x <= 180 and -90 <= y <= 90) or (x == 0 and y == 0):
            return
        if self._box is None:
            self._box = [x, y, x, y]
        else:
            box = self._box
            box[0], box[1] = min(box[0], x), min(box[1], y)
            box[2], box[3] = max(box[2], x), max(box[3], y)

    def add_geojson(self, geometry: Any) -> None:
        if isinstance(geometry, Mapping):
            self.add_coordinates(geometry.get("coordinates"))

    def add_coordinates(self, coordinates: Any) -> None:
        """Any GeoJSON coordinate nesting (Point .. MultiPolygon)."""
        if not isinstance(coordinates, list) or not coordinates:
            return
        if isinstance(coordinates[0], int | float):
            if len(coordinates) >= 2:
                self.add(coordinates[0], coordinates[1])
            return
        for part in coordinates:
            self.add_coordinates(part)

    @property
    def value(self) -> list[float] | None:
        return list(self._box) if self._box else None


# Belgian Lambert 72 as DOV names it: EPSG:31370, or 6190 (with Ostend heights).
LAMBERT72 = ("31370", "6190", "Lambert72")


@functools.cache
def _lambert72():
    from pyproj import Transformer  # only when a feed answers in Lambert 72

    return Transformer.from_crs("EPSG:31370", "EPSG:4326", always_xy=True)


def lambert72_to_wgs84(x: float, y: float) -> tuple[float, float]:
    lon, lat = _lambert72().transform(x, y)
    return lon, lat


def first_point(geometry: Any) -> tuple[float, float] | None:
    """The first (lon, lat) of a GeoJSON geometry: where a segment or line starts."""
    coordinates = geometry.get("coordinates") if isinstance(geometry, Mapping) else None
    while isinstance(coordinates, list) and coordinates and isinstance(coordinates[0], list):
        coordinates = coordinates[0]
    if isinstance(coordinates, list) and len(coordinates) >= 2:
        lon, lat = as_float(coordinates[0]), as_float(coordinates[1])
        if lon is not None and lat is not None:
            return lon, lat
    return None


def as_float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
