"""The diagnose step: from an Observation (measurements) to a Diagnosis (judgement).

Pure: no network, no clock (``now`` is passed in), every number from ``THRESHOLDS``.
One function per dimension; each returns a ``DimensionResult`` whose summary is
built from the findings' Dutch messages and whose evidence holds the measured values.

An offline run (``observation is None``) judges only what the fiche itself says
(accessibility, standards); the measured dimensions are ``unknown``.

Standards: what counts as verified
----------------------------------
A claim (``fiche.standards``) counts as *verified* when the protocol itself proves
it in this run: an endpoint of that protocol answered and its body parsed.

* a ``wfs`` endpoint that returned a valid WFS 2.0 FeatureCollection verifies claims
  naming WFS (or "Web Feature Service"), plain "OGC", or an INSPIRE download service
  (partially: the service speaks the protocol; the INSPIRE data specification itself
  is not checked);
* an ``opendatasoft`` endpoint verifies DCAT claims (the platform publishes a DCAT
  catalogue for every dataset);
* a JSON endpoint served as ``application/geo+json`` verifies GeoJSON, a parsed
  ``csv`` endpoint verifies CSV claims.

A claim with an ``evidence`` URL counts as *documented* (the reader can check it).
Anything else is unverified (STA-02); a claim whose protocol endpoint answered but
could not be read is contradicted (STA-04); nothing claimed at all is STA-03.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from typing import Protocol as TypingProtocol

from datapedia.fiche import AuthKind, DatasetStatus, Fiche, Standard
from datapedia.findings import finding
from datapedia.results import (
    Diagnosis,
    Dimension,
    DimensionResult,
    EndpointObservation,
    Observation,
    Status,
    worst,
)
from datapedia.store import HistoryEntry, reachability, stale_since, uptime
from datapedia.thresholds import THRESHOLDS

OFFLINE = "Niet gemeten (offline)."
NOT_APPLICABLE = "Niet van toepassing: de dataset bestaat nog niet."
UPTIME_WINDOWS = (7, 30, 90)

# Licences that allow reuse without conditions beyond attribution/share-alike,
# matched on the URI without scheme, "www." and trailing slash.
OPEN_LICENCES = (
    "data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik",
    "data.vlaanderen.be/doc/licentie/modellicentie-gratis-hergebruik",
    "creativecommons.org/publicdomain/zero/1.0",
    "creativecommons.org/licenses/by/4.0",
    "creativecommons.org/licenses/by-sa/4.0",
    "opendatacommons.org/licenses/odbl",
    "opendatacommons.org/licenses/pddl",
    "etalab.gouv.fr",
)
_RESTRICTED_LICENCE = re.compile(r"by-nc|-nd\b|by-nd|noncommercial|no-derivatives")

# Open, machine-readable media types beyond the json/xml/csv families.
_OPEN_MEDIA = {
    "text/turtle",
    "application/n-triples",
    "application/n-quads",
    "application/geopackage+sqlite3",
    "application/vnd.apache.parquet",
    "application/x-ndjson",
}


# Errors where the server answered but its body could not be used (BES-09, not BES-02);
# "http" is an error status, reported as BES-03.
_CONTENT_ERRORS = {"http", "decode", "too_large"}


class QualityAssessor(TypingProtocol):
    def assess(self, fiche: Fiche, observation: Observation) -> DimensionResult: ...


# --- small helpers ----------------------------------------------------------------
def media_family(media_type: str | None) -> str:
    """Reduce a media type to what matters for comparing it: json, xml, csv or itself."""
    base = (media_type or "").split(";")[0].strip().lower()
    if base.endswith(("/json", "+json")) or base in ("application/vnd.geo+json", "text/json"):
        return "json"
    if base.endswith(("/xml", "+xml")) or "gml" in (media_type or "").lower():
        return "xml"
    if base in ("text/csv", "application/csv", "text/tab-separated-values"):
        return "csv"
    return base


def media_matches(actual: str | None, declared: str) -> bool:
    if actual is None:
        return True  # nothing to compare; a missing header is not a wrong one
    family, expected = media_family(actual), media_family(declared)
    # CSV is often served as text/plain; its content is still what was declared.
    return family == expected or (expected == "csv" and family == "text/plain")


def human_duration(delta: timedelta) -> str:
    """Dutch, in the largest unit that reads naturally: '8527 dagen', '3 uur', '1 dag'."""
    seconds = int(abs(delta.total_seconds()))
    for size, one, many in (
        (86400, "dag", "dagen"),
        (3600, "uur", "uur"),
        (60, "minuut", "minuten"),
    ):
        if seconds >= 2 * size or (seconds >= size and seconds % size == 0):
            count = seconds // size
            return f"{count} {one if count == 1 else many}"
    return f"{seconds} {'seconde' if seconds == 1 else 'seconden'}"


def judged(texts: list[tuple[str, str]], evidence: dict[str, Any]) -> DimensionResult:
    """Status = worst finding; summary = the findings' texts in order."""
    ids = list(dict.fromkeys(fid for fid, _ in texts))
    return DimensionResult(
        status=worst([finding(fid).status for fid in ids]),
        summary=" ".join(dict.fromkeys(text for _, text in texts)) or "Niet gemeten.",
        evidence=evidence,
        findings=ids,
    )


def say(finding_id: str, **values: Any) -> tuple[str, str]:
    return finding_id, finding(finding_id).text(**values)


def _measured(observation: Observation) -> list[EndpointObservation]:
    return [e for e in observation.endpoints if not e.skipped]


def _error_reason(code: str | None) -> str:
    # Imported here: an offline run never needs the network module (and requests).
    from datapedia.net import ERRORS

    return ERRORS.get(code or "", code or "onbekende fout")


# --- availability -----------------------------------------------------------------
def _endpoint_findings(fiche: Fiche, e: EndpointObservation) -> list[tuple[str, str]]:
    t = THRESHOLDS
    if e.skipped:
        return [say("BES-08", title=e.title, reason=e.skipped)]
    # A transport error wins over the status it may come with (a redirect loop ends
    # on a 301, a timeout can strike after a 200): the data did not arrive.
    if e.error and e.error not in _CONTENT_ERRORS:
        return [say("BES-02", title=e.title, reason=_error_reason(e.error))]
    if e.status_code is not None and not 200 <= e.status_code < 300:
        return [say("BES-03", title=e.title, status_code=e.status_code)]
    if not e.reachable:
        return [say("BES-02", title=e.title, reason=_error_reason(e.error))]
    found = []
    expected = fiche.distributions[e.distribution].format
    if not media_matches(e.content_type, expected):
        found.append(say("BES-04", title=e.title, content_type=e.content_type, expected=expected))
    if e.latency_ms is not None and e.latency_ms / 1000 > t.slow_response_s:
        found.append(say("BES-05", title=e.title, seconds=e.latency_ms / 1000))
    if e.parse_error or e.error:
        reason = e.parse_error or _error_reason(e.error)
        found.append(say("BES-09", title=e.title, reason=reason))
    return found


def current_entry(
    observation: Observation, timeliness: Status, now: datetime
) -> HistoryEntry | None:
    """This run as a history line, so uptime and stale_since include it."""
    measured = _measured(observation)
    if not measured:
        return None
    return HistoryEntry(
        checked_at=now,
        overall=Status.unknown,
        dimensions={Dimension.timeliness: timeliness},
        reachable=all(e.reachable for e in measured),
    )


def availability(
    fiche: Fiche,
    observation: Observation,
    history: list[HistoryEntry],
    now: datetime,
    timeliness: Status = Status.unknown,
) -> DimensionResult:
    t = THRESHOLDS
    texts: list[tuple[str, str]] = []
    for e in observation.endpoints:
        texts += _endpoint_findings(fiche, e)
    measured = _measured(observation)
    if measured and not any(finding(fid).status.rank > Status.ok.rank for fid, _ in texts):
        texts.insert(0, say("BES-01", n=len(measured)))
    current = current_entry(observation, timeliness, now)
    timeline = history + ([current] if current else [])
    rates = {f"uptime_{days}d": uptime(timeline, now, days) for days in UPTIME_WINDOWS}
    monthly = rates["uptime_30d"]
    # A handful of checks says nothing about a month: one failed first run is BES-02,
    # not "0% over 30 dagen".
    enough = len(reachability(timeline, now, 30)) >= t.uptime_min_checks
    if enough and monthly is not None and monthly < t.uptime_fail_pct:
        texts.append(say("BES-07", pct=monthly))
    elif enough and monthly is not None and monthly < t.uptime_warn_pct:
        texts.append(say("BES-06", pct=monthly))
    since = stale_since(timeline)
    evidence = {
        "endpoints": [
            {
                "title": e.title,
                "url": e.url,
                "reachable": e.reachable,
                "status_code": e.status_code,
                "content_type": e.content_type,
                "expected_format": fiche.distributions[e.distribution].format,
                "latency_s": round(e.latency_ms / 1000, 3) if e.latency_ms is not None else None,
                "attempts": e.attempts,
                "error": e.error,
                "skipped": e.skipped,
            }
            for e in observation.endpoints
        ],
        **{k: round(v, 1) if v is not None else None for k, v in rates.items()},
        "stale_since": since.isoformat() if since else None,
    }
    return judged(texts, evidence)


# --- accessibility (from the fiche only) ------------------------------------------
def _normalise_uri(uri: str) -> str:
    text = re.sub(r"^https?://(www\.)?", "", uri.strip().lower())
    return re.sub(r"/(legalcode|deed\.[a-z-]+)?$", "", text.rstrip("/")).rstrip("/")


def licence_finding(fiche: Fiche) -> tuple[str, str] | None:
    if fiche.licence is None:
        return say("TOE-02")
    uri = _normalise_uri(str(fiche.licence.uri))
    if _RESTRICTED_LICENCE.search(uri) or _RESTRICTED_LICENCE.search(fiche.licence.name.lower()):
        return say("TOE-03", licence=fiche.licence.name)
    if not any(uri.startswith(open_uri) for open_uri in OPEN_LICENCES):
        return say("TOE-09", licence=fiche.licence.name)
    return None


def is_open_format(media_type: str) -> bool:
    family = media_family(media_type)
    return family in ("json", "xml", "csv") or family in _OPEN_MEDIA


def accessibility(fiche: Fiche) -> DimensionResult:
    if fiche.status == DatasetStatus.ontbrekend:
        return DimensionResult(status=Status.unknown, summary=NOT_APPLICABLE)
    texts: list[tuple[str, str]] = []
    licence = licence_finding(fiche)
    if licence:
        texts.append(licence)
    formats = [d.format for d in fiche.distributions]
    open_formats = [f for f in formats if is_open_format(f)]
    if not open_formats:
        texts.append(say("TOE-06", formats=", ".join(dict.fromkeys(formats))))
    keyed = [d for d in fiche.distributions if d.auth.kind != AuthKind.none]
    for d in keyed:
        texts.append(say("TOE-04" if d.auth.documentation else "TOE-05", title=d.title))
    bulk = any(d.download for d in fiche.distributions)
    if not bulk:
        texts.append(say("TOE-07"))
    documented = fiche.documentation or any(d.documentation for d in fiche.distributions)
    if not documented:
        texts.append(say("TOE-08"))
    if not texts:
        texts.append(say("TOE-01"))
    evidence = {
        "licence": {"name": fiche.licence.name, "uri": str(fiche.licence.uri)}
        if fiche.licence
        else None,
        "licence_open": licence is None,
        "formats": formats,
        "open_formats": open_formats,
        "auth": {d.title: d.auth.kind.value for d in keyed},
        "bulk_download": bulk,
        "documentation": bool(documented),
    }
    return judged(texts, evidence)


# --- timeliness ---------------------------------------------------------------------
def timeliness(fiche: Fiche, observation: Observation, now: datetime) -> DimensionResult:
    t = THRESHOLDS
    measured = _measured(observation)
    stamps = [e.newest for e in measured if e.newest]
    newest = max(stamps) if stamps else None
    interval = fiche.update_interval
    evidence: dict[str, Any] = {
        "newest": newest.isoformat() if newest else None,
        "update_frequency": fiche.update_frequency,
    }
    texts: list[tuple[str, str]] = []
    if newest is None:
        texts.append(say("ACT-04"))
    elif interval is None:
        texts.append(say("ACT-05"))
    else:
        age = max(now - newest, timedelta(0))
        ratio = age / interval
        values = {
            "age": human_duration(age),
            "expected": human_duration(interval),
            "newest": newest.date().isoformat(),
        }
        fid = (
            "ACT-01"
            if ratio <= t.stale_warn_factor
            else "ACT-02"
            if ratio <= t.stale_fail_factor
            else "ACT-03"
        )
        texts.append(say(fid, **values))
        evidence |= {
            "age_s": age.total_seconds(),
            "age": values["age"],
            "expected_s": interval.total_seconds(),
            "age_factor": round(ratio, 2),
        }
    future = sum(e.future_timestamps for e in measured)
    if not future and newest and (newest - now).total_seconds() > t.future_tolerance_s:
        future = 1
    if future:
        texts.append(say("ACT-06", n=future))
    if any("tijdzone" in note for e in measured for note in e.notes):
        texts.append(say("ACT-07"))
    evidence["future_timestamps"] = future
    evidence["notes"] = list(dict.fromkeys(note for e in measured for note in e.notes))
    return judged(texts, evidence)


# --- coverage -----------------------------------------------------------------------
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


def _units(fiche: Fiche, measured: list[EndpointObservation]) -> tuple[list, dict]:
    t = THRESHOLDS
    reporting = max(
        (e.units_reporting for e in measured if e.units_reporting is not None), default=None
    )
    total = max((e.units_total for e in measured if e.units_total is not None), default=None)
    kind = fiche.expected_units.kind.value if fiche.expected_units else "meetpunten"
    expected = fiche.expected_units.count if fiche.expected_units else total
    texts: list[tuple[str, str]] = []
    evidence: dict[str, Any] = {
        "units_reporting": reporting,
        "units_expected": expected,
        "units_total": total,
        "kind": kind,
    }
    if expected is None:
        texts.append(say("DEK-06"))
    elif expected == 0:
        # The service lists no unit at all (an empty Telraam or device list).
        texts.append(say("DEK-08", kind=kind))
    elif reporting is not None:
        ratio = reporting / expected
        fid = (
            "DEK-01"
            if ratio >= t.coverage_warn_ratio
            else "DEK-02"
            if ratio >= t.coverage_fail_ratio
            else "DEK-03"
        )
        texts.append(say(fid, reporting=reporting, expected=expected, kind=kind, pct=100 * ratio))
        evidence["coverage_pct"] = round(100 * ratio, 1)
    if total and reporting is not None and total > reporting:
        # The service itself lists units that do not report (Telraam: offline
        # segments); that share is the headline for policy makers, so say it.
        offline = total - reporting
        share = 100 * offline / total
        texts.append(say("DEK-07", offline=offline, total=total, kind=kind, pct=share))
        evidence |= {"units_offline": offline, "offline_pct": round(share, 1)}
    return texts, evidence


def coverage(fiche: Fiche, observation: Observation) -> DimensionResult:
    t = THRESHOLDS
    measured = _measured(observation)
    texts, evidence = _units(fiche, measured)
    gaps = [e for e in measured if e.largest_gap_s is not None and e.median_step_s]
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
                    gap=human_duration(timedelta(seconds=worst_gap.largest_gap_s)),
                    step=human_duration(timedelta(seconds=worst_gap.median_step_s)),
                )
            )
    boxes = [e.bbox for e in measured if e.bbox]
    if boxes and fiche.spatial and fiche.spatial.bbox:
        share = max(outside_share(box, fiche.spatial.bbox) for box in boxes)
        evidence |= {"bbox_observed": boxes, "bbox_declared": fiche.spatial.bbox}
        evidence["bbox_outside_pct"] = round(100 * share, 1)
        if share > t.bbox_warn_outside_ratio:
            texts.append(say("DEK-05", pct=100 * share, area=fiche.spatial.name))
    return judged(texts, evidence)


# --- standards ----------------------------------------------------------------------
# (claim pattern, protocol whose parsed answer proves it, extra condition on the endpoint)
_PROOFS: list[tuple[re.Pattern[str], str, Callable[[EndpointObservation], bool]]] = [
    # "OGC" only on its own: "OGC WaterML" is not proved by a WFS answering.
    (re.compile(r"\bwfs\b|web feature service|inspire|^\s*ogc\s*$", re.I), "wfs", lambda e: True),
    (re.compile(r"dcat", re.I), "opendatasoft", lambda e: True),
    (
        re.compile(r"geojson", re.I),
        "json",
        lambda e: media_family(e.content_type) == "json" and "geo" in (e.content_type or ""),
    ),
    (re.compile(r"\bcsv\b|rfc ?4180", re.I), "csv", lambda e: True),
]


def _judge_claim(claim: Standard, endpoints: list[EndpointObservation]) -> tuple[str, str | None]:
    """('verified'|'documented'|'contradicted'|'unverified', reason)."""
    for pattern, protocol, condition in _PROOFS:
        if not pattern.search(claim.name):
            continue
        candidates = [e for e in endpoints if e.protocol == protocol and e.reachable]
        if any(e.parsed and condition(e) for e in candidates):
            return "verified", None
        broken = [e for e in candidates if not e.parsed]
        if broken and not claim.evidence:
            return "contradicted", broken[0].parse_error or _error_reason(broken[0].error)
    return ("documented", None) if claim.evidence else ("unverified", None)


def standards(fiche: Fiche, observation: Observation | None) -> DimensionResult:
    if fiche.status == DatasetStatus.ontbrekend:
        return DimensionResult(status=Status.unknown, summary=NOT_APPLICABLE)
    if not fiche.standards:
        return judged([say("STA-03")], {"claimed": []})
    endpoints = _measured(observation) if observation else []
    groups: dict[str, list[str]] = {
        "verified": [],
        "documented": [],
        "contradicted": [],
        "unverified": [],
    }
    texts: list[tuple[str, str]] = []
    for claim in fiche.standards:
        verdict, reason = _judge_claim(claim, endpoints)
        groups[verdict].append(claim.name)
        if verdict == "contradicted":
            texts.append(say("STA-04", standard=claim.name, reason=reason))
        elif verdict == "unverified":
            texts.append(say("STA-02", standard=claim.name))
    if not texts:
        checked = len(groups["verified"]) + len(groups["documented"])
        texts.append(say("STA-01", verified=checked, claimed=len(fiche.standards)))
    return judged(texts, {"claimed": [s.name for s in fiche.standards], **groups})


# --- the whole diagnosis --------------------------------------------------------------
def unmeasured_reason(observation: Observation) -> str | None:
    """Why the data itself could not be judged, or None when some endpoint was read."""
    if any(e.parsed for e in _measured(observation)):
        return None
    skipped = [e.skipped for e in observation.endpoints if e.skipped]
    if skipped and len(skipped) == len(observation.endpoints):
        return f"Niet gemeten: {'; '.join(dict.fromkeys(skipped))}."
    return "Niet gemeten: geen eindpunt leverde leesbare gegevens."


def diagnose(
    fiche: Fiche,
    observation: Observation | None,
    history: list[HistoryEntry],
    now: datetime,
    quality: QualityAssessor | None,
) -> Diagnosis:
    """Judge one fiche. ``observation`` None means an offline run."""
    dims: dict[Dimension, DimensionResult] = {
        Dimension.accessibility: accessibility(fiche),
        Dimension.standards: standards(fiche, observation),
    }
    data_dims = (Dimension.timeliness, Dimension.completeness, Dimension.coverage)
    if fiche.status == DatasetStatus.ontbrekend:
        dims[Dimension.availability] = judged([say("BES-10")], {})
        for key in data_dims:
            dims[key] = DimensionResult(status=Status.unknown, summary=NOT_APPLICABLE)
        return Diagnosis.build(fiche.id, now, dims, missing=True)
    if observation is None:
        for key in (Dimension.availability, *data_dims):
            dims[key] = DimensionResult(status=Status.unknown, summary=OFFLINE)
        return Diagnosis.build(fiche.id, now, dims)
    reason = unmeasured_reason(observation)
    if reason:
        # Not "no timestamp in the data" (ACT-04) when no data was read at all.
        for key in data_dims:
            dims[key] = DimensionResult(status=Status.unknown, summary=reason)
    else:
        dims[Dimension.timeliness] = timeliness(fiche, observation, now)
        dims[Dimension.coverage] = coverage(fiche, observation)
        if quality is not None:
            dims[Dimension.completeness] = quality.assess(fiche, observation)
    dims[Dimension.availability] = availability(
        fiche, observation, history, now, dims.get(Dimension.timeliness, DimensionResult()).status
    )
    return Diagnosis.build(fiche.id, observation.checked_at, dims, observation.endpoints)
