"""Issue #14 "Honest verdicts": one test per wrong verdict of the diagnosis list, and the
judge's own contracts (pure, every finding owned by exactly one judge)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from factories import NOW, endpoint, make_fiche, observe, run
from localserver import real_payload

from datapedia.judge import JUDGES
from datapedia.judge.history import uptime
from datapedia.model.findings import CATALOGUE
from datapedia.model.results import (
    Dimension,
    HistoryEntry,
    Status,
    UnitObservation,
    Verdict,
)
from datapedia.model.thresholds import THRESHOLDS, Thresholds
from datapedia.probe.adapters import ParseContext, adapter_for
from datapedia.publish import plots

ROOT = Path(__file__).resolve().parent.parent
FLANDERS = {"name": "Vlaanderen", "bbox": [2.54, 50.68, 5.92, 51.51]}


# --- the judge's contracts ------------------------------------------------------------
def test_every_catalogue_finding_belongs_to_exactly_one_judge():
    owners: dict[str, list[Dimension]] = {}
    for dimension, judge in JUDGES.items():
        for fid in judge.FINDINGS:
            owners.setdefault(fid, []).append(dimension)
    assert sorted(owners) == sorted(CATALOGUE)
    assert all(len(found) == 1 for found in owners.values()), owners
    for fid, (dimension,) in owners.items():
        assert CATALOGUE[fid].dimension == dimension, fid


def test_the_judge_never_touches_the_network_store_or_clock():
    sources = "\n".join(p.read_text() for p in (ROOT / "datapedia" / "judge").glob("*.py"))
    for word in (
        "requests",
        "datapedia.probe.transport",
        "datapedia.store.checks",
        "datetime.now",
        "open(",
    ):
        assert word not in sources, word
    lint = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout
    assert " 0 broken." in lint.stdout
    assert "The judge is pure" in lint.stdout


MODEL = {
    "datapedia.model.fiche",
    "datapedia.model.findings",
    "datapedia.model.results",
    "datapedia.model.samples",
    "datapedia.model.thresholds",
    "datapedia.model.words",
}


def test_the_judge_imports_only_the_model_and_the_standard_library():
    """An allow-list, so a module added to the package later cannot slip in (import-linter
    forbids by name)."""
    import ast

    for path in (ROOT / "datapedia" / "judge").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top == "datapedia":
                    assert name in MODEL or name.startswith("datapedia.judge"), (path.name, name)
                else:
                    assert top in sys.stdlib_module_names or top == "__future__", (path.name, name)


# --- "Old data passes as 'in orde'" ---------------------------------------------------
def test_old_data_without_a_declared_frequency_is_stale_not_in_orde():
    fiche = make_fiche(update_frequency=None)
    old = NOW.replace(year=2003)
    result = run(fiche, observe(fiche, endpoint(newest=old)))
    timeliness = result.dimensions[Dimension.timeliness]
    assert timeliness.status == Status.fail
    assert timeliness.findings == ["ACT-09"]
    assert "jaar oud" in timeliness.summary or "dagen oud" in timeliness.summary
    assert "plafond van 4 maanden" in timeliness.summary
    assert result.verdict == Verdict.fail


def test_without_a_frequency_the_cadence_seen_in_the_data_is_the_expected_interval():
    fiche = make_fiche(update_frequency=None)
    series = endpoint(newest=NOW - timedelta(hours=3), median_step_s=900.0)
    timeliness = run(fiche, observe(fiche, series)).dimensions[Dimension.timeliness]
    assert timeliness.findings == ["ACT-03"]  # 3 hours against a 15-minute cadence
    assert "verwacht om de 15 minuten (waargenomen in de data)" in timeliness.summary
    assert timeliness.evidence["expected_source"] == "waargenomen in de data"


def test_every_timeliness_text_states_the_age():
    for frequency, newest in (("P1D", NOW), ("P1D", NOW - timedelta(days=9)), (None, NOW)):
        fiche = make_fiche(update_frequency=frequency)
        timeliness = run(fiche, observe(fiche, endpoint(newest=newest))).dimensions[
            Dimension.timeliness
        ]
        assert " oud" in timeliness.summary, timeliness.summary


# --- "Dead stations count as reporting" -----------------------------------------------
def _value_layer_with_a_dead_series() -> bytes:
    rows = json.loads(real_payload("waterinfo/getTimeseriesValueLayer.json"))
    dead = dict(
        rows[0], ts_id="999", station_no="DOOD01", timestamp="2014-02-03T10:00:00.000+01:00"
    )
    return json.dumps([*rows, dead]).encode()


def test_dead_series_in_a_value_layer_do_not_count_as_reporting():
    fiche = make_fiche(
        update_frequency="PT1H",
        spatial=FLANDERS,
        distributions=[
            {
                "title": "KiWIS",
                "protocol": "kiwis",
                "url": "https://example.org/KiWIS?request=getTimeseriesValueLayer"
                "&metadata=true&md_returnfields=station_no,station_latitude,station_longitude",
                "format": "application/json",
                "download": True,
            }
        ],
    )
    recorded_at = datetime(2017, 10, 28, 15, 50, tzinfo=UTC)  # the recording's own evening
    ctx = ParseContext(now=recorded_at, thresholds=THRESHOLDS)
    content = adapter_for("kiwis").parse(
        _value_layer_with_a_dead_series(), fiche.distributions[0], ctx
    )
    ep = endpoint(protocol="kiwis", **content.fields())
    result = run_at(fiche, ep, recorded_at)
    coverage = result.dimensions[Dimension.coverage]
    # Old code: 9 of 9 stations "melden". Fresh: within 4 x 1 uur; ME05_019 (10:30 UTC)
    # is older than that too.
    assert coverage.evidence["units_reporting"] == 7
    assert coverage.evidence["units_total"] == 9
    assert "DOOD01 (2014-02-03)" in coverage.summary
    assert "Niet recent gemeld: 2 van 9 meetpunten" in coverage.summary


def run_at(fiche, ep, now):
    from datapedia.judge import diagnose
    from datapedia.model.results import Observation

    return diagnose(
        fiche, Observation(fiche_id=fiche.id, checked_at=now, endpoints=[ep]), [], now, None
    )


def test_a_layer_whose_every_series_is_years_old_is_not_100_percent_reporting():
    fiche = make_fiche(expected_units={"count": 8, "kind": "stations"})
    units = [UnitObservation(id=f"S{i}", newest=NOW.replace(year=2019)) for i in range(8)]
    result = run(fiche, observe(fiche, endpoint(newest=NOW.replace(year=2019), units=units)))
    coverage = result.dimensions[Dimension.coverage]
    assert coverage.status == Status.fail
    assert coverage.findings == ["DEK-03"]
    assert coverage.summary == "Slechts 0 van 8 stations recent gemeld (0%)."


# --- "A 404 or 503 is 'up'" -----------------------------------------------------------
def test_an_endpoint_answering_404_every_night_is_down_in_the_uptime():
    fiche = make_fiche()
    history: list[HistoryEntry] = []
    for night in range(10, 0, -1):
        when = NOW - timedelta(days=night)
        answer = endpoint(status_code=404, reachable=True, parsed=False)
        diagnosis = run_at(fiche, answer, when)
        history.append(HistoryEntry.from_diagnosis(diagnosis))
    assert all(h.reachable and h.usable is False for h in history)
    result = run(fiche, observe(fiche, endpoint(status_code=503, parsed=False)), history)
    availability = result.dimensions[Dimension.availability]
    assert availability.evidence["uptime_7d"] == 0.0
    assert "BES-07" in availability.findings
    assert "0%" in availability.summary
    assert availability.evidence["down_since"] == (NOW - timedelta(days=10)).isoformat()


def test_old_history_lines_without_usable_count_a_failed_availability_as_down():
    ok = HistoryEntry(
        checked_at=NOW - timedelta(days=2), overall=Status.ok, dimensions={}, reachable=True
    )
    http_error = HistoryEntry(
        checked_at=NOW - timedelta(days=1),
        overall=Status.fail,
        dimensions={Dimension.availability: Status.fail},
        reachable=True,
    )
    assert uptime([ok, http_error], NOW, 7) == 50.0


def test_uptime_counts_unreadable_bodies_and_timeouts_as_down():
    fiche = make_fiche()
    for bad in (
        endpoint(parse_error="geen geldige JSON", parsed=False),
        endpoint(status_code=200, error="timeout", parsed=False),
    ):
        evidence = run(fiche, observe(fiche, bad)).dimensions[Dimension.availability].evidence
        assert evidence["usable"] is False
        assert evidence["uptime_30d"] == 0.0


def test_each_dimension_stores_the_sentence_that_decided_it():
    """The worklist shows the worst finding's own words; the judge stores them, so no
    reader has to find them back in the joined summary."""
    fiche = make_fiche()
    down = endpoint(status_code=404, parsed=False)
    history = [
        HistoryEntry.from_diagnosis(run_at(fiche, down, NOW - timedelta(days=night)))
        for night in range(10, 0, -1)
    ]
    diagnosis = run(fiche, observe(fiche, down), history)
    for result in diagnosis.dimensions.values():
        if not result.findings:
            assert result.deciding == "" and result.headline == result.summary
            continue
        worst = max(result.findings, key=lambda fid: CATALOGUE[fid].status.rank)
        assert CATALOGUE[worst].status.rank == result.status.rank
        assert result.deciding and result.deciding in result.summary
        assert result.headline == result.deciding
    availability = diagnosis.dimensions[Dimension.availability]
    assert availability.status == Status.fail and "404" in availability.deciding
    assert len(availability.deciding) < len(availability.summary)  # not the whole summary


# --- "'Verouderd sinds' is the first check that noticed" ------------------------------
def test_stale_since_is_when_the_data_stopped():
    fiche = make_fiche()
    newest = datetime(2017, 5, 4, 8, tzinfo=UTC)
    timeliness = run(fiche, observe(fiche, endpoint(newest=newest))).dimensions[
        Dimension.timeliness
    ]
    assert timeliness.evidence["stale_since"] == newest.isoformat()


# --- "Wrong reasons" -------------------------------------------------------------------
def test_a_dead_endpoint_is_not_plotted_as_missing_timestamps():
    down = HistoryEntry(
        checked_at=NOW - timedelta(hours=1),
        overall=Status.fail,
        dimensions={},
        reachable=False,
        usable=False,
    )
    svg = plots.history_svg([down], NOW).decode()
    assert "geen bruikbaar antwoord" in svg
    assert "; geen tijdstip in de data." not in svg


def test_an_empty_result_set_is_not_a_missing_timestamp():
    fiche = make_fiche()
    empty = endpoint(records=0, sample=[], rows_sampled=0)
    timeliness = run(fiche, observe(fiche, empty)).dimensions[Dimension.timeliness]
    assert timeliness.findings == ["ACT-08"]
    assert "Lege resultaatset" in timeliness.summary


def test_coverage_does_not_say_the_same_thing_twice():
    fiche = make_fiche()
    units = [UnitObservation(id="P1", newest=NOW.replace(year=2020))]
    ep = endpoint(newest=NOW.replace(year=2020), units=units, units_total=1, units_reporting=1)
    coverage = run(fiche, observe(fiche, ep)).dimensions[Dimension.coverage]
    assert coverage.findings == ["DEK-03"]
    assert "melden niet" not in coverage.summary and "niet recent" not in coverage.summary


# --- "Samples see only the head" -------------------------------------------------------
def test_the_sample_sees_the_tail_and_the_middle_and_states_its_size():
    rows = [{"id": i, "waarde": i} for i in range(2700)] + [{"id": None, "waarde": None}] * 300
    body = json.dumps(rows).encode()
    distribution = make_fiche().distributions[0]
    ctx = ParseContext(now=NOW, thresholds=Thresholds(sample_rows=300))
    content = adapter_for("json").parse(body, distribution, ctx)
    assert content.rows_sampled == 300
    ids = [row["id"] for row in content.sample]
    assert ids[:100] == list(range(100))  # head
    assert ids[-100:] == [None] * 100  # tail: the empty rows at the end are seen
    middle = [i for i in ids[100:200] if i is not None]
    assert middle and max(middle) > 300  # drawn from the whole middle, not the head
    again = adapter_for("json").parse(body, distribution, ctx)
    assert again.sample == content.sample  # seeded: the same response, the same sample

    from datapedia.judge.completeness import sample_size

    fiche = make_fiche()
    size = sample_size(observe(fiche, endpoint(records=3000, rows_sampled=300)))
    assert (
        size
        == "API: 300 rijen van 3000 (begin, einde en een vaste willekeurige greep uit het midden)"
    )


def test_telraam_coverage_counts_only_the_segments_in_the_fiche_area():
    fiche = make_fiche(
        theme="mobiliteit",
        update_frequency="PT1H",
        spatial=FLANDERS,
        distributions=[
            {
                "title": "Telraam",
                "protocol": "telraam",
                "url": "https://telraam-api.net/v1/reports/traffic_snapshot_live",
                "format": "application/json",
                "download": True,
            }
        ],
    )
    recorded_at = datetime(2023, 12, 10, 6, 0, tzinfo=UTC)
    ctx = ParseContext(now=recorded_at, thresholds=THRESHOLDS)
    payload = real_payload("telraam/traffic_snapshot_live.json")
    content = adapter_for("telraam").parse(payload, fiche.distributions[0], ctx)
    ep = endpoint(protocol="telraam", **content.fields())
    coverage = run_at(fiche, ep, recorded_at).dimensions[Dimension.coverage]
    outside = coverage.evidence["units_outside_area"]
    assert coverage.evidence["units_listed"] == 5000
    assert 0 < outside < 5000
    assert coverage.evidence["units_total"] == 5000 - outside
    assert "DEK-09" in coverage.findings
    assert coverage.evidence["units_reporting"] < coverage.evidence["units_total"]


# --- "Fiches that will fail on the real service" ----------------------------------------
def test_validate_refuses_a_value_layer_field_the_request_never_returns(tmp_path):
    from datapedia.load.fiches import load_repository

    fiche = (ROOT / "fiches" / "water" / "vmm-neerslag.yml").read_text()
    folder = tmp_path / "fiches" / "water"
    folder.mkdir(parents=True)
    broken = fiche.replace("&metadata=true", "")
    assert broken != fiche
    (folder / "vmm-neerslag.yml").write_text(broken)
    problems = [str(p) for p in load_repository(tmp_path).problems if "related" not in str(p)]
    assert len(problems) == 1
    assert "distributions[0].id_field" in problems[0]
    assert "metadata=true" in problems[0] and "md_returnfields=station_no" in problems[0]
    (folder / "vmm-neerslag.yml").write_text(fiche)
    assert [p for p in load_repository(tmp_path).problems if "related" not in str(p)] == []


def test_validate_checks_wfs_type_name_and_opendatasoft_records():
    from datapedia.model.fiche import Distribution

    wfs = Distribution(
        title="w",
        protocol="wfs",
        url="https://example.org/wfs?service=WFS&request=GetFeature",
        format="application/gml+xml",
    )
    assert [f for f, _ in adapter_for("wfs").url_needs(wfs)] == ["url"]
    ods = Distribution(
        title="o",
        protocol="opendatasoft",
        url="https://data.stad.gent/api/explore/v2.1/catalog/datasets/x",
        format="application/json",
    )
    assert "/records" in adapter_for("opendatasoft").url_needs(ods)[0][1]
    fixed = ods.model_copy(update={"url": f"{ods.url}/records"})
    assert adapter_for("opendatasoft").url_needs(fixed) == []
    devices = Distribution(
        title="b",
        protocol="brussels-mobility",
        url="https://data.mobility.brussels/bike/api/counts/?request=devices",
        format="application/json",
        timestamp_field="cnt_time",
    )
    assert "request=live" in adapter_for("brussels-mobility").url_needs(devices)[0][1]


def test_gent_parking_positions_come_from_its_location_field():
    record = {
        "name": "P1",
        "lastupdate": "2026-11-23T05:00:00+00:00",
        "location": {"lon": 3.72, "lat": 51.05},
    }
    body = json.dumps({"total_count": 1, "results": [record]}).encode()
    distribution = make_fiche().distributions[0].model_copy(update={"id_field": "name"})
    content = adapter_for("opendatasoft").parse(
        body, distribution, ParseContext(now=NOW, thresholds=THRESHOLDS)
    )
    assert content.bbox == [3.72, 51.05, 3.72, 51.05]
    assert (content.units[0].lon, content.units[0].lat) == (3.72, 51.05)


# --- "The same rule lives in five places" ----------------------------------------------
def test_act07_comes_from_the_measurement_not_from_a_note_text():
    fiche = make_fiche()
    noted = endpoint(newest=NOW, notes=["tijdzone vermeld in de documentatie"])
    assert (
        "ACT-07" not in run(fiche, observe(fiche, noted)).dimensions[Dimension.timeliness].findings
    )
    naive = endpoint(newest=NOW, naive_timestamps=4)
    assert "ACT-07" in run(fiche, observe(fiche, naive)).dimensions[Dimension.timeliness].findings


def test_clock_skew_is_judged_by_the_judge_not_filtered_by_the_probe():
    fiche = make_fiche(update_frequency="PT5M")
    skewed = endpoint(
        newest=NOW - timedelta(hours=2), future_timestamps=2, future_offsets_s=[300.0, 9e8]
    )
    timeliness = run(fiche, observe(fiche, skewed)).dimensions[Dimension.timeliness]
    assert timeliness.evidence["newest"] == (NOW + timedelta(minutes=5)).isoformat()
    assert timeliness.findings == ["ACT-01", "ACT-06"]  # fresh, and 1 timestamp far ahead
    assert "In de toekomst: 1 tijdstip." in timeliness.summary


def test_the_update_interval_reads_the_same_everywhere():
    from datapedia.model.words import duration
    from datapedia.publish.pages import fmt_duration

    fiche = make_fiche(update_frequency="P1M")
    timeliness = run(fiche, observe(fiche, endpoint(newest=NOW - timedelta(days=3)))).dimensions[
        Dimension.timeliness
    ]
    assert "verwacht om de 1 maand" in timeliness.summary
    assert fmt_duration(fiche.update_interval) == duration(fiche.update_interval) == "1 maand"


# --- history: windows and "sinds" -------------------------------------------------------
def _line(days_ago: float, usable: bool | None) -> HistoryEntry:
    return HistoryEntry(
        checked_at=NOW - timedelta(days=days_ago),
        overall=Status.ok,
        dimensions={},
        reachable=None if usable is None else True,
        usable=usable,
    )


def test_uptime_windows_ignore_old_and_unprobed_checks():
    from datapedia.judge.history import checks_in_window

    history = [_line(60, False), _line(20, False), _line(5, True), _line(3, None), _line(1, True)]
    assert uptime(history, NOW, 7) == 100.0
    assert uptime(history, NOW, 30) == 100.0 * 2 / 3
    assert uptime(history, NOW, 90) == 50.0
    assert checks_in_window(history, NOW, 30) == [False, True, True]
    assert uptime([], NOW, 30) is None


def test_down_since_is_the_first_failure_of_the_current_run():
    from datapedia.judge.history import down_since

    history = [_line(5, False), _line(4, True), _line(3, False), _line(2, None), _line(1, False)]
    assert down_since(history) == NOW - timedelta(days=3)
    assert down_since([*history, _line(0, True)]) is None
    assert down_since([]) is None
