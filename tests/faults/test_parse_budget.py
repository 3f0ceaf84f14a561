"""Issue #18: parsing is bounded in CPU time and memory, not only in structure.

A body of ``parsing.BOUNDED_BYTES`` or more is parsed in a process of its own under
``parsing.PARSE_BUDGET``. Each case runs the whole ``check`` with a feed whose body
costs more than its budget: the run completes, the feed becomes VOL-10 ("te groot of
te complex om te beoordelen") with an unreadable-content finding, and the healthy
neighbours are judged as if nothing happened. The budgets are made small here so the
cases stay quick; the work they cut off would take far longer.
"""

from __future__ import annotations

import dataclasses

import pytest
from localserver import Route

from datapedia.probe import parsing
from datapedia.util.parallel.budget import Budget

from .harness import FAST, FAULT_ID, HEALTHY_IDS, JSON, fiche_data, run_scenario

MB = 1024 * 1024
# Room for the bodies below (the fault cases' own limit is 256 kB).
ROOMY = dataclasses.replace(FAST, max_bytes=16 * MB)


def _slow_csv() -> bytes:
    """A million rows whose timestamp matches no layout: each one tries them all
    (tens of CPU seconds of Python in all; the budget is one)."""
    return b"tijd,waarde\n" + b"nooit,1\n" * 1_000_000


def _many_small_records() -> bytes:
    """Half a million one-field records in 5 MB: some hundreds of MB once parsed."""
    return b"[" + b'{"a":1},' * 500_000 + b'{"a":1}]'


CASES = {
    "parse-over-cpu-budget": (
        "csv",
        "text/csv",
        _slow_csv,
        Budget(cpu_s=1, memory_bytes=parsing.PARSE_BUDGET.memory_bytes),
        "rekentijd",
    ),
    "parse-over-memory-budget": (
        "json",
        JSON,
        _many_small_records,
        Budget(cpu_s=parsing.PARSE_BUDGET.cpu_s, memory_bytes=64 * MB),
        "geheugen",
    ),
}


@pytest.mark.fault
@pytest.mark.parametrize("name", list(CASES))
def test_a_body_over_its_parse_budget_is_te_groot_om_te_beoordelen(
    name, tmp_path, monkeypatch, baseline
):
    protocol, media, make, limits, reason = CASES[name]
    monkeypatch.setattr(parsing, "PARSE_BUDGET", limits)
    routes = {"/fout/feed": Route(body=make(), content_type=media)}

    def faulty(urls: dict[str, str]) -> dict:
        distribution = {"protocol": protocol, "url": urls["base"] + "/fout/feed",
                        "format": media, "timestamp_field": "tijd"}  # fmt: skip
        return fiche_data(FAULT_ID, distribution)

    run = run_scenario(tmp_path, monkeypatch, routes, faulty, settings=ROOMY)
    assert run.code in (0, 1), run.stderr
    [endpoint] = run.diagnoses[FAULT_ID].endpoints
    assert endpoint.error is None and endpoint.status_code == 200  # it arrived whole
    assert endpoint.bytes_read >= parsing.BOUNDED_BYTES  # so it was parsed under the budget
    assert not endpoint.parsed and reason in endpoint.too_complex
    statuses = run.statuses(FAULT_ID)
    assert statuses["completeness"] == ("unknown", ["VOL-10"])
    assert "Te groot of te complex" in run.diagnoses[FAULT_ID].dimensions["completeness"].summary
    assert statuses["availability"] == ("fail", ["BES-09"])
    for fid in HEALTHY_IDS:
        assert run.statuses(fid) == baseline[fid], fid


@pytest.mark.fault
def test_a_body_within_its_budget_is_read_in_the_bounded_process(tmp_path, monkeypatch, baseline):
    """The same path for a healthy large body: read whole, judged as any other."""
    rows = b"".join(b"2026-11-23T05:%02d:00+00:00,%d\n" % (i % 60, i) for i in range(60_000))
    routes = {"/fout/feed": Route(body=b"tijd,waarde\n" + rows, content_type="text/csv")}

    def faulty(urls: dict[str, str]) -> dict:
        distribution = {"protocol": "csv", "url": urls["base"] + "/fout/feed",
                        "format": "text/csv", "timestamp_field": "tijd"}  # fmt: skip
        return fiche_data(FAULT_ID, distribution)

    run = run_scenario(tmp_path, monkeypatch, routes, faulty, settings=ROOMY)
    assert run.code in (0, 1), run.stderr
    [endpoint] = run.diagnoses[FAULT_ID].endpoints
    assert endpoint.bytes_read >= parsing.BOUNDED_BYTES
    assert endpoint.parsed and endpoint.too_complex is None and endpoint.records == 60_000
    assert run.statuses(FAULT_ID)["completeness"][0] != "unknown"
    for fid in HEALTHY_IDS:
        assert run.statuses(fid) == baseline[fid], fid
