"""Completeness on a sample: column profile, frictionless and Great Expectations."""

from __future__ import annotations

import pytest
from factories import endpoint, make_fiche, observe

from datapedia.judge.completeness import completeness
from datapedia.model.fiche import ColumnExpectation
from datapedia.model.results import Status
from datapedia.model.samples import profile_columns
from datapedia.probe.quality import QualityChecker, QualityPool, tables
from datapedia.probe.quality import checks as quality_checks
from datapedia.probe.quality.expectations import ephemeral_context, may_break
from datapedia.probe.quality.tables import frictionless_errors
from datapedia.util.parallel import pool as worker_pool
from datapedia.util.parallel.budget import Budget, OverBudget, budget


def assess(checks, fiche, observation):
    """The completeness judge on what ``checks`` (a checker, or one with pool checks) says."""
    return completeness(fiche, observation, checks)


def _distribution(columns, protocol="json"):
    media = {"json": "application/json", "csv": "text/csv"}[protocol]
    return [
        {
            "title": "API",
            "protocol": protocol,
            "url": "https://example.org/api",
            "format": media,
            "columns": columns,
        }
    ]


@pytest.fixture(scope="module")
def counting_checker():
    calls = []

    def factory():
        calls.append(1)
        return ephemeral_context()

    return QualityChecker(context_factory=factory), calls


def test_profile_counts_absent_null_nan_and_blank_values():
    rows = [{"a": 1, "b": ""}, {"a": None, "b": "x"}, {"a": float("nan")}, {"a": 2, "b": "  "}]
    profiles = {p.name: p for p in profile_columns(rows, ["c"])}
    assert (profiles["a"].missing, profiles["b"].missing) == (2, 3)
    assert profiles["c"].present is False and profiles["c"].missing == 4
    assert all(p.rows == 4 for p in profiles.values())


def test_frictionless_counts_blank_rows_and_type_errors():
    rows = [{"id": i, "v": i * 1.5} for i in range(20)]
    rows += [{"id": None, "v": None}, {"id": "n/a", "v": 3.0}]
    errors, bad_rows = frictionless_errors(rows)
    assert errors == {"blank-row": 1, "type-error": 1}
    assert bad_rows == 2


def test_frictionless_infers_types_from_the_whole_sample_and_ignores_missing_values():
    rows = [{"id": i, "v": i, "note": None} for i in range(150)]
    rows.append({"id": 150, "v": 1.5, "note": "herstelling"})  # decimals late: still numbers
    rows += [{"id": 151 + i, "v": 2, "note": "" if i % 2 else "x"} for i in range(40)]
    assert frictionless_errors(rows) == ({}, 0)


def test_nulls_in_not_null_column_give_vol03_and_vol05_with_gx_count(counting_checker):
    checker, _ = counting_checker
    fiche = make_fiche(
        distributions=_distribution(
            [
                {"name": "station_no", "not_null": True},
                {"name": "value", "min": 0, "max": 10},
                {"name": "kind", "values": ["a", "b"]},
                {"name": "unit"},
            ]
        )
    )
    rows = [
        {"station_no": None if i % 3 == 0 else f"S{i}", "value": i, "kind": "a"} for i in range(12)
    ]
    rows[1]["value"] = "n/a"  # not a number: out of range, not missing
    result = assess(checker, fiche, observe(fiche, endpoint(sample=rows, records=12)))
    assert result.status == Status.fail
    assert result.findings == ["VOL-04", "VOL-03", "VOL-05"]
    sample = result.evidence["samples"][0]
    failed = {(f["expectation"], f["column"]): f for f in sample["expectations_failed"]}
    assert failed["expect_column_values_to_not_be_null", "station_no"]["unexpected"] == 4
    assert failed["expect_column_values_to_be_between", "value"]["unexpected"] == 2
    assert failed["expect_column_to_exist", "unit"]["unexpected"] is None
    assert ("expect_column_values_to_be_in_set", "kind") not in failed
    assert sample["missing_pct"]["station_no"] == pytest.approx(33.3)
    assert sample["absent_columns"] == ["unit"]
    assert "33,3% lege waarden in 'station_no' (12 rijen)" in result.summary
    assert "niet leeg op 'station_no' (4 van 12 rijen)" in result.summary
    assert "tussen 0 en 10 op 'value' (2 van 12 rijen)" in result.summary


def test_frictionless_errors_in_evidence_and_vol09_or_vol06(counting_checker):
    checker, _ = counting_checker
    fiche = make_fiche(distributions=_distribution([], protocol="csv"))
    rows = [{"id": i, "v": i} for i in range(30)] + [{"id": None, "v": None}]
    result = assess(checker, fiche, observe(fiche, endpoint(sample=rows)))
    assert result.findings == ["VOL-09"]
    assert result.status == Status.warn
    assert result.evidence["samples"][0]["frictionless_errors"] == {"blank-row": 1}
    rows = [{"id": i} for i in range(3)] + [{"id": None}] * 3
    result = assess(checker, fiche, observe(fiche, endpoint(sample=rows)))
    assert result.findings == ["VOL-06"]
    assert result.evidence["samples"][0]["frictionless_rows_with_errors"] == 3
    # JSON API records are not a tabular file: only the column profile judges them
    api = make_fiche(distributions=_distribution([]))
    result = assess(checker, api, observe(api, endpoint(sample=rows)))
    assert result.evidence["samples"][0]["frictionless_errors"] == {}


def test_clean_sample_is_vol01_and_no_sample_vol07_empty_vol08(counting_checker):
    checker, _ = counting_checker
    fiche = make_fiche(distributions=_distribution([{"name": "id", "not_null": True}]))
    rows = [{"id": i, "name": f"n{i}"} for i in range(5)]
    result = assess(checker, fiche, observe(fiche, endpoint(sample=rows)))
    assert (result.status, result.findings) == (Status.ok, ["VOL-01"])
    assert result.evidence["rows"] == 5
    result = assess(checker, fiche, observe(fiche, endpoint(sample=None)))
    assert (result.status, result.findings) == (Status.unknown, ["VOL-07"])
    result = assess(checker, fiche, observe(fiche, endpoint(sample=[], records=0)))
    assert (result.status, result.findings) == (Status.warn, ["VOL-08"])


def test_one_gx_context_for_several_datasets(counting_checker):
    checker, calls = counting_checker
    for name in ("a", "b", "c"):
        fiche = make_fiche(
            id=f"dataset-{name}", distributions=_distribution([{"name": name, "not_null": True}])
        )
        rows = [{name: 1}, {name: None}]
        result = assess(checker, fiche, observe(fiche, endpoint(sample=rows)))
        assert "VOL-03" in result.findings
    assert len(calls) == 1


def test_no_gx_context_when_no_columns_declared():
    calls = []
    checker = QualityChecker(context_factory=lambda: calls.append(1))
    fiche = make_fiche()
    result = assess(checker, fiche, observe(fiche, endpoint(sample=[{"a": 1}])))
    assert result.findings == ["VOL-01"]
    assert calls == []


def test_a_failing_gx_is_recorded_and_the_rest_still_judged():
    def broken():
        raise RuntimeError("kapot")

    checker = QualityChecker(context_factory=broken)
    fiche = make_fiche(distributions=_distribution([{"name": "x", "not_null": True}], "csv"))
    rows = [{"x": 1}] * 3 + [{"x": None}] * 3
    result = assess(checker, fiche, observe(fiche, endpoint(sample=rows)))
    sample = result.evidence["samples"][0]
    assert sample["tool_errors"] == ["great_expectations: RuntimeError: kapot"]
    assert sample["missing_pct"]["x"] == 50.0
    assert result.findings == ["VOL-06"]  # frictionless: 3 of 6 rows blank


def test_clean_sample_with_declared_rules_never_starts_gx():
    calls = []
    checker = QualityChecker(context_factory=lambda: calls.append(1))
    columns = [
        {"name": "id", "not_null": True},
        {"name": "v", "min": 0, "max": 10},
        {"name": "kind", "values": ["a", "1"]},
    ]
    fiche = make_fiche(distributions=_distribution(columns))
    rows = [{"id": i, "v": str(i), "kind": "a" if i % 2 else 1} for i in range(8)]
    result = assess(checker, fiche, observe(fiche, endpoint(sample=rows)))
    assert (result.findings, calls) == (["VOL-01"], [])


# Values feeds really send, and the ones that trip up number and set checks.
_VALUE_POOL = [None, "", " ", 0, -1, 5, 3.5, 11, "7", "-2", " 4 ", "abc", "nan", "NaN", "inf",
               "1e3", True, False, float("nan"), float("inf"), "a", "b", 1, "1"]  # fmt: skip


def test_screen_never_passes_a_sample_great_expectations_fails(counting_checker):
    """The screen decides whether GX runs at all, so a miss would hide a broken rule."""
    import random

    checker, _ = counting_checker
    generator = random.Random(20261123)
    agreed = passed = 0
    for case in range(150):
        column = ColumnExpectation(
            name="x",
            required=generator.random() < 0.5,
            not_null=generator.random() < 0.5,
            min=generator.choice([None, 0, -1.5]),
            max=generator.choice([None, 10, 4]),
            values=generator.choice([None, ["a", "b"], ["1", "5", "a"]]),
        )
        # half the samples from values that keep most rules, so both outcomes occur
        pool = _VALUE_POOL if case % 2 else [1, 2, "1", "a"]
        rows = [
            {"x": generator.choice(pool)} if generator.random() < 0.9 else {"y": 1}
            for _ in range(generator.randint(1, 6))
        ]
        failed = checker.expectations.failed(rows, [column])
        screened = may_break(rows, column)
        assert screened or not failed, (case, column, rows, failed)
        agreed += screened == bool(failed)
        passed += not failed
    # and it is a screen, not a constant "maybe": it passes what GX passes
    assert passed > 15 and agreed > 0.9 * 150, (passed, agreed)


_TYPED_CELLS = [
    ["1", "2", "17", "-3", 4],
    ["1.5", "2.5", 2.5, "1e3", "7"],
    ["true", "false", True],
    ["2026-11-23", "2026-11-24"],
    ["2026-11-23T05:50:00+00:00", "2026-11-23T06:05:00Z"],
    ["Gent", "Brugge", "n/a"],
]
_ODD_CELLS = ["n/a", "", "  ", None, "2,5", "23/11/2026", "2026-11-23 05:50", "ja", float("nan")]


def test_table_screen_never_skips_a_sample_frictionless_faults(monkeypatch):
    """A sample the screen calls clean is not validated, so a miss would hide errors."""
    import random

    generator = random.Random(20261124)
    verdicts: list[bool] = []
    screen = tables.may_have_table_errors

    def recorded(*args):
        verdicts.append(screen(*args))
        return verdicts[-1]

    monkeypatch.setattr(tables, "may_have_table_errors", recorded)
    for case in range(150):
        # columns of one type with now and then an odd cell: frictionless infers the
        # type from 90 % of the cells, so the odd one out is a type error, or missing
        kinds = [generator.choice(_TYPED_CELLS) for _ in range(3)]
        odd = generator.choice([0, 0.03, 0.1, 0.3])
        labels = generator.choice([["a", "b", "c"], ["a", "b", "c"], ["a", "", "c"]])
        rows = [
            {
                label: generator.choice(_ODD_CELLS if generator.random() < odd else kind)
                for label, kind in zip(labels, kinds, strict=True)
            }
            for _ in range(generator.randint(1, 30))
        ]
        screened = frictionless_errors(rows)
        with monkeypatch.context() as patch:
            patch.setattr(tables, "may_have_table_errors", lambda *args: True)
            validated = frictionless_errors(rows)
        assert screened == validated, (case, rows)
    skipped = verdicts.count(False)
    assert skipped > 20, skipped  # a screen, not a constant "maybe": clean samples skip


def _csv_with_blank_rows():
    fiche = make_fiche(distributions=_distribution([], protocol="csv"))
    rows = [{"id": i, "v": i} for i in range(30)] + [{"id": None, "v": None}]
    return fiche, observe(fiche, endpoint(sample=rows))


@pytest.fixture(params=["fork", "spawn"])
def start(request, monkeypatch):
    """Workers forked (check, probing from other processes) or spawned (threads run)."""
    if request.param == "fork":
        request.getfixturevalue("single_threaded")
    monkeypatch.setattr(worker_pool, "can_fork", lambda: request.param == "fork")
    return request.param


def test_table_pool_gives_the_in_process_verdict(start):
    fiche, observation = _csv_with_blank_rows()
    checker = QualityChecker()
    here = assess(checker, fiche, observation)
    with QualityPool(1) as pool:
        assert pool.workers.start_method == start
        checks = pool.submit(fiche, observation)
        assert list(checks) == [0]
        there = assess(checker.with_checks(checks), fiche, observation)
    assert here == there
    assert there.findings == ["VOL-09"]


def test_a_dead_table_worker_costs_only_its_own_samples(start):
    import multiprocessing
    import time

    fiche, observation = _csv_with_blank_rows()
    checker = QualityChecker()
    with QualityPool(1) as pool:
        assert pool.workers.start_method == start
        checks = pool.submit(fiche, observation)
        checks[0].result(timeout=60)  # the worker is up
        [worker] = multiprocessing.active_children()
        worker.kill()
        # the pool notices in its own thread; until then a sample may still be sent
        # (and fail with the dead worker)
        deadline = time.monotonic() + 30
        while pool.submit(fiche, observation) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pool.workers.broken
        # a sample that was already done keeps its verdict
        assert assess(checker.with_checks(checks), fiche, observation).findings == ["VOL-09"]
        # later samples are validated in-process, with the same verdict
        assert pool.submit(fiche, observation) == {}
        assert assess(checker.with_checks({}), fiche, observation).findings == ["VOL-09"]


# --- issue #18: what one sample may cost ---------------------------------------------
def test_a_wide_sample_is_judged_on_its_first_columns_and_says_so(counting_checker):
    checker, _ = counting_checker
    fiche = make_fiche(distributions=_distribution([{"name": "laatste", "not_null": True}]))
    width = checker.thresholds.max_columns
    rows = [{**{f"k{i}": i for i in range(5 * width)}, "laatste": None} for _ in range(3)]
    result = assess(checker, fiche, observe(fiche, endpoint(sample=rows)))
    assert result.status == Status.fail and "VOL-10" in result.findings  # judged, and said
    assert "VOL-03" in result.findings  # the declared column is judged however far it is
    missing = result.evidence["samples"][0]["missing_pct"]
    assert len(missing) == width + 1 and missing["laatste"] == 100.0
    narrow = [{"a": 1}] * 3
    assert "VOL-10" not in assess(checker, fiche, observe(fiche, endpoint(sample=narrow))).findings


def test_a_sample_over_its_cpu_budget_is_stopped_and_the_process_restored():
    import resource
    import time

    def limits():
        return resource.getrlimit(resource.RLIMIT_CPU), resource.getrlimit(resource.RLIMIT_AS)

    before = limits()
    started = time.process_time()
    with pytest.raises(OverBudget, match="rekentijd"), budget(Budget(1, 1024**3)):
        while time.process_time() < started + 20:  # CPU seconds: the limit is 1
            pass
    assert time.process_time() < started + 20
    assert (
        resource.getrlimit(resource.RLIMIT_CPU),
        resource.getrlimit(resource.RLIMIT_AS),
    ) == before


def test_a_sample_over_its_memory_budget_fails_to_allocate():
    with pytest.raises(MemoryError), budget(Budget(60, 64 * 1024 * 1024)):
        bytearray(512 * 1024 * 1024)
    bytearray(512 * 1024 * 1024)  # and the limit is gone again


def test_a_runaway_library_check_in_a_worker_is_te_groot_om_te_beoordelen(
    monkeypatch, single_threaded
):
    import time

    def spin(rows):
        started = time.process_time()
        while time.process_time() < started + 30:
            pass
        return {}, 0

    monkeypatch.setattr(worker_pool, "can_fork", lambda: True)
    monkeypatch.setattr(quality_checks, "WORKER_BUDGET", Budget(1, 1024**3))
    monkeypatch.setattr(quality_checks, "frictionless_errors", spin)  # forked: the worker too
    fiche, observation = _csv_with_blank_rows()
    with QualityPool(1) as pool:
        checks = pool.submit(fiche, observation)
        result = assess(QualityChecker().with_checks(checks), fiche, observation)
        # the worker lives on for the next sample
        assert pool.submit(fiche, observation)[0].result().over_budget
    assert result.status == Status.unknown and result.findings == ["VOL-10"]
    assert "rekentijd" in result.summary


def test_a_body_too_complex_to_read_is_vol10_beside_a_readable_one(counting_checker):
    checker, _ = counting_checker
    fiche = make_fiche(distributions=_distribution([]) * 2)
    rows = [{"id": i} for i in range(4)]
    read = endpoint(sample=rows)
    refused = endpoint(
        distribution=1,
        parsed=False,
        parse_error="te groot of te complex om te lezen: meer dan 30 s rekentijd",
        too_complex="meer dan 30 s rekentijd",
    )
    result = assess(checker, fiche, observe(fiche, read, refused))
    assert result.status == Status.unknown and result.findings == ["VOL-10"]
    assert "meer dan 30 s rekentijd" in result.summary
    assert result.evidence["rows"] == 4  # the readable one is still judged
    # and alone, without a sample anywhere: the diagnosis says the same
    from factories import run

    diagnosis = run(
        fiche, observe(fiche, refused.model_copy(update={"distribution": 0})), quality=checker
    )
    assert diagnosis.dimensions["completeness"].findings == ["VOL-10"]
