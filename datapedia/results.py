"""What the probes observe and what the diagnosis concludes.

``Observation`` is the probe step's output (raw measurements, no judgement);
``Diagnosis`` is the diagnose step's output and the shape of ``checks/<id>.json``
(documented in ``checks/README.md``; other tools read it, keep it stable).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field

SCHEMA_VERSION = 1


class Status(StrEnum):
    ok = "ok"
    warn = "warn"
    fail = "fail"
    unknown = "unknown"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


_RANK = {Status.unknown: -1, Status.ok: 0, Status.warn: 1, Status.fail: 2}
STATUS_LABELS = {
    Status.ok: "in orde",
    Status.warn: "aandacht",
    Status.fail: "probleem",
    Status.unknown: "onbekend",
}


def worst(statuses: list[Status]) -> Status:
    """The worst measured status on the scale ok < warn < fail; unknown if none was measured."""
    measured = [s for s in statuses if s != Status.unknown]
    return max(measured, key=lambda s: s.rank) if measured else Status.unknown


class Dimension(StrEnum):
    availability = "availability"
    accessibility = "accessibility"
    timeliness = "timeliness"
    completeness = "completeness"
    coverage = "coverage"
    standards = "standards"

    @property
    def label(self) -> str:
        return DIMENSION_LABELS[self]


DIMENSION_LABELS = {
    Dimension.availability: "beschikbaarheid",
    Dimension.accessibility: "toegankelijkheid",
    Dimension.timeliness: "actualiteit",
    Dimension.completeness: "volledigheid",
    Dimension.coverage: "dekkingsgraad",
    Dimension.standards: "standaarden",
}


class ColumnProfile(BaseModel):
    """Completeness of one column in the sampled rows."""

    name: str
    present: bool = True
    missing: int = 0
    rows: int = 0


class EndpointObservation(BaseModel):
    """One distribution probed once: transport facts plus what was read from the body."""

    distribution: int = Field(description="Index of the distribution in the fiche.")
    title: str
    protocol: str
    url: str = Field(description="The URL asked, with any key removed.")
    # transport
    reachable: bool = False
    status_code: int | None = None
    content_type: str | None = None
    latency_ms: float | None = None
    bytes_read: int | None = None
    attempts: int = 0
    method: str | None = None
    error: str | None = Field(None, description="Stable error code, see datapedia.net.ERRORS.")
    error_detail: str | None = None
    skipped: str | None = Field(None, description="Why the endpoint was not asked (Dutch).")
    # content
    parsed: bool = False
    parse_error: str | None = None
    newest: AwareDatetime | None = None
    oldest: AwareDatetime | None = None
    future_timestamps: int = 0
    records: int | None = None
    total_records: int | None = Field(
        None, description="Total the service reports (numberMatched)."
    )
    units_reporting: int | None = None
    units_total: int | None = None
    largest_gap_s: float | None = None
    median_step_s: float | None = None
    bbox: list[float] | None = Field(None, description="[west, south, east, north] observed.")
    columns: list[ColumnProfile] = Field(default_factory=list)
    rows_sampled: int | None = None
    sample: list[dict[str, Any]] | None = Field(
        None, description="A bounded sample of records for completeness checks; not stored."
    )
    notes: list[str] = Field(default_factory=list)


class Observation(BaseModel):
    fiche_id: str
    checked_at: AwareDatetime
    endpoints: list[EndpointObservation] = Field(default_factory=list)


class DimensionResult(BaseModel):
    status: Status = Status.unknown
    summary: str = "Niet gemeten."
    evidence: dict[str, Any] = Field(default_factory=dict)
    findings: list[str] = Field(default_factory=list, description="Ids from datapedia.findings.")


class Diagnosis(BaseModel):
    """The contract of ``checks/<id>.json``."""

    schema_version: int = SCHEMA_VERSION
    id: str
    checked_at: AwareDatetime
    overall: Status
    dimensions: dict[Dimension, DimensionResult]
    endpoints: list[EndpointObservation] = Field(default_factory=list)

    @classmethod
    def build(
        cls,
        fiche_id: str,
        checked_at: datetime,
        dimensions: dict[Dimension, DimensionResult],
        endpoints: list[EndpointObservation] | None = None,
    ) -> Diagnosis:
        full = {d: dimensions.get(d, DimensionResult()) for d in Dimension}
        return cls(
            id=fiche_id,
            checked_at=checked_at,
            overall=worst([r.status for r in full.values()]),
            dimensions=full,
            endpoints=[e.model_copy(update={"sample": None}) for e in endpoints or []],
        )
