"""What every adapter shares: the parsed content, timestamps, gaps, bboxes, flat rows.

Adapters turn a response body into ``Content`` (the content fields of
``EndpointObservation``). They raise ``ParseError`` with a Dutch message when the
body is not what the protocol promises; the probe records it as ``parse_error``.
"""

from __future__ import annotations

import functools
import json
import random
import re
import statistics
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from xml.etree.ElementTree import Element, TreeBuilder
from xml.etree.ElementTree import ParseError as XMLSyntaxError

import defusedxml
import defusedxml.ElementTree

from datapedia.model.fiche import Distribution
from datapedia.model.results import UnitObservation
from datapedia.model.rows import narrow_row
from datapedia.model.thresholds import Thresholds
from datapedia.model.words import count, number

# Notes are Dutch phrases shown to readers as they are; the judge reads measured
# fields (naive_timestamps, ...), never the text of a note.
NOTE_UNREADABLE_TIMESTAMPS = "onleesbaar: {times}"
NOTE_MISSING_TIMESTAMP_FIELD = "tijdstipveld '{field}' niet gevonden"

FUTURE_OFFSETS_KEPT = 100
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Non-ISO layouts seen on Belgian portals; a fiche can always set timestamp_format.
_FALLBACK_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y")


# What one body may make us build in memory: 49 MB of nested XML took 2 GB before
# these limits. A tree element costs ~0.3 kB; a JSON record of three values ~1 kB once
# parsed, flattened and counted as a unit. The largest real feed (the Telraam snapshot)
# has 125,000 values.
MAX_XML_DEPTH = 256
MAX_XML_ELEMENTS = 500_000
MAX_JSON_VALUES = 1_000_000
_XML_PIECE = 1024 * 1024


class ParseError(Exception):
    """The body is not what the protocol promises (message in Dutch)."""


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

    def fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


Parser = Callable[[bytes, Distribution, ParseContext], Content]
# (field of the distribution, Dutch message with the fix): a request that can never
# return what the fiche names.
UrlProblem = tuple[str, str]


def no_url_needs(distribution: Distribution) -> list[UrlProblem]:
    return []


@dataclass(frozen=True)
class Adapter:
    """How one protocol is asked (HTTP method), read (parse), and which URL parameters the
    fields a fiche names need (``url_needs``, checked by ``datapedia validate``)."""

    parse: Parser
    method: str = "GET"
    url_needs: Callable[[Distribution], list[UrlProblem]] = no_url_needs


def query_of(distribution: Distribution) -> dict[str, str]:
    """The URL's query parameters, names in lower case (services treat them so)."""
    query = urlsplit(str(distribution.url)).query
    return {name.lower(): value for name, value in parse_qsl(query, keep_blank_values=True)}


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
        lon, lat = _float(coordinates[0]), _float(coordinates[1])
        if lon is not None and lat is not None:
            return lon, lat
    return None


# --- rows -----------------------------------------------------------------------------
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
            unit = units.setdefault(name, UnitObservation(id=name))
            if moment is not None and (unit.newest is None or moment > unit.newest):
                unit.newest = moment
            if xy is not None and unit.lon is None:
                unit.lon, unit.lat = _float(xy[0]), _float(xy[1])
    content.records = records
    content.sample = sample.rows
    content.rows_sampled = len(content.sample)
    if unit_field and (units or not records) or rows_are_units and not unit_field:
        # An empty answer is a measurement too: zero units report.
        content.units = list(units.values())
        content.units_total = len(units)
        timed = sum(1 for u in units.values() if u.newest is not None)
        content.units_reporting = timed if ts_field else None
    content.bbox = box.value
    times.fill(content)
    if ts_field and records and not seen_field:
        content.notes.append(NOTE_MISSING_TIMESTAMP_FIELD.format(field=ts_field))
    return content


def _unit_name(
    row: Mapping[str, Any], unit_field: str | None, number: int, rows_are_units: bool
) -> str | None:
    if unit_field:
        value = row.get(unit_field)
        return None if value in (None, "") else str(value)
    return f"object {number}" if rows_are_units else None


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


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


# --- decoding -------------------------------------------------------------------------
def load_json(body: bytes) -> Any:
    # Every value but the last is followed by a comma: an upper bound on what
    # json.loads would build, counted in C before it builds anything.
    if body.count(b",") >= MAX_JSON_VALUES:
        raise ParseError(f"te complexe JSON: meer dan {number(MAX_JSON_VALUES)} waarden")
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ParseError(f"geen geldige JSON: {error}") from error
    except RecursionError:
        raise ParseError("geen bruikbare JSON: te diep genest") from None


class _BoundedTree(TreeBuilder):
    """A tree builder that stops at a depth or element count, before memory runs out."""

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0
        self._elements = 0

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self._depth += 1
        self._elements += 1
        if self._depth > MAX_XML_DEPTH:
            raise ParseError(f"XML te diep genest: meer dan {MAX_XML_DEPTH} niveaus")
        if self._elements > MAX_XML_ELEMENTS:
            raise ParseError(f"te complexe XML: meer dan {number(MAX_XML_ELEMENTS)} elementen")
        return super().start(tag, attrs)

    def end(self, tag: str) -> Element:
        self._depth -= 1
        return super().end(tag)


def load_xml(body: bytes) -> Element:
    """Parse untrusted XML: entities, DTDs and external references are refused, and
    depth and element count are bounded while parsing."""
    parser = defusedxml.ElementTree.DefusedXMLParser(target=_BoundedTree())
    view = memoryview(body)
    try:
        # In pieces: expat buffers what it is fed, and a refusal stops the reading early.
        for start in range(0, len(view), _XML_PIECE):
            parser.feed(view[start : start + _XML_PIECE])
        return parser.close()
    except defusedxml.DefusedXmlException as error:
        raise ParseError(f"XML geweigerd om veiligheidsredenen: {error}") from error
    except XMLSyntaxError as error:
        raise ParseError(f"geen geldige XML: {error}") from error


def local(tag: str) -> str:
    """Element name without its namespace: '{http://..}peil_mtaw' -> 'peil_mtaw'."""
    return tag.rsplit("}", 1)[-1]


def iter_local(root: Element, name: str) -> Iterator[Element]:
    return (element for element in root.iter() if local(element.tag) == name)


def text_of(element: Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    text = element.text.strip()
    return text or None


def decode_text(body: bytes) -> str:
    """Text of a body: UTF-8 (with or without BOM), else Latin-1 as Belgian exports often are."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return body.decode("latin-1")
