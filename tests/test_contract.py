"""The shared contract: statuses, dimensions, findings catalogue and thresholds."""

from dataclasses import fields
from datetime import UTC, datetime, timedelta

import pytest

from datapedia.model.fiche import parse_duration
from datapedia.model.findings import CATALOGUE
from datapedia.model.results import Diagnosis, Dimension, DimensionResult, Status, worst
from datapedia.model.thresholds import EXPLANATIONS, Thresholds


def test_worst_ignores_unknown_and_orders_ok_warn_fail():
    assert worst([Status.ok, Status.unknown, Status.warn]) == Status.warn
    assert worst([Status.fail, Status.ok]) == Status.fail
    assert worst([Status.unknown, Status.unknown]) == Status.unknown


def test_diagnosis_fills_all_six_dimensions_and_overall_is_worst():
    now = datetime(2026, 11, 23, 6, tzinfo=UTC)
    diagnosis = Diagnosis.build(
        "x-y", now, {Dimension.timeliness: DimensionResult(status=Status.fail, summary="oud")}
    )
    assert set(diagnosis.dimensions) == set(Dimension)
    assert diagnosis.overall == Status.fail
    data = diagnosis.model_dump(mode="json")
    assert data["dimensions"]["availability"]["status"] == "unknown"
    assert data["checked_at"].endswith("Z") or data["checked_at"].endswith("+00:00")


def test_every_threshold_is_explained_in_dutch():
    assert set(EXPLANATIONS) == {f.name for f in fields(Thresholds)}


def test_findings_have_stable_prefixed_ids_per_dimension():
    prefixes = {
        Dimension.availability: "BES-",
        Dimension.accessibility: "TOE-",
        Dimension.timeliness: "ACT-",
        Dimension.completeness: "VOL-",
        Dimension.coverage: "DEK-",
        Dimension.standards: "STA-",
    }
    for finding_id, finding in CATALOGUE.items():
        assert finding_id.startswith(prefixes[finding.dimension]), finding_id
    assert CATALOGUE["ACT-03"].status == Status.fail


@pytest.mark.parametrize(
    ("text", "expected"),
    [("PT15M", timedelta(minutes=15)), ("P1D", timedelta(days=1)), ("P1M", timedelta(days=30))],
)
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["P", "PT", "15M", "P1DT", "1 day"])
def test_parse_duration_rejects_nonsense(text):
    with pytest.raises(ValueError):
        parse_duration(text)
