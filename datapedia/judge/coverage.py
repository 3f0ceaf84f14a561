"""Dekkingsgraad: how many of the expected units report recently, gaps, and where.

A unit (station, segment, filter) counts as reporting only when its newest
observation is within the freshness window (``unit_fresh_factor`` times the expected
interval, see ``datapedia.judge.timeliness.freshness_window``); older and silent units
are counted and named apart. Where the fiche has an area, units outside it do not count.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from datapedia.judge.common import judged, measured, say
from datapedia.judge.timeliness import freshness_window
from datapedia.model.fiche import Fiche
from datapedia.model.results import (
    DimensionResult,
    EndpointObservation,
    Observation,
    UnitObservation,
)
from datapedia.model.thresholds import THRESHOLDS
from datapedia.model.words import count, duration, number, percent, plural

FINDINGS = (
    "DEK-01",
    "DEK-02",
    "DEK-03",
    "DEK-04",
    "DEK-05",
    "DEK-06",
    "DEK-07",
    "DEK-08",
    "DEK-09",
)
# How many silent units a text names before it says "en N andere".
NAMED_UNITS = 10


def _area(box: list[float]) -> float:
    return max(box[2] - box[0], 0.0) * max(box[3] - box[1], 0.0)


def outside_share(observed: list[float], declared: list[float]) -> float:
    """Share (0..1) of the observed bounding box that lies outside the declared one."""
    inter = [
        max(observed[0], declared[0]),
        max(observed[1], declared[1]),
        min(observed[2], declared[2]),
        min(observed[3], declared[3]),
    ]
    area = _area(observed)
    if area == 0:  # a single point or a line: inside or not
        inside = (
            declared[0] <= observed[0] <= observed[2] <= declared[2]
            and declared[1] <= observed[1] <= observed[3] <= declared[3]
        )
        return 0.0 if inside else 1.0
    overlap = _area(inter) if inter[0] < inter[2] and inter[1] < inter[3] else 0.0
    return 1 - overlap / area


def _listed_units(endpoints: list[EndpointObservation]) -> list[UnitObservation] | None:
    """The units of the endpoint that lists the most, when any of them carries a time."""
    listed = [e.units for e in endpoints if e.units and any(u.newest for u in e.units)]
    return max(listed, key=len) if listed else None


def _names(silent: list[UnitObservation]) -> str:
    ordered = sorted(silent, key=lambda u: (u.newest is not None, u.newest or datetime.min))
    shown = [
        f"{u.id} ({u.newest.date().isoformat() if u.newest else 'nooit'})"
        for u in ordered[:NAMED_UNITS]
    ]
    rest = len(ordered) - len(shown)
    return ", ".join(shown) + (f" en {rest} andere" if rest else "")


def _counts(
    fiche: Fiche, endpoints: list[EndpointObservation], now: datetime
) -> tuple[int | None, int | None, list[UnitObservation], dict[str, Any]]:
    """(reporting, listed in the area, silent units, evidence)."""
    listed = _listed_units(endpoints)
    if listed is None:
        # Only counts are known (a device list with the service's own 'active' flag).
        reporting = max(
            (e.units_reporting for e in endpoints if e.units_reporting is not None), default=None
        )
        total = max((e.units_total for e in endpoints if e.units_total is not None), default=None)
        return reporting, total, [], {}
    window = freshness_window(fiche, endpoints)
    inside = [u for u in listed if u.inside(fiche.area)]
    fresh = [u for u in inside if u.newest is not None and now - u.newest <= window]
    fresh_ids = {u.id for u in fresh}
    silent = [u for u in inside if u.id not in fresh_ids]
    evidence = {
        "fresh_window": duration(window),
        "units_listed": len(listed),
        "units_outside_area": len(listed) - len(inside),
        "units_silent": [u.id for u in silent][:NAMED_UNITS],
    }
    return len(fresh), len(inside), silent, evidence


def _units(
    fiche: Fiche, endpoints: list[EndpointObservation], now: datetime
) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    t = THRESHOLDS
    reporting, total, silent, evidence = _counts(fiche, endpoints, now)
    kind = fiche.expected_units.kind.value if fiche.expected_units else "meetpunten"
    expected = fiche.expected_units.count if fiche.expected_units else total
    texts: list[tuple[str, str]] = []
    evidence |= {
        "units_reporting": reporting,
        "units_expected": expected,
        "units_total": total,
        "kind": kind,
    }
    if evidence.get("units_outside_area"):
        area = fiche.spatial.name if fiche.spatial else ""
        texts.append(say("DEK-09", outside=count(evidence["units_outside_area"], kind), area=area))
    if expected is None:
        texts.append(say("DEK-06"))
    elif expected == 0:
        # The service lists no unit at all (an empty Telraam or device list).
        texts.append(say("DEK-08", kind=plural(kind)))
    elif reporting is not None:
        ratio = reporting / expected
        fid = (
            "DEK-01"
            if ratio >= t.coverage_warn_ratio
            else "DEK-02"
            if ratio >= t.coverage_fail_ratio
            else "DEK-03"
        )
        texts.append(
            say(
                fid,
                reporting=number(reporting),
                expected=count(expected, kind),
                pct=percent(100 * ratio),
            )
        )
        evidence["coverage_pct"] = round(100 * ratio, 1)
    if total and reporting and total > reporting:
        # Some listed units are silent: say how many and which (when known). Not when
        # none reports: DEK-03 already says so, and saying it twice reads as two problems.
        offline = total - reporting
        names = f": {_names(silent)}" if silent else ""
        texts.append(
            say(
                "DEK-07",
                offline=number(offline),
                total=count(total, kind),
                pct=percent(100 * offline / total),
                names=names,
            )
        )
        evidence |= {"units_offline": offline, "offline_pct": round(100 * offline / total, 1)}
    return texts, evidence


def coverage(fiche: Fiche, observation: Observation, now: datetime) -> DimensionResult:
    t = THRESHOLDS
    endpoints = measured(observation)
    texts, evidence = _units(fiche, endpoints, now)
    gaps = [e for e in endpoints if e.largest_gap_s is not None and e.median_step_s]
    if gaps:
        worst_gap = max(gaps, key=lambda e: e.largest_gap_s / e.median_step_s)
        evidence |= {
            "largest_gap_s": worst_gap.largest_gap_s,
            "median_step_s": worst_gap.median_step_s,
        }
        if worst_gap.largest_gap_s > t.gap_warn_factor * worst_gap.median_step_s:
            texts.append(
                say(
                    "DEK-04",
                    gap=duration(timedelta(seconds=worst_gap.largest_gap_s)),
                    step=duration(timedelta(seconds=worst_gap.median_step_s)),
                )
            )
    boxes = [e.bbox for e in endpoints if e.bbox]
    if boxes and fiche.area:
        share = max(outside_share(box, fiche.area) for box in boxes)
        evidence |= {"bbox_observed": boxes, "bbox_declared": fiche.area}
        evidence["bbox_outside_pct"] = round(100 * share, 1)
        if share > t.bbox_warn_outside_ratio:
            texts.append(say("DEK-05", pct=percent(100 * share, 0), area=fiche.spatial.name))
    return judged(texts, evidence)
