"""History pictures for dataset pages: uptime and freshness over the last 90 days.

matplotlib with the Agg backend and no pyplot (no global figure state, safe in
threads); SVG output is made deterministic (fixed hash salt, no date) so an
unchanged history yields identical bytes and no spurious diff.
"""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import datetime, timedelta

import matplotlib

matplotlib.use("Agg")

from matplotlib import rc_context  # noqa: E402
from matplotlib.dates import DateFormatter  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from datapedia.store import HistoryEntry  # noqa: E402
from datapedia.thresholds import THRESHOLDS  # noqa: E402

WINDOW_DAYS = 90
_GREEN, _ORANGE, _RED, _GREY = "#2e7d32", "#ef6c00", "#c62828", "#757575"


def window(history: list[HistoryEntry], now: datetime, days: int = WINDOW_DAYS):
    since = now - timedelta(days=days)
    return [h for h in history if since <= h.checked_at <= now]


def daily_uptime(entries: list[HistoryEntry]) -> list[tuple[datetime, float]]:
    """Share of checks per day (UTC) in which every endpoint answered."""
    days: dict[datetime, list[bool]] = defaultdict(list)
    for entry in entries:
        if entry.reachable is not None:
            day = entry.checked_at.replace(hour=0, minute=0, second=0, microsecond=0)
            days[day].append(entry.reachable)
    return [(day, 100.0 * sum(v) / len(v)) for day, v in sorted(days.items())]


def history_svg(
    history: list[HistoryEntry],
    now: datetime,
    interval: timedelta | None = None,
    days: int = WINDOW_DAYS,
) -> bytes | None:
    """Two panels (uptime per day, age of the newest observation); None without history."""
    entries = window(history, now, days)
    if not entries:
        return None
    start = now - timedelta(days=days)
    with rc_context({"svg.hashsalt": "datapedia", "svg.fonttype": "path", "font.size": 9}):
        fig = Figure(figsize=(8, 4.2), layout="constrained")
        up_ax, age_ax = fig.subplots(2, 1, sharex=True)

        uptime = daily_uptime(entries)
        if uptime:
            colours = [
                _GREEN
                if pct >= THRESHOLDS.uptime_warn_pct
                else _ORANGE
                if pct >= THRESHOLDS.uptime_fail_pct
                else _RED
                for _, pct in uptime
            ]
            up_ax.bar([d for d, _ in uptime], [p for _, p in uptime], width=0.9, color=colours)
        else:
            up_ax.text(0.5, 0.5, "geen metingen", transform=up_ax.transAxes, ha="center")
        up_ax.set_ylim(0, 105)
        up_ax.set_ylabel("% bereikbaar")
        up_ax.set_title("Beschikbaarheid per dag", loc="left")

        ages = [
            (e.checked_at, (e.checked_at - e.newest).total_seconds() / 3600)
            for e in entries
            if e.newest is not None
        ]
        if ages:
            age_ax.plot([t for t, _ in ages], [a for _, a in ages], marker=".", color="#1565c0")
            if interval:
                hours = interval.total_seconds() / 3600
                for factor, colour in (
                    (THRESHOLDS.stale_warn_factor, _ORANGE),
                    (THRESHOLDS.stale_fail_factor, _RED),
                ):
                    age_ax.axhline(hours * factor, color=colour, linestyle="--", linewidth=1)
            age_ax.set_ylim(bottom=0)
        else:
            age_ax.text(
                0.5, 0.5, "geen tijdstip in de data", transform=age_ax.transAxes, ha="center"
            )
        age_ax.set_ylabel("ouderdom (uur)")
        age_ax.set_title("Actualiteit: ouderdom van de nieuwste waarneming", loc="left")
        age_ax.set_xlim(start, now)
        age_ax.xaxis.set_major_formatter(DateFormatter("%d-%m"))
        for ax in (up_ax, age_ax):
            ax.grid(axis="y", color="#dddddd", linewidth=0.5)
            ax.spines[["top", "right"]].set_visible(False)
            ax.set_facecolor(_GREY + "00")

        buffer = io.BytesIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None}, transparent=False)
    return buffer.getvalue()
