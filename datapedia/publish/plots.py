"""History pictures for dataset pages: uptime and freshness over the last 90 days.

A hand-written SVG from a jinja2 template (``templates/history.svg.j2``) instead of
a plotting library, whose per-picture cost dominated the render: every picture is
redrawn every night as the window moves (bench/RESULTS.md has the measurements).
Python computes every coordinate (rounded to one decimal, so an unchanged history
yields identical bytes and no spurious diff); the template only writes them out. No
external references and no fonts loaded: text uses the reader's generic sans-serif,
so the picture works as an ``<img>``.
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import escape

from datapedia.judge.history import uptime, was_usable
from datapedia.model.results import HistoryEntry, Status
from datapedia.model.thresholds import THRESHOLDS
from datapedia.model.words import duration, percent

WINDOW_DAYS = 90
GREEN, ORANGE, RED, GREY = "#2e7d32", "#ef6c00", "#c62828", "#757575"
_NO_DATA, _LINE, _GRID = "#e0e0e0", "#1565c0", "#dddddd"

# Layout in SVG user units; the viewBox makes it scale with the page.
WIDTH, HEIGHT = 800, 350
LEFT, RIGHT = 64, 784
UP_TOP, UP_BOTTOM = 28, 104  # 76 units for 0..100%
# The status timeline: one cell a day with that day's last overall status.
STATE_TOP, STATE_BOTTOM = 114, 128
AGE_TOP, AGE_BOTTOM = 162, 272
# Rough width of a character at font-size 12 in a generic sans-serif, to lay out
# the legend without measuring text (no fonts are loaded).
_CHAR_W = 6.4

# The day cells are written here, not looped in the template: a jinja2 loop over
# every cell's escaped values made the picture most of the render.
_CELL = (
    '<rect class="dag" x="{x}" y="{y}" width="{w}" height="{h}" fill="{colour}">'
    "<title>{tip}</title></rect>"
)

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,  # SVG is XML: every value is escaped
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # templates do not change during a render: no stat per picture
)


def window(history: list[HistoryEntry], now: datetime, days: int = WINDOW_DAYS):
    since = now - timedelta(days=days)
    return [h for h in history if since <= h.checked_at <= now]


def _day(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def daily_uptime(entries: list[HistoryEntry]) -> list[tuple[datetime, float]]:
    """Share of checks per day (UTC) in which every endpoint gave a usable answer."""
    days: dict[date, list[bool]] = defaultdict(list)
    for entry in entries:
        if (usable := was_usable(entry)) is not None:
            days[entry.checked_at.astimezone(UTC).date()].append(usable)
    return [
        (datetime.combine(day, time(), UTC), 100.0 * sum(v) / len(v))
        for day, v in sorted(days.items())
    ]


def coord(value: float) -> str:
    """A coordinate with one decimal (the layout keeps them all positive, so no "-0.0")."""
    return f"{value:.1f}"


def _dutch(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}".replace(".", ",")


def _uptime_colour(pct: float) -> str:
    if pct >= THRESHOLDS.uptime_warn_pct:
        return GREEN
    return ORANGE if pct >= THRESHOLDS.uptime_fail_pct else RED


def _ticks(top: float) -> tuple[list[float], int]:
    """Round steps (1, 2 or 5 times a power of ten), at most five, from 0 to at least ``top``."""
    raw = top / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    count = math.ceil(round(top / step, 9))
    return [round(i * step, 9) for i in range(count + 1)], max(0, -math.floor(math.log10(step)))


@dataclass(frozen=True)
class _Legend:
    kind: str  # "box" or "line"
    colour: str
    label: str
    dashed: bool = False


def _legend(items: list[_Legend], y: float) -> list[dict]:
    """Items in a row from the left edge, each after the previous one's estimated width."""
    placed, x = [], LEFT
    for item in items:
        placed.append(
            {
                "item": item,
                "x": coord(x),
                "x2": coord(x + 14),
                "tx": coord(x + 18),
                "y": coord(y),
                "box_y": coord(y - 9),
                "line_y": coord(y - 4),
            }
        )
        x += 18 + len(item.label) * _CHAR_W + 18
    return placed


_STATE_COLOURS = {Status.ok: GREEN, Status.warn: ORANGE, Status.fail: RED, Status.unknown: GREY}
_STATE = (
    '<rect class="oordeel" x="{x}" y="{y}" width="{w}" height="{h}" fill="{colour}">'
    "<title>{tip}</title></rect>"
)


@functools.lru_cache(maxsize=4096)
def _state_cell(first: int, i: int, days: int, status: Status | None) -> str:
    """Day ``i`` of the window (``first`` as a date ordinal) in the status timeline."""
    day = date.fromordinal(first + i)
    day_w = (RIGHT - LEFT) / days
    label = f"{day.day:02d}-{day.month:02d}-{day.year}"
    return _STATE.format(
        x=coord(LEFT + i * day_w + 1),
        y=coord(STATE_TOP),
        w=coord(day_w - 2),
        h=coord(STATE_BOTTOM - STATE_TOP),
        colour=_STATE_COLOURS[status] if status else _NO_DATA,
        tip=escape(f"{label}: {status.label if status else 'geen controle'}"),
    )


@functools.lru_cache(maxsize=4096)
def _cell(first: int, i: int, days: int, pct: float | None) -> str:
    """Day ``i`` of the window (``first`` as a date ordinal) as an SVG rect. Cached: every
    picture of a night shares its days, and most cells are "100%" or "no check", so a
    render formats a few hundred distinct cells instead of one per day per picture."""
    day = date.fromordinal(first + i)
    day_w = (RIGHT - LEFT) / days
    label = f"{day.day:02d}-{day.month:02d}-{day.year}"
    if pct is None:
        top, colour, tip = UP_TOP, _NO_DATA, f"{label}: geen meting"
    else:
        # A down day keeps a clearly visible red block instead of vanishing.
        top = min(UP_BOTTOM - (UP_BOTTOM - UP_TOP) * pct / 100, UP_BOTTOM - 15)
        colour, tip = _uptime_colour(pct), f"{label}: {percent(pct)} bruikbare antwoorden"
    return _CELL.format(
        x=coord(LEFT + i * day_w + 1),
        y=coord(top),
        w=coord(day_w - 2),
        h=coord(UP_BOTTOM - top),
        colour=colour,
        tip=escape(tip),
    )


def _age_unit(hours: float) -> tuple[str, float]:
    """The unit of the age axis: hours for fresh feeds, days, or years for DOV's archive."""
    if hours < 48:
        return "uur", 1.0
    if hours < 2 * 365 * 24:
        return "dagen", 24.0
    return "jaar", 365.25 * 24


def _summary(entries: list[HistoryEntry], now: datetime) -> str:
    recent = uptime(entries, now, 30)
    summary = "Beschikbaarheid 30 dagen: " + (percent(recent) if recent is not None else "onbekend")
    last_age = next((e for e in reversed(entries) if e.newest is not None), None)
    if was_usable(entries[-1]) is False:
        # A dead endpoint has no timestamp because nothing was read, not because the
        # data lacks one.
        summary += "; de laatste controle kreeg geen bruikbaar antwoord."
    elif last_age is None:
        summary += "; geen tijdstip in de data."
    else:
        age = max(last_age.checked_at - last_age.newest, timedelta(0))
        summary += (
            f"; nieuwste waarneming {duration(age)} oud bij de laatste controle "
            f"({last_age.checked_at.astimezone(UTC).strftime('%d-%m-%Y')})."
        )
    # The status timeline in words: since when the latest overall status holds.
    latest, since = entries[-1].overall, entries[-1].checked_at
    for entry in reversed(entries):
        if entry.overall != latest:
            break
        since = entry.checked_at
    return summary + f" Globaal {latest.label} sinds {since.astimezone(UTC).strftime('%d-%m')}."


def history_alt(history: list[HistoryEntry], now: datetime, days: int = WINDOW_DAYS) -> str:
    """The picture's text alternative for the page: the same facts as its description."""
    entries = sorted(window(history, now, days), key=lambda e: e.checked_at)
    return _summary(entries, now) if entries else ""


# The layout every picture shares, as the template's macros read it.
_FRAME = {
    "width": WIDTH,
    "height": HEIGHT,
    "left": LEFT,
    "right": RIGHT,
    "up_top": UP_TOP,
    "up_bottom": UP_BOTTOM,
    "age_top": AGE_TOP,
    "age_bottom": AGE_BOTTOM,
    "up_ticks": [
        {"y": coord(UP_BOTTOM - (UP_BOTTOM - UP_TOP) * p / 100), "label": f"{p}%"}
        for p in (0, 50, 100)
    ],
    "state_mid": coord((STATE_TOP + STATE_BOTTOM) / 2),
    "colours": {"line": _LINE, "grid": _GRID, "axis": GREY},
}


@functools.cache
def _macros():
    """The picture's parts as jinja2 macros (autoescaped: SVG is XML)."""
    return _ENV.get_template("history.svg.j2").module


def prepare() -> None:
    """Compile the picture's template now (before worker processes are forked)."""
    _macros()


@functools.lru_cache(maxsize=64)
def _day_axis(first: datetime, days: int) -> str:
    """The time axis. Every other Monday: the labels stay put as the window moves."""
    day_w = (RIGHT - LEFT) / days
    ticks = []
    for i in range((7 - first.weekday()) % 7, days + 1, 7):
        day = first + timedelta(days=i)
        if day.isocalendar().week % 2 == 0:
            ticks.append({"x": coord(LEFT + i * day_w), "label": day.strftime("%d-%m")})
    return str(_macros().axis(_FRAME, ticks))


@functools.lru_cache(maxsize=8)
def _fixed(days: int) -> tuple[str, str, str]:
    """What every picture of ``days`` shares: before the summary, before the cells, and
    from the cells to the age panel."""
    macros = _macros()
    return str(macros.head(_FRAME, days)), str(macros.frame(_FRAME)), str(macros.middle(_FRAME))


@functools.cache
def _uptime_legend() -> str:
    warn, fail = percent(THRESHOLDS.uptime_warn_pct), percent(THRESHOLDS.uptime_fail_pct)
    items = [
        _Legend("box", GREEN, f"≥ {warn}"),
        _Legend("box", ORANGE, f"{fail} tot {warn}"),
        _Legend("box", RED, f"< {fail}"),
        _Legend("box", _NO_DATA, "geen meting"),
    ]
    return str(_macros().legend(_legend(items, HEIGHT - 30)))


def _cells(entries: list[HistoryEntry], first: datetime, days: int) -> str:
    """The uptime cells and the status timeline: one of each per day."""
    # Days as offsets from the window's first (UTC dates): cheap keys for the cell caches.
    start = first.toordinal()
    uptimes = {day.toordinal() - start: pct for day, pct in daily_uptime(entries)}
    # the day's last check wins
    states = {_day(e.checked_at).toordinal() - start: e.overall for e in entries}
    cells = [_cell(start, i, days, uptimes.get(i)) for i in range(days)]
    cells += [_state_cell(start, i, days, states.get(i)) for i in range(days)]
    # numbers and colours from this module, the tips escaped where they are made
    return "\n".join(cells)


def _stale_levels(interval: timedelta | None) -> list[tuple[float, str, str, str]]:
    """(hours, colour, status word, threshold) of the stale lines; none without an interval."""
    if not interval:
        return []
    hours = interval.total_seconds() / 3600
    return [
        (hours * THRESHOLDS.stale_warn_factor, ORANGE, Status.warn.label, "stale_warn_factor"),
        (hours * THRESHOLDS.stale_fail_factor, RED, Status.fail.label, "stale_fail_factor"),
    ]


def _age_panel(
    entries: list[HistoryEntry], first: datetime, days: int, interval: timedelta | None
) -> tuple[str, str]:
    """The lower panel (the age of the newest observation, with the stale thresholds) and
    its legend."""
    day_w = (RIGHT - LEFT) / days
    ages = [
        (e.checked_at, max(0.0, (e.checked_at - e.newest).total_seconds() / 3600))
        for e in entries
        if e.newest is not None and e.checked_at >= first
    ]
    unit, unit_hours = _age_unit(max([a for _, a in ages], default=1.0))
    ages = [(t, a / unit_hours) for t, a in ages]
    stale = [(h / unit_hours, *rest) for h, *rest in _stale_levels(interval)]
    age_ticks, points, stale_lines = [], "", []
    if ages:
        # At least one unit high: fresh data (minutes old) needs no axis in seconds.
        values, decimals = _ticks(max([1.0] + [a for _, a in ages] + [h for h, *_ in stale]))
        span, y_max = AGE_BOTTOM - AGE_TOP, values[-1]
        age_ticks = [
            {"y": coord(AGE_BOTTOM - span * v / y_max), "label": _dutch(v, decimals)}
            for v in values
        ]
        points = " ".join(
            f"{coord(LEFT + (t - first).total_seconds() / 86400 * day_w)},"
            f"{coord(AGE_BOTTOM - span * a / y_max)}"
            for t, a in ages
        )
        stale_lines = [
            {"y": coord(AGE_BOTTOM - span * h / y_max), "colour": colour} for h, colour, *_ in stale
        ]
    legend = [_Legend("line", _LINE, f"ouderdom ({unit})")] + [
        _Legend(
            "line",
            colour,
            f"{word}: {_dutch(getattr(THRESHOLDS, factor), 1).removesuffix(',0')}× "
            "het verversingsinterval",
            dashed=True,
        )
        for _, colour, word, factor in stale
    ]
    macros = _macros()
    panel = macros.age(_FRAME, points, age_ticks, unit, stale_lines)
    return str(panel), str(macros.legend(_legend(legend, HEIGHT - 12)))


def history_svg(
    history: list[HistoryEntry],
    now: datetime,
    interval: timedelta | None = None,
    days: int = WINDOW_DAYS,
) -> bytes | None:
    """Two panels (uptime per day, age of the newest observation); None without history."""
    entries = sorted(window(history, now, days), key=lambda e: e.checked_at)
    if not entries:
        return None
    # One cell per calendar day (UTC), the last one being the day of `now` (the day
    # before when `now` is midnight, as render passes): exactly `days` cells.
    first = _day(now - timedelta(microseconds=1)) - timedelta(days=days - 1)
    head, frame, middle = _fixed(days)
    panel, age_legend = _age_panel(entries, first, days, interval)
    parts = (
        head,
        str(_macros().desc(_summary(entries, now))),
        frame,
        _cells(entries, first, days),
        "\n",
        middle,
        panel,
        _day_axis(first, days),
        '<g class="legende">\n',
        _uptime_legend(),
        age_legend,
        "</g>\n</svg>",
    )
    return "".join(parts).encode()
