"""Dutch words for the published site: dates, ages, percentages, plurals.

One small module so it can later be folded into ``datapedia/words.py`` (the judge's).
"""

from __future__ import annotations

from datetime import datetime, timedelta


def plural(count: int, one: str, many: str) -> str:
    """``plural(1, "dataset", "datasets")`` -> "1 dataset"."""
    return f"{count} {one if count == 1 else many}"


def number(value: float, decimals: int = 1) -> str:
    """28.25 -> "28,3", 1.5 -> "1,5"; whole numbers without decimals; thousands with a point."""
    value = round(value, decimals)
    text = (
        f"{value:,.{decimals}f}".rstrip("0").rstrip(".")
        if value != int(value)
        else f"{int(value):,}"
    )
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def percent(value: float) -> str:
    return f"{number(round(value, 1))}%"


def day(moment: datetime) -> str:
    """22-11-2026."""
    return moment.strftime("%d-%m-%Y")


def short_day(moment: datetime) -> str:
    """22-11."""
    return moment.strftime("%d-%m")


def age(delta: timedelta) -> str:
    """A duration in the unit a reader thinks in: minuten, uur, dagen, maanden, jaar."""
    seconds = max(0.0, delta.total_seconds())
    hours, days = seconds / 3600, seconds / 86400
    if hours < 1:
        return plural(round(seconds / 60), "minuut", "minuten")
    if hours < 48:
        return f"{round(hours)} uur"
    if days < 61:
        return plural(round(days), "dag", "dagen")
    if days < 730:
        return plural(round(days / 30.44), "maand", "maanden")
    return f"{number(round(days / 365.25))} jaar"
