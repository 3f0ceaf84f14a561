"""Actualiteit: the age of the newest observation against the interval it should have.

The expected interval is the fiche's ``update_frequency``; without one, the cadence
seen in the data (the median step of a time series). Without a declared frequency an
absolute ceiling per theme also holds, so a fiche that omits its frequency can still be
stale. Every text states the age. "Sinds" is the newest observation's time: data from
2017 has been stale since 2017, not since the first check that noticed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from datapedia.judge.common import judged, measured, say
from datapedia.model.fiche import Fiche
from datapedia.model.results import DimensionResult, EndpointObservation, Observation
from datapedia.model.thresholds import THRESHOLDS
from datapedia.model.words import count, duration

FINDINGS = (
    "ACT-01",
    "ACT-02",
    "ACT-03",
    "ACT-04",
    "ACT-05",
    "ACT-06",
    "ACT-07",
    "ACT-08",
    "ACT-09",
    "ACT-10",
)
DECLARED, OBSERVED = "opgegeven in de fiche", "waargenomen in de data"


def expected_interval(
    fiche: Fiche, endpoints: list[EndpointObservation]
) -> tuple[timedelta, str] | None:
    """The interval the data should be refreshed at, and where that number comes from."""
    if fiche.update_interval is not None:
        return fiche.update_interval, DECLARED
    steps = [e.median_step_s for e in endpoints if e.median_step_s]
    if steps:
        return timedelta(seconds=min(steps)), OBSERVED
    return None


def ceiling(fiche: Fiche) -> timedelta:
    return timedelta(days=THRESHOLDS.ceiling_days(fiche.theme))


def freshness_window(fiche: Fiche, endpoints: list[EndpointObservation]) -> timedelta:
    """How old a unit's newest observation may be for it to count as reporting."""
    expected = expected_interval(fiche, endpoints)
    window = expected[0] * THRESHOLDS.unit_fresh_factor if expected else ceiling(fiche)
    return window if fiche.update_interval is not None else min(window, ceiling(fiche))


def _age_finding(
    fiche: Fiche, age: timedelta, expected: tuple[timedelta, str] | None, values: dict[str, Any]
) -> str:
    t = THRESHOLDS
    if expected is None:
        return "ACT-09" if age > ceiling(fiche) else "ACT-10"
    interval, source = expected
    values |= {"expected": duration(interval), "source": source}
    ratio = age / interval
    if source == OBSERVED and age > ceiling(fiche):
        return "ACT-09"
    if ratio <= t.stale_warn_factor:
        return "ACT-01"
    return "ACT-02" if ratio <= t.stale_fail_factor else "ACT-03"


def _future(endpoints: list[EndpointObservation], at: datetime) -> tuple[list[datetime], int]:
    """Timestamps after the check within the tolerance (clock skew: they count as newest),
    and how many lie beyond it (ACT-06)."""
    tolerance = THRESHOLDS.future_tolerance_s
    skewed = [
        at + timedelta(seconds=o) for e in endpoints for o in e.future_offsets_s if o <= tolerance
    ]
    within = len(skewed)
    return skewed, sum(e.future_timestamps for e in endpoints) - within


def timeliness(fiche: Fiche, observation: Observation, now: datetime) -> DimensionResult:
    endpoints = measured(observation)
    skewed, future = _future(endpoints, observation.checked_at)
    stamps = [e.newest for e in endpoints if e.newest] + skewed
    newest = max(stamps) if stamps else None
    expected = expected_interval(fiche, endpoints)
    evidence: dict[str, Any] = {
        "newest": newest.isoformat() if newest else None,
        "update_frequency": fiche.update_frequency,
    }
    texts: list[tuple[str, str]] = []
    if newest is None:
        empty = all(e.records == 0 for e in endpoints if e.parsed)
        texts.append(say("ACT-08" if empty else "ACT-04"))
    else:
        age = max(now - newest, timedelta(0))
        values: dict[str, Any] = {
            "age": duration(age),
            "newest": newest.date().isoformat(),
            "ceiling": duration(ceiling(fiche)),
            "theme": fiche.theme.value,
        }
        fid = _age_finding(fiche, age, expected, values)
        texts.append(say(fid, **values))
        evidence |= {"age_s": age.total_seconds(), "age": values["age"]}
        if expected:
            evidence |= {
                "expected": values["expected"],
                "expected_s": expected[0].total_seconds(),
                "expected_source": expected[1],
                "age_factor": round(age / expected[0], 2),
            }
        if fiche.update_interval is None:
            evidence["ceiling"] = values["ceiling"]
        if fid in ("ACT-03", "ACT-09"):
            # Stale since the newest observation: that is when the data stopped.
            evidence["stale_since"] = newest.isoformat()
    if future:
        texts.append(say("ACT-06", future=count(future, "tijdstip")))
    if any(e.naive_timestamps for e in endpoints):
        texts.append(say("ACT-07"))
    evidence["future_timestamps"] = future
    evidence["notes"] = list(dict.fromkeys(note for e in endpoints for note in e.notes))
    return judged(texts, evidence)
