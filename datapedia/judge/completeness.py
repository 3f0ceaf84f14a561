"""Volledigheid: missing values and broken rules in the sample the probe kept.

The checks themselves (frictionless, Great Expectations) run in ``datapedia.probe.quality``,
handed in as a ``QualityAssessor``: this judge stays free of those libraries. It adds
what the sample was: how many rows of how many, taken from head, tail and middle.
"""

from __future__ import annotations

from typing import Protocol

from datapedia.judge.common import measured
from datapedia.model.fiche import Fiche
from datapedia.model.results import DimensionResult, Observation
from datapedia.model.words import count

FINDINGS = (
    "VOL-01",
    "VOL-02",
    "VOL-03",
    "VOL-04",
    "VOL-05",
    "VOL-06",
    "VOL-07",
    "VOL-08",
    "VOL-09",
    "VOL-10",
)


class QualityAssessor(Protocol):
    def assess(self, fiche: Fiche, observation: Observation) -> DimensionResult: ...


def sample_size(observation: Observation) -> str | None:
    """'1.000 van 5.000 rijen (begin, einde en midden)', or None when nothing was sampled."""
    parts = []
    for e in measured(observation):
        if e.rows_sampled is None or e.records is None:
            continue
        if e.rows_sampled >= e.records:
            parts.append(f"{e.title}: {count(e.records, 'rij')} (volledig)")
        else:
            parts.append(
                f"{e.title}: {count(e.rows_sampled, 'rij')} van {e.records} "
                "(begin, einde en een vaste willekeurige greep uit het midden)"
            )
    return "; ".join(parts) or None


def completeness(
    fiche: Fiche, observation: Observation, quality: QualityAssessor
) -> DimensionResult:
    result = quality.assess(fiche, observation)
    size = sample_size(observation)
    if size:
        result = result.model_copy(update={"evidence": {**result.evidence, "sample": size}})
    return result
