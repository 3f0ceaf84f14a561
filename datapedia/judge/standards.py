"""Standaarden: which claimed standards this run could verify.

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

from datapedia.judge.common import NOT_APPLICABLE, error_reason, judged, measured, media_family, say
from datapedia.model.fiche import DatasetStatus, Fiche, Standard
from datapedia.model.results import DimensionResult, EndpointObservation, Observation, Status

FINDINGS = ("STA-01", "STA-02", "STA-03", "STA-04")

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
            return "contradicted", error_reason(broken[0])
    return ("documented", None) if claim.evidence else ("unverified", None)


def standards(fiche: Fiche, observation: Observation | None) -> DimensionResult:
    if fiche.status == DatasetStatus.ontbrekend:
        return DimensionResult(status=Status.unknown, summary=NOT_APPLICABLE)
    if not fiche.standards:
        return judged([say("STA-03")], {"claimed": []})
    endpoints = measured(observation) if observation else []
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
