"""Beschikbaarheid: does each endpoint give a usable answer now, and how often did it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from datapedia.judge.common import error_reason, judged, measured, media_family, say
from datapedia.judge.history import checks_in_window, down_since, uptime, usable_answer
from datapedia.model.fiche import Fiche
from datapedia.model.findings import finding
from datapedia.model.results import (
    UPTIME_WINDOWS,
    DimensionResult,
    EndpointObservation,
    HistoryEntry,
    Observation,
    Status,
)
from datapedia.model.thresholds import THRESHOLDS
from datapedia.model.words import count, number, percent

FINDINGS = (
    "BES-01",
    "BES-02",
    "BES-03",
    "BES-04",
    "BES-05",
    "BES-06",
    "BES-07",
    "BES-08",
    "BES-09",
    "BES-10",
)

# Errors where the server answered but its body could not be used (BES-09, not BES-02);
# "http" is an error status, reported as BES-03.
_CONTENT_ERRORS = {"http", "decode", "too_large"}


def media_matches(actual: str | None, declared: str) -> bool:
    if actual is None:
        return True  # nothing to compare; a missing header is not a wrong one
    family, expected = media_family(actual), media_family(declared)
    # CSV is often served as text/plain; its content is still what was declared.
    return family == expected or (expected == "csv" and family == "text/plain")


def endpoint_findings(fiche: Fiche, e: EndpointObservation) -> list[tuple[str, str]]:
    t = THRESHOLDS
    if e.skipped:
        return [say("BES-08", title=e.title, reason=e.skipped)]
    # A transport error wins over the status it may come with (a redirect loop ends
    # on a 301, a timeout can strike after a 200): the data did not arrive.
    if e.error and e.error not in _CONTENT_ERRORS:
        return [say("BES-02", title=e.title, reason=error_reason(e))]
    if e.status_code is not None and not 200 <= e.status_code < 300:
        return [say("BES-03", title=e.title, status_code=e.status_code)]
    if not e.reachable:
        return [say("BES-02", title=e.title, reason=error_reason(e))]
    found = []
    expected = fiche.distributions[e.distribution].format
    if not media_matches(e.content_type, expected):
        found.append(say("BES-04", title=e.title, content_type=e.content_type, expected=expected))
    if e.latency_ms is not None and e.latency_ms / 1000 > t.slow_response_s:
        found.append(say("BES-05", title=e.title, seconds=number(e.latency_ms / 1000, 1)))
    if e.parse_error or e.error:
        found.append(say("BES-09", title=e.title, reason=error_reason(e)))
    return found


def _known(values: dict[str, Any]) -> dict[str, Any]:
    """Only what was measured: an endpoint without an error shows no empty 'fout'."""
    return {key: value for key, value in values.items() if value is not None}


def availability(
    fiche: Fiche, observation: Observation, history: list[HistoryEntry], now: datetime
) -> DimensionResult:
    t = THRESHOLDS
    texts: list[tuple[str, str]] = []
    for e in observation.endpoints:
        texts += endpoint_findings(fiche, e)
    asked = measured(observation)
    if asked and not any(finding(fid).status.rank > Status.ok.rank for fid, _ in texts):
        texts.insert(0, say("BES-01", endpoints=count(len(asked), "eindpunt")))
    usable = all(usable_answer(e) for e in asked) if asked else None
    timeline = list(history)
    if usable is not None:
        # This run counts too: uptime and "sinds" include tonight's answer.
        timeline.append(
            HistoryEntry(checked_at=now, overall=Status.unknown, dimensions={}, usable=usable)
        )
    rates = {f"uptime_{days}d": uptime(timeline, now, days) for days in UPTIME_WINDOWS}
    monthly = rates["uptime_30d"]
    # A handful of checks says nothing about a month: one failed first run is BES-02,
    # not "0% over 30 dagen".
    enough = len(checks_in_window(timeline, now, 30)) >= t.uptime_min_checks
    if enough and monthly is not None and monthly < t.uptime_fail_pct:
        texts.append(say("BES-07", pct=percent(monthly)))
    elif enough and monthly is not None and monthly < t.uptime_warn_pct:
        texts.append(say("BES-06", pct=percent(monthly)))
    since = down_since(timeline)
    evidence: dict[str, Any] = {
        "endpoints": [
            _known(
                {
                    "title": e.title,
                    "url": e.url,
                    "usable": usable_answer(e),
                    "status_code": e.status_code,
                    "content_type": e.content_type,
                    "expected_format": fiche.distributions[e.distribution].format,
                    "latency_s": round(e.latency_ms / 1000, 3)
                    if e.latency_ms is not None
                    else None,
                    "attempts": e.attempts,
                    "error": error_reason(e) if e.error or e.parse_error else None,
                    "skipped": e.skipped,
                }
            )
            for e in observation.endpoints
        ],
        "usable": usable,
        **{k: round(v, 1) if v is not None else None for k, v in rates.items()},
    }
    if since:  # only while down: readers never see an empty "sinds"
        evidence["down_since"] = since.isoformat()
    return judged(texts, evidence)
