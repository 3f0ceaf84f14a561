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
    """A dimension's or dataset's status, declared in reading order (ok, warn, fail,
    unknown): counts and legends iterate the enum; ``rank`` is the severity order."""

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


# Dimensions a probe measures: while one of them is unknown a dataset is never "in orde".
MEASURED = (
    Dimension.availability,
    Dimension.timeliness,
    Dimension.completeness,
    Dimension.coverage,
)


class Verdict(StrEnum):
    """The dataset-level state readers see: the overall status plus two states of its own."""

    ok = "ok"
    warn = "warn"
    fail = "fail"
    not_judged = "niet_beoordeeld"
    missing = "ontbrekend"

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self]


VERDICT_LABELS = {
    Verdict.ok: STATUS_LABELS[Status.ok],
    Verdict.warn: STATUS_LABELS[Status.warn],
    Verdict.fail: STATUS_LABELS[Status.fail],
    Verdict.not_judged: "niet beoordeeld",
    Verdict.missing: "ontbrekend",
}
# Worst first, the order of every worklist and count: what is broken, then what does not
# exist, then what could not be judged, then what is in order.
VERDICT_ORDER = (Verdict.fail, Verdict.warn, Verdict.missing, Verdict.not_judged, Verdict.ok)
# The windows (days) over which availability is judged; evidence keys ``uptime_<d>d``.
UPTIME_WINDOWS = (7, 30, 90)


def verdict_of(dimensions: dict[Dimension, DimensionResult], missing: bool) -> tuple[Verdict, str]:
    """The verdict and its reason (Dutch): measured problems first, then what was not measured."""
    if missing:
        return Verdict.missing, "De dataset bestaat nog niet."
    overall = worst([r.status for r in dimensions.values()])
    unmeasured = [d for d in MEASURED if dimensions[d].status == Status.unknown]
    if overall in (Status.fail, Status.warn):
        return Verdict(overall.value), ""
    if unmeasured:
        labels = ", ".join(d.label for d in unmeasured)
        return Verdict.not_judged, f"Niet beoordeeld: {labels} niet gemeten."
    if overall == Status.unknown:
        return Verdict.not_judged, "Niet beoordeeld: geen enkele dimensie gemeten."
    return Verdict.ok, ""


class ColumnProfile(BaseModel):
    """Completeness of one column in the sampled rows."""

    name: str
    present: bool = True
    missing: int = 0
    rows: int = 0


class UnitObservation(BaseModel):
    """One station/segment/filter as a probe saw it: its newest time and where it is."""

    id: str
    newest: AwareDatetime | None = None
    lon: float | None = None
    lat: float | None = None

    def inside(self, box: list[float] | None) -> bool:
        """Within [west, south, east, north]; a unit without a position is not outside."""
        if box is None or self.lon is None or self.lat is None:
            return True
        return box[0] <= self.lon <= box[2] and box[1] <= self.lat <= box[3]


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
    error: str | None = Field(
        None, description="Stable error code, see datapedia.probe.transport.ERRORS."
    )
    error_detail: str | None = None
    error_reason: str | None = Field(None, description="The error code in Dutch, for readers.")
    skipped: str | None = Field(None, description="Why the endpoint was not asked (Dutch).")
    # content
    parsed: bool = False
    parse_error: str | None = None
    too_complex: str | None = Field(
        None, description="Why reading stopped at a limit on size, structure or cost (Dutch)."
    )
    newest: AwareDatetime | None = None
    oldest: AwareDatetime | None = None
    future_timestamps: int = Field(0, description="Timestamps after the time of the check.")
    future_offsets_s: list[float] = Field(
        default_factory=list, description="Seconds after the check of the nearest 100 of them."
    )
    naive_timestamps: int = Field(0, description="Timestamps without a zone, read as UTC.")
    records: int | None = None
    total_records: int | None = Field(
        None, description="Total the service reports (numberMatched)."
    )
    units_reporting: int | None = None
    units_total: int | None = None
    largest_gap_s: float | None = None
    median_step_s: float | None = None
    bbox: list[float] | None = Field(None, description="[west, south, east, north] observed.")
    unit_positions: list[UnitObservation] | None = Field(
        None, description="The units with a WGS84 position (per-city coverage, maps); stored."
    )
    columns: list[ColumnProfile] = Field(default_factory=list)
    rows_sampled: int | None = None
    units: list[UnitObservation] | None = Field(
        None, description="Every unit the body lists, for coverage; not stored."
    )
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
    findings: list[str] = Field(
        default_factory=list, description="Ids from datapedia.model.findings."
    )
    deciding: str = Field(
        "",
        description="The worst finding's sentence as the judge filled it in (Dutch); "
        "empty when no finding decided, and in checks written before it was stored.",
    )

    @property
    def headline(self) -> str:
        """The one sentence a worklist line shows: the deciding finding, else the summary."""
        return self.deciding or self.summary


class Diagnosis(BaseModel):
    """The contract of ``checks/<id>.json``."""

    schema_version: int = SCHEMA_VERSION
    id: str
    checked_at: AwareDatetime
    overall: Status = Field(
        description="Worst measured status; unknown while a measured dimension is unknown."
    )
    verdict: Verdict = Verdict.not_judged
    verdict_reason: str = Field("", description="Why the verdict is not_judged/missing (Dutch).")
    dimensions: dict[Dimension, DimensionResult]
    endpoints: list[EndpointObservation] = Field(default_factory=list)

    @classmethod
    def build(
        cls,
        fiche_id: str,
        checked_at: datetime,
        dimensions: dict[Dimension, DimensionResult],
        endpoints: list[EndpointObservation] | None = None,
        missing: bool = False,
        area: list[float] | None = None,
    ) -> Diagnosis:
        """``area``: the fiche's bbox; positions outside it are not stored (they do not count)."""
        full = {d: dimensions.get(d, DimensionResult()) for d in Dimension}
        verdict, reason = verdict_of(full, missing)
        overall = worst([r.status for r in full.values()])
        return cls(
            id=fiche_id,
            checked_at=checked_at,
            # Never "ok" without a measurement: a not-judged dataset is unknown overall.
            overall=Status.unknown if verdict == Verdict.not_judged else overall,
            verdict=verdict,
            verdict_reason=reason,
            dimensions=full,
            endpoints=[
                e.model_copy(
                    update={
                        "sample": None,
                        "units": None,
                        "unit_positions": _placed(e.units, area),
                    }
                )
                for e in endpoints or []
            ],
        )


def _placed(
    units: list[UnitObservation] | None, area: list[float] | None
) -> list[UnitObservation] | None:
    """The units with a position in the area: what the site's city pages and maps need."""
    placed = [
        # Five decimals are about a metre: enough to place a unit in a municipality.
        u.model_copy(update={"lon": round(u.lon, 5), "lat": round(u.lat, 5)})
        for u in units or []
        if u.lon is not None and u.lat is not None and u.inside(area)
    ]
    return placed or None


class HistoryEntry(BaseModel):
    """One line of ``checks/history/<id>.jsonl``: just enough for uptime and freshness plots.

    ``usable`` (added later; absent in older lines) is whether every probed endpoint
    gave an answer the adapter could read; ``reachable`` only says the server answered.
    """

    checked_at: AwareDatetime
    overall: Status
    dimensions: dict[Dimension, Status]
    reachable: bool | None = None
    usable: bool | None = None
    newest: AwareDatetime | None = None
    latency_ms: float | None = None

    @classmethod
    def from_diagnosis(cls, diagnosis: Diagnosis) -> HistoryEntry:
        probed = [e for e in diagnosis.endpoints if not e.skipped]
        newest = [e.newest for e in diagnosis.endpoints if e.newest]
        latencies = [e.latency_ms for e in probed if e.latency_ms is not None]
        usable = diagnosis.dimensions[Dimension.availability].evidence.get("usable")
        return cls(
            checked_at=diagnosis.checked_at,
            overall=diagnosis.overall,
            dimensions={k: v.status for k, v in diagnosis.dimensions.items()},
            reachable=all(e.reachable for e in probed) if probed else None,
            usable=usable if isinstance(usable, bool) else None,
            newest=max(newest) if newest else None,
            latency_ms=max(latencies) if latencies else None,
        )
