"""Judging over time: which answers count as up, uptime per window, and since when.

An answer is *usable* when the server answered 2xx/3xx with a body the adapter could
read; an HTTP error, an unreadable body or a time-out is down. History lines written
before ``usable`` existed only say whether the server answered at all; for those, an
answer whose availability was judged ``fail`` that night counts as down too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from datapedia.model.results import Dimension, EndpointObservation, HistoryEntry, Status


def usable_answer(e: EndpointObservation) -> bool:
    return (
        e.reachable
        and e.status_code is not None
        and 200 <= e.status_code < 400
        and e.error is None
        and e.parsed
    )


def was_usable(entry: HistoryEntry) -> bool | None:
    """Whether this check got usable answers; None when it probed nothing."""
    if entry.usable is not None:
        return entry.usable
    if entry.reachable is None:
        return None
    return entry.reachable and entry.dimensions.get(Dimension.availability) != Status.fail


def checks_in_window(history: list[HistoryEntry], now: datetime, days: int) -> list[bool]:
    """Per check in the last ``days`` that probed anything: were its answers usable."""
    since = now - timedelta(days=days)
    window = [was_usable(h) for h in history if since <= h.checked_at <= now]
    return [usable for usable in window if usable is not None]


def uptime(history: list[HistoryEntry], now: datetime, days: int) -> float | None:
    """Share (0..100) of checks in the last ``days`` with usable answers."""
    window = checks_in_window(history, now, days)
    if not window:
        return None
    return 100.0 * sum(window) / len(window)


def down_since(history: list[HistoryEntry]) -> datetime | None:
    """The first failing check of the current run of failures; None when up now."""
    since = None
    for entry in history:
        usable = was_usable(entry)
        if usable is None:
            continue
        since = None if usable else since or entry.checked_at
    return since
