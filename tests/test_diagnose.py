"""diagnose() on hand-built observations: each dimension judged from measured values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from factories import NOW, endpoint, make_fiche, observe, run

from datapedia.model.fiche import Fiche
from datapedia.model.results import (
    Dimension,
    HistoryEntry,
    Status,
)


def test_dov_filter_measured_last_in_2003_is_stale_with_act03():
    fiche = make_fiche(id="dov-grondwater", update_frequency="P1D")
    newest = datetime(2003, 7, 20, tzinfo=UTC)
    result = run(fiche, observe(fiche, endpoint(newest=newest, oldest=newest)))
    timeliness = result.dimensions[Dimension.timeliness]
    assert timeliness.status == Status.fail
    assert timeliness.findings == ["ACT-03"]
    assert timeliness.evidence["newest"] == "2003-07-20T00:00:00+00:00"
    assert timeliness.evidence["age_s"] == (NOW - newest).total_seconds()
    assert "8.527 dagen" in timeliness.summary
    assert result.overall == Status.fail


def test_timeliness_ok_warn_fail_follow_the_factors():
    fiche = make_fiche(update_frequency="PT1H")
    for age, status, fid in [
        (timedelta(minutes=90), Status.ok, "ACT-01"),
        (timedelta(hours=3), Status.warn, "ACT-02"),
        (timedelta(hours=5), Status.fail, "ACT-03"),
    ]:
        result = run(fiche, observe(fiche, endpoint(newest=NOW - age)))
        assert result.dimensions[Dimension.timeliness].status == status, age
        assert result.dimensions[Dimension.timeliness].findings == [fid]
    summary = run(fiche, observe(fiche, endpoint(newest=NOW - timedelta(hours=3))))
    assert "3 uur" in summary.dimensions[Dimension.timeliness].summary


def test_timeliness_unknown_without_timestamp_or_frequency_and_flags_future():
    fiche = make_fiche(update_frequency=None)
    result = run(fiche, observe(fiche, endpoint(newest=NOW)))
    # No frequency and no series: judged against the theme's ceiling (issue #14).
    assert result.dimensions[Dimension.timeliness].findings == ["ACT-10"]
    assert result.dimensions[Dimension.timeliness].status == Status.ok
    fiche = make_fiche()
    result = run(fiche, observe(fiche, endpoint()))
    assert result.dimensions[Dimension.timeliness].findings == ["ACT-04"]
    result = run(
        fiche,
        observe(
            fiche,
            endpoint(
                newest=NOW - timedelta(hours=1),
                future_timestamps=3,
                naive_timestamps=2,
            ),
        ),
    )
    timeliness = result.dimensions[Dimension.timeliness]
    assert timeliness.findings == ["ACT-01", "ACT-06", "ACT-07"]
    assert timeliness.status == Status.warn


def test_telraam_offline_share_shows_in_coverage():
    fiche = make_fiche(
        id="telraam-segmenten",
        theme="mobiliteit",
        expected_units={"count": 5000, "kind": "segmenten"},
    )
    result = run(fiche, observe(fiche, endpoint(units_reporting=1416, units_total=5000)))
    coverage = result.dimensions[Dimension.coverage]
    assert coverage.status == Status.fail  # 28% < coverage_fail_ratio 50%
    assert coverage.findings == ["DEK-03", "DEK-07"]
    assert coverage.evidence["units_reporting"] == 1416
    assert coverage.evidence["units_expected"] == 5000
    assert coverage.evidence["units_offline"] == 3584
    assert coverage.evidence["offline_pct"] == 71.7
    assert "Niet recent gemeld: 3.584 van 5.000 segmenten (71,7%)." in coverage.summary


def test_coverage_against_service_total_when_no_count_declared():
    fiche = make_fiche(theme="mobiliteit")
    result = run(fiche, observe(fiche, endpoint(units_reporting=4600, units_total=5000)))
    coverage = result.dimensions[Dimension.coverage]
    assert coverage.status == Status.ok
    assert coverage.evidence["offline_pct"] == 8.0
    assert "400 van 5.000" in coverage.summary


def test_kiwis_8_of_10_stations_is_a_warning():
    fiche = make_fiche(expected_units={"count": 10, "kind": "stations"})
    result = run(fiche, observe(fiche, endpoint(units_reporting=8)))
    coverage = result.dimensions[Dimension.coverage]
    assert coverage.status == Status.warn
    assert coverage.findings == ["DEK-02"]
    assert coverage.evidence["coverage_pct"] == 80.0


def test_coverage_gaps_and_bbox():
    fiche = make_fiche(spatial={"name": "Gent", "bbox": [3.6, 51.0, 3.8, 51.2]})
    result = run(
        fiche,
        observe(
            fiche,
            endpoint(largest_gap_s=7200, median_step_s=900, bbox=[3.65, 51.05, 3.75, 51.15]),
        ),
    )
    coverage = result.dimensions[Dimension.coverage]
    assert coverage.findings == ["DEK-06", "DEK-04"]
    assert coverage.evidence["bbox_outside_pct"] == 0.0
    assert "2 uur" in coverage.summary and "15 minuten" in coverage.summary
    result = run(
        fiche,
        observe(fiche, endpoint(units_reporting=3, bbox=[3.0, 50.0, 5.0, 52.0])),
    )
    coverage = result.dimensions[Dimension.coverage]
    assert "DEK-05" in coverage.findings
    assert coverage.evidence["bbox_outside_pct"] > 90


def test_non_commercial_licence_is_toe03_warning():
    fiche = make_fiche(
        licence={"uri": "https://creativecommons.org/licenses/by-nc/4.0/", "name": "CC BY-NC 4.0"}
    )
    accessibility = run(fiche, None).dimensions[Dimension.accessibility]
    assert accessibility.status == Status.warn
    assert accessibility.findings == ["TOE-03"]


def test_accessibility_rules():
    fiche = make_fiche(licence=None)
    assert run(fiche, None).dimensions[Dimension.accessibility].findings == ["TOE-02"]
    fiche = make_fiche(
        licence={"uri": "https://example.org/mijn-licentie", "name": "Eigen licentie"},
        documentation=None,
        distributions=[
            {
                "title": "Export",
                "protocol": "html",
                "url": "https://example.org/export",
                "format": "application/vnd.ms-excel",
            }
        ],
    )
    accessibility = run(fiche, None).dimensions[Dimension.accessibility]
    assert accessibility.findings == ["TOE-09", "TOE-06", "TOE-07", "TOE-08"]
    assert accessibility.status == Status.warn
    assert run(make_fiche(), None).dimensions[Dimension.accessibility].findings == ["TOE-01"]


def _telraam_fiche(documented: bool) -> Fiche:
    auth: dict[str, Any] = {"kind": "api-key", "env": "TELRAAM_API_KEY", "header": "X-Api-Key"}
    if documented:
        auth["documentation"] = "https://telraam.net/api"
    return make_fiche(
        distributions=[
            {
                "title": "Snapshot",
                "protocol": "telraam",
                "url": "https://telraam-api.net/v1/reports/traffic_snapshot_live",
                "format": "application/json",
                "auth": auth,
            }
        ]
    )


def test_key_needed_is_toe04_and_undocumented_key_toe05():
    assert "TOE-04" in run(_telraam_fiche(True), None).dimensions[Dimension.accessibility].findings
    undocumented = run(_telraam_fiche(False), None).dimensions[Dimension.accessibility]
    assert "TOE-05" in undocumented.findings
    assert undocumented.status == Status.fail


def test_missing_key_makes_availability_unknown_with_the_reason():
    fiche = _telraam_fiche(True)
    reason = "omgevingsvariabele TELRAAM_API_KEY is niet gezet"
    skipped = endpoint(title="Snapshot", reachable=False, parsed=False, skipped=reason)
    result = run(fiche, observe(fiche, skipped))
    availability = result.dimensions[Dimension.availability]
    assert availability.status == Status.unknown
    assert availability.findings == ["BES-08"]
    assert reason in availability.summary
    # no data was read, so timeliness is not "no timestamp in the data" (ACT-04)
    assert result.dimensions[Dimension.timeliness].summary == f"Niet gemeten: {reason}."
    assert result.dimensions[Dimension.timeliness].findings == []
    # a second endpoint that was measured decides availability
    result = run(fiche, observe(fiche, skipped, endpoint(distribution=0, newest=NOW)))
    assert result.dimensions[Dimension.availability].status == Status.ok
    assert result.dimensions[Dimension.availability].findings == ["BES-01", "BES-08"]


def test_availability_errors_content_type_and_latency():
    fiche = make_fiche()
    down = endpoint(reachable=False, status_code=None, error="timeout", parsed=False)
    availability = run(fiche, observe(fiche, down)).dimensions[Dimension.availability]
    assert availability.status == Status.fail
    assert availability.findings == ["BES-02"]
    assert "niet binnen de toegelaten tijd" in availability.summary
    timeliness = run(fiche, observe(fiche, down)).dimensions[Dimension.timeliness]
    assert timeliness.summary == "Niet gemeten: geen eindpunt leverde leesbare gegevens."
    slow_html = endpoint(content_type="text/html", latency_ms=9000.0)
    availability = run(fiche, observe(fiche, slow_html)).dimensions[Dimension.availability]
    assert availability.findings == ["BES-04", "BES-05"]
    assert availability.status == Status.warn
    geojson = endpoint(content_type="application/geo+json")
    availability = run(fiche, observe(fiche, geojson)).dimensions[Dimension.availability]
    assert availability.findings == ["BES-01"]
    broken = endpoint(status_code=503, reachable=True, parsed=False)
    assert run(fiche, observe(fiche, broken)).dimensions[Dimension.availability].findings == [
        "BES-03"
    ]
    cut_off = endpoint(status_code=200, error="timeout", parsed=False)
    assert run(fiche, observe(fiche, cut_off)).dimensions[Dimension.availability].findings == [
        "BES-02"
    ]
    loop = endpoint(status_code=301, error="too_many_redirects", parsed=False)
    summary = run(fiche, observe(fiche, loop)).dimensions[Dimension.availability].summary
    assert "te veel doorverwijzingen" in summary
    huge = endpoint(error="too_large", parsed=False)
    assert run(fiche, observe(fiche, huge)).dimensions[Dimension.availability].findings == [
        "BES-09"
    ]
    garbled = endpoint(parse_error="geen geldige JSON", parsed=False)
    assert run(fiche, observe(fiche, garbled)).dimensions[Dimension.availability].findings == [
        "BES-09"
    ]


def test_uptime_from_history_below_thresholds():

    fiche = make_fiche()
    history = [
        HistoryEntry(
            checked_at=NOW - timedelta(days=day),
            overall=Status.ok,
            dimensions={},
            reachable=day not in (10, 20),
        )
        for day in range(8, 27)
    ]  # 19 past checks, 2 down, plus this run (up): 18 of 20 = 90%; the last 7 days: this run
    availability = run(fiche, observe(fiche, endpoint()), history).dimensions[
        Dimension.availability
    ]
    assert availability.evidence["uptime_30d"] == 90.0
    assert availability.evidence["uptime_7d"] == 100.0
    assert "BES-07" in availability.findings
    assert availability.status == Status.fail
    # 49 of 50 checks (twice a day) up: 98% is below 99% -> BES-06 warn
    history = [
        HistoryEntry(
            checked_at=NOW - timedelta(hours=12 * n),
            overall=Status.ok,
            dimensions={},
            reachable=n != 7,
        )
        for n in range(1, 50)
    ]
    availability = run(fiche, observe(fiche, endpoint()), history).dimensions[
        Dimension.availability
    ]
    assert (availability.evidence["uptime_30d"], availability.findings) == (
        98.0,
        ["BES-01", "BES-06"],
    )
    assert availability.status == Status.warn


def test_missing_dataset_is_bes10_unknown():
    fiche = make_fiche(status="ontbrekend", distributions=[])
    result = run(fiche, observe(fiche))
    assert result.dimensions[Dimension.availability].findings == ["BES-10"]
    assert result.dimensions[Dimension.availability].status == Status.unknown
    assert run(fiche, None).dimensions[Dimension.availability].findings == ["BES-10"]
    assert result.overall == Status.unknown


def test_standards_verified_by_protocol_or_evidence():
    fiche = make_fiche(
        standards=[
            {"name": "OGC WFS 2.0"},
            {"name": "OSLO Verkeersmetingen"},
            {"name": "OGC WaterML 2.0"},
        ],
        distributions=[
            {
                "title": "WFS",
                "protocol": "wfs",
                "url": "https://example.org/wfs",
                "format": "application/gml+xml",
            }
        ],
    )
    wfs = endpoint(title="WFS", protocol="wfs", content_type="text/xml; subtype=gml/3.2")
    standards = run(fiche, observe(fiche, wfs)).dimensions[Dimension.standards]
    assert standards.findings == ["STA-02"]
    assert standards.evidence["verified"] == ["OGC WFS 2.0"]
    assert standards.evidence["unverified"] == ["OSLO Verkeersmetingen", "OGC WaterML 2.0"]
    assert standards.status == Status.warn
    exception = endpoint(
        title="WFS", protocol="wfs", parsed=False, parse_error="ExceptionReport: typeName"
    )
    contradicted = run(fiche, observe(fiche, exception)).dimensions[Dimension.standards]
    assert contradicted.findings == ["STA-04", "STA-02"]
    assert "ExceptionReport: typeName" in contradicted.summary
    offline = run(fiche, None).dimensions[Dimension.standards]
    assert offline.evidence["unverified"] == [
        "OGC WFS 2.0",
        "OSLO Verkeersmetingen",
        "OGC WaterML 2.0",
    ]
    unclaimed = run(make_fiche(standards=[]), None).dimensions[Dimension.standards]
    assert unclaimed.findings == ["STA-03"]
    assert unclaimed.status == Status.warn
    documented = run(make_fiche(), None).dimensions[Dimension.standards]
    assert documented.findings == ["STA-01"]
    assert documented.status == Status.ok


def test_offline_run_judges_fiche_only_and_overall_is_worst():
    fiche = make_fiche(licence=None)
    result = run(fiche, None)
    for key in (
        Dimension.availability,
        Dimension.timeliness,
        Dimension.completeness,
        Dimension.coverage,
    ):
        assert result.dimensions[key].status == Status.unknown
        assert result.dimensions[key].summary == "Niet gemeten (offline)."
    assert result.dimensions[Dimension.accessibility].status == Status.fail
    assert result.dimensions[Dimension.standards].status == Status.ok
    assert result.overall == Status.fail
    assert result.checked_at == NOW


def test_overall_is_the_worst_dimension():
    fiche = make_fiche(expected_units={"count": 10})
    result = run(fiche, observe(fiche, endpoint(newest=NOW, units_reporting=8)))
    statuses = {k: v.status for k, v in result.dimensions.items()}
    assert statuses[Dimension.coverage] == Status.warn
    assert Status.fail not in statuses.values()
    assert result.overall == Status.warn


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("https://creativecommons.org/licenses/by/4.0/deed.nl", None),
        ("http://www.creativecommons.org/publicdomain/zero/1.0/legalcode", None),
        ("https://data.vlaanderen.be/doc/licentie/modellicentie-gratis-hergebruik/v1.0", None),
        ("https://opendatacommons.org/licenses/odbl/1-0/", None),
        ("https://www.etalab.gouv.fr/licence-ouverte-open-licence", None),
        ("https://creativecommons.org/licenses/by-nc-sa/4.0/", "TOE-03"),
        ("https://creativecommons.org/licenses/by-nd/4.0/", "TOE-03"),
        ("https://creativecommons.org/licenses/by/2.0/", "TOE-09"),
        ("https://example.org/licentie", "TOE-09"),
    ],
)
def test_licence_classification(uri, expected):
    from datapedia.judge.accessibility import licence_finding

    fiche = make_fiche(licence={"uri": uri, "name": "Licentie"})
    found = licence_finding(fiche)
    assert (found[0] if found else None) == expected


@pytest.mark.parametrize(
    ("actual", "declared", "matches"),
    [
        ("application/json;charset=utf-8", "application/json", True),
        ("application/vnd.geo+json", "application/json", True),
        ("application/geo+json", "application/geo+json", True),
        ("text/xml; subtype=gml/3.2", "application/gml+xml", True),
        ("text/plain; charset=utf-8", "text/csv", True),
        ("text/html", "application/json", False),
        ("application/json", "text/csv", False),
        (None, "text/csv", True),
    ],
)
def test_media_types_compare_loosely(actual, declared, matches):
    from datapedia.judge.availability import media_matches

    assert media_matches(actual, declared) is matches


def test_stale_since_is_the_newest_observation_not_the_first_check_that_noticed():
    fiche = make_fiche()
    newest = datetime(2017, 3, 1, tzinfo=UTC)
    history = [
        HistoryEntry(
            checked_at=NOW - timedelta(days=days),
            overall=Status.fail,
            dimensions={Dimension.timeliness: Status.fail},
            reachable=True,
            newest=newest,
        )
        for days in (2, 1)
    ]
    stale = observe(fiche, endpoint(newest=newest))
    evidence = run(fiche, stale, history).dimensions[Dimension.timeliness].evidence
    assert evidence["stale_since"] == "2017-03-01T00:00:00+00:00"
    fresh = observe(fiche, endpoint(newest=NOW - timedelta(hours=1)))
    assert (
        run(fiche, fresh, history).dimensions[Dimension.timeliness].evidence.get("stale_since")
        is None
    )
