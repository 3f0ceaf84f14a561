"""The measured numbers behind each dimension, read from a diagnosis' evidence.

``measured_values`` is the one place that knows the evidence keys the judge stores in
``checks/`` (documented in ``checks/README.md``); if the judge renames a key, only the
table below changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from datapedia.model.results import Diagnosis, Dimension
from datapedia.model.thresholds import THRESHOLDS


def nl_number(value: float, decimals: int = 1) -> str:
    """Dutch number format: 28,3 and 1.234,5."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


@dataclass(frozen=True)
class Measure:
    key: str
    dimension: Dimension
    label: str  # Dutch
    unit: str  # Dutch, for people
    datatype: str  # XSD local name
    threshold: str  # Dutch: what it is judged against


T = THRESHOLDS
MEASURES: tuple[Measure, ...] = (
    Measure(
        "uptime-30d",
        Dimension.availability,
        "beschikbaarheid over 30 dagen",
        "procent",
        "decimal",
        f"aandacht onder {nl_number(T.uptime_warn_pct)}%, "
        f"probleem onder {nl_number(T.uptime_fail_pct)}%",
    ),
    Measure(
        "responstijd",
        Dimension.availability,
        "traagste antwoordtijd van de eindpunten",
        "seconden",
        "decimal",
        f"aandacht boven {nl_number(T.slow_response_s)} s",
    ),
    Measure(
        "open-licentie",
        Dimension.accessibility,
        "open licentie",
        "ja/nee",
        "boolean",
        "probleem zonder open licentie",
    ),
    Measure(
        "ouderdom",
        Dimension.timeliness,
        "ouderdom van de nieuwste waarneming",
        "seconden",
        "decimal",
        f"aandacht vanaf {nl_number(T.stale_warn_factor)} keer, probleem vanaf "
        f"{nl_number(T.stale_fail_factor)} keer de verwachte bijwerkfrequentie",
    ),
    Measure(
        "ontbrekend-aandeel",
        Dimension.completeness,
        "grootste aandeel lege waarden in een kolom van de steekproef",
        "aandeel (0 tot 1)",
        "decimal",
        f"aandacht vanaf {nl_number(100 * T.missing_warn_ratio)}%, probleem vanaf "
        f"{nl_number(100 * T.missing_fail_ratio)}%",
    ),
    Measure(
        "dekking",
        Dimension.coverage,
        "aandeel verwachte meetpunten dat meldt",
        "aandeel (0 tot 1)",
        "decimal",
        f"aandacht onder {nl_number(100 * T.coverage_warn_ratio)}%, probleem onder "
        f"{nl_number(100 * T.coverage_fail_ratio)}%",
    ),
    Measure(
        "geverifieerde-standaarden",
        Dimension.standards,
        "standaarden die de probe zelf bevestigde",
        "aantal",
        "integer",
        "aandacht als een opgegeven standaard niet bevestigd of tegengesproken is",
    ),
)


def _max(values: list[Any]) -> float | None:
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    return max(numbers) if numbers else None


def measured_values(diagnosis: Diagnosis) -> dict[str, Any]:
    """Measure key -> value, only for what this run actually measured."""
    ev = {d: r.evidence for d, r in diagnosis.dimensions.items()}
    availability = ev[Dimension.availability]
    completeness = ev[Dimension.completeness]
    coverage = ev[Dimension.coverage]
    accessibility = ev[Dimension.accessibility]
    standards = ev[Dimension.standards]
    missing_pct = _max(
        [
            pct
            for sample in completeness.get("samples") or []
            for pct in (sample.get("missing_pct") or {}).values()
        ]
    )
    values: dict[str, Any] = {
        "uptime-30d": availability.get("uptime_30d"),
        "responstijd": _max([e.get("latency_s") for e in availability.get("endpoints") or []]),
        "open-licentie": accessibility.get("licence_open"),
        "ouderdom": ev[Dimension.timeliness].get("age_s"),
        "ontbrekend-aandeel": None if missing_pct is None else round(missing_pct / 100, 4),
        "dekking": None
        if coverage.get("coverage_pct") is None
        else round(coverage["coverage_pct"] / 100, 4),
        "geverifieerde-standaarden": len(standards["verified"])
        if isinstance(standards.get("verified"), list)
        else None,
    }
    return {k: v for k, v in values.items() if v is not None}
