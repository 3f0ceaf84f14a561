"""What every judge shares: turning findings into a result, the endpoints that were asked."""

from __future__ import annotations

from typing import Any

from datapedia.model.findings import finding
from datapedia.model.results import DimensionResult, EndpointObservation, Observation, worst

NOT_APPLICABLE = "Niet van toepassing: de dataset bestaat nog niet."


def judged(texts: list[tuple[str, str]], evidence: dict[str, Any]) -> DimensionResult:
    """Status = worst finding; summary = the findings' texts in order; deciding = the
    text of the first finding with the worst status, so no reader parses it back."""
    ids = list(dict.fromkeys(fid for fid, _ in texts))
    deciding = max(texts, key=lambda said: finding(said[0]).status.rank, default=("", ""))
    return DimensionResult(
        status=worst([finding(fid).status for fid in ids]),
        summary=" ".join(dict.fromkeys(text for _, text in texts)) or "Niet gemeten.",
        evidence=evidence,
        findings=ids,
        deciding=deciding[1],
    )


def say(finding_id: str, **values: Any) -> tuple[str, str]:
    return finding_id, finding(finding_id).text(**values)


def measured(observation: Observation) -> list[EndpointObservation]:
    return [e for e in observation.endpoints if not e.skipped]


def error_reason(e: EndpointObservation) -> str:
    """Why an endpoint failed, in Dutch: never the bare error code."""
    return e.parse_error or e.error_reason or "onbekende fout"


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
