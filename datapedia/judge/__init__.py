"""The judge step: from an Observation (measurements) to a Diagnosis (judgement).

Pure: it imports only the model (fiche, results, findings, thresholds, words): no
network, no clock (``now`` is passed in), no files. One module per dimension plus one
for history; each declares the findings it may emit in ``FINDINGS`` (every id of the
catalogue belongs to exactly one judge). Render, plots and reports show what the judge
stored and never judge again.

An offline run (``observation is None``) judges only what the fiche itself says
(accessibility, standards); the measured dimensions are ``unknown``, and so the
verdict is "niet beoordeeld" (``datapedia.model.results.verdict_of``).
"""

from __future__ import annotations

from datetime import datetime

from datapedia.judge import (
    accessibility,
    availability,
    completeness,
    coverage,
    standards,
    timeliness,
)
from datapedia.judge.common import NOT_APPLICABLE, judged, measured, say
from datapedia.judge.completeness import SampleChecks
from datapedia.model.fiche import DatasetStatus, Fiche
from datapedia.model.results import (
    Diagnosis,
    Dimension,
    DimensionResult,
    HistoryEntry,
    Observation,
    Status,
)

OFFLINE = "Niet gemeten (offline)."

# The judge of each dimension, with the findings it may emit.
JUDGES = {
    Dimension.availability: availability,
    Dimension.accessibility: accessibility,
    Dimension.timeliness: timeliness,
    Dimension.completeness: completeness,
    Dimension.coverage: coverage,
    Dimension.standards: standards,
}


def unmeasured_reason(observation: Observation) -> str | None:
    """Why the data itself could not be judged, or None when some endpoint was read."""
    if any(e.parsed for e in measured(observation)):
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
    quality: SampleChecks | None,
) -> Diagnosis:
    """Judge one fiche. ``observation`` None means an offline run."""
    dims: dict[Dimension, DimensionResult] = {
        Dimension.accessibility: accessibility.accessibility(fiche),
        Dimension.standards: standards.standards(fiche, observation),
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
        # A body over a parsing limit says why completeness could not be judged.
        dims[Dimension.completeness] = (
            completeness.too_complex(observation) or dims[Dimension.completeness]
        )
    else:
        dims[Dimension.timeliness] = timeliness.timeliness(fiche, observation, now)
        dims[Dimension.coverage] = coverage.coverage(fiche, observation, now)
        if quality is not None:
            dims[Dimension.completeness] = completeness.completeness(fiche, observation, quality)
    dims[Dimension.availability] = availability.availability(fiche, observation, history, now)
    return Diagnosis.build(
        fiche.id, observation.checked_at, dims, observation.endpoints, area=fiche.area
    )
