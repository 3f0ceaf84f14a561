"""``datapedia check`` end to end with a fake probe: files, summary, exit codes, guards."""

from __future__ import annotations

import json
import os
import sys
import types
from datetime import timedelta
from pathlib import Path

import pytest
from factories import NOW, SCHEMA_LINE, endpoint, files_in, options, write_fiche

from datapedia.cli.check import check_and_print
from datapedia.model.results import (
    ColumnProfile,
    Observation,
    Status,
)
from datapedia.pipeline import CheckAborted, run_check
from datapedia.store.checks import (
    ChecksStore,
)
from datapedia.store.nightly import in_shard


def check(opts, bar: bool | None = False) -> int:
    """``datapedia check`` as the CLI runs it: printed, with its exit code."""
    return check_and_print(opts, bar)


@pytest.fixture
def fake_probe(monkeypatch):
    """Replace datapedia.probe.runner with a fake; the test fills ``endpoints[id]``."""
    endpoints: dict[str, list] = {}
    calls: list[list[str]] = []

    def probe_all(fiches, fetcher, now, env, workers=None):
        calls.append([f.id for f in fiches])
        for fiche in reversed(fiches):  # completion order is not the input order
            yield Observation(
                fiche_id=fiche.id, checked_at=now, endpoints=endpoints.get(fiche.id, [])
            )

    module = types.ModuleType("datapedia.probe.runner")
    module.probe_all = probe_all
    module.probe_processes = lambda fiches, policy, min_fiches: 1  # threads, in this process
    module.probe_forked = None
    monkeypatch.setitem(sys.modules, "datapedia.probe.runner", module)
    return types.SimpleNamespace(endpoints=endpoints, calls=calls)


def fresh():
    # Every measured dimension measured: only then can a dataset be "in orde".
    return endpoint(
        newest=NOW - timedelta(hours=1),
        units_reporting=10,
        rows_sampled=10,
        columns=[ColumnProfile(name="waarde", rows=10)],
        sample=[{"waarde": i} for i in range(10)],
    )


def test_writes_latest_history_and_summary_exit_0(tmp_path, fake_probe, capsys):
    ok_id = write_fiche(tmp_path, id="goed", expected_units={"count": 10})
    warn_id = write_fiche(tmp_path, id="matig", expected_units={"count": 12})
    fake_probe.endpoints.update({ok_id: [fresh()], warn_id: [fresh()]})
    summary_path = tmp_path / "out" / "summary.json"
    assert check(options(tmp_path, summary_path=summary_path)) == 0

    store = ChecksStore(tmp_path / "checks")
    assert store.ids() == ["goed", "matig"]
    assert store.read_latest("goed").overall.value == "ok"
    assert store.read_latest("matig").dimensions["coverage"].status.value == "warn"
    assert len(store.read_history("goed")) == 1
    assert not (tmp_path / "checks" / ".staging").exists()

    summary = json.loads((tmp_path / "checks" / "summary.json").read_text())
    assert summary == json.loads(summary_path.read_text())
    assert summary["exit_code"] == 0
    assert summary["counts"] == {"ok": 1, "warn": 1, "fail": 0, "unknown": 0}
    assert [d["id"] for d in summary["datasets"]] == ["goed", "matig"]
    assert summary["datasets"][1]["dimensions"]["coverage"] == "warn"
    assert summary["checked_at"] == NOW.isoformat()

    out = capsys.readouterr().out
    assert "[1/2] matig: warn" in out  # plain progress in the completion order
    assert "2 datasets: 1 in orde, 1 aandacht, 0 probleem, 0 onbekend." in out

    # a second run appends to the history
    assert check(options(tmp_path)) == 0
    assert len(store.read_history("goed")) == 2


class Recorded:
    """A ``Progress`` that remembers what the run told it."""

    def __init__(self):
        self.calls = []

    def start(self, total):
        self.calls.append(("start", total))

    def advance(self, fiche_id, overall, problem=None):
        self.calls.append(("advance", fiche_id, overall, problem))

    def done(self):
        self.calls.append(("done",))


def test_the_library_returns_a_result_and_prints_nothing(tmp_path, fake_probe, capsys):
    write_fiche(tmp_path, id="goed", expected_units={"count": 10})
    write_fiche(tmp_path, id="oud")
    (tmp_path / "fiches" / "water" / "kapot.yml").write_text(SCHEMA_LINE + "id: kapot\n")
    fake_probe.endpoints.update(
        {"goed": [fresh()], "oud": [endpoint(newest=NOW - timedelta(days=400))]}
    )
    progress = Recorded()
    result = run_check(options(tmp_path), progress)
    assert capsys.readouterr() == ("", "")
    assert result.checked == ["goed", "oud"] and result.failed
    assert [row["overall"] for row in result.rows] == ["ok", "fail"]
    assert result.summary == json.loads((tmp_path / "checks" / "summary.json").read_text())
    assert {p.file.name for p in result.problems} == {"kapot.yml"}
    assert result.undiagnosed == {} and result.canary_answered is None
    # probed in reverse order (see fake_probe): progress follows the completion order
    assert progress.calls == [
        ("start", 2),
        ("advance", "oud", Status.fail, None),
        ("advance", "goed", Status.ok, None),
        ("done",),
    ]


def test_a_diagnosis_that_raises_costs_only_its_own_fiche(tmp_path, fake_probe, monkeypatch):
    import datapedia.judge as judge

    write_fiche(tmp_path, id="een")
    write_fiche(tmp_path, id="twee", expected_units={"count": 10})
    fake_probe.endpoints.update({"een": [fresh()], "twee": [fresh()]})
    real = judge.diagnose

    def diagnose(fiche, *args):
        if fiche.id == "een":
            raise RuntimeError("kapot")
        return real(fiche, *args)

    monkeypatch.setattr(judge, "diagnose", diagnose)
    progress = Recorded()
    result = run_check(options(tmp_path), progress)
    why = "Niet beoordeeld: interne fout bij de diagnose (RuntimeError: kapot)."
    assert result.undiagnosed == {"een": why}
    assert ("advance", "een", Status.unknown, why) in progress.calls
    latest = ChecksStore(tmp_path / "checks").read_latest("een")
    assert latest.overall == Status.unknown and latest.dimensions["coverage"].summary == why
    assert ChecksStore(tmp_path / "checks").read_latest("twee").overall == Status.ok


def test_a_failing_dataset_gives_exit_1(tmp_path, fake_probe):
    fid = write_fiche(tmp_path, id="oud")
    fake_probe.endpoints[fid] = [endpoint(newest=NOW - timedelta(days=400))]
    assert check(options(tmp_path)) == 1
    summary = json.loads((tmp_path / "checks" / "summary.json").read_text())
    assert summary["exit_code"] == 1
    assert summary["datasets"][0]["dimensions"]["timeliness"] == "fail"


def test_no_network_writes_nothing_and_exits_2(tmp_path, fake_probe, capsys):
    for fid in ("a-een", "a-twee"):
        write_fiche(tmp_path, id=fid)
    fake_probe.endpoints["a-een"] = [endpoint(reachable=False, error="dns", parsed=False)]
    fake_probe.endpoints["a-twee"] = [
        endpoint(reachable=False, error="connect", parsed=False),
        endpoint(distribution=0, skipped="omgevingsvariabele X is niet gezet", reachable=False),
    ]
    with pytest.raises(CheckAborted, match="geen netwerk"):
        run_check(options(tmp_path))
    assert files_in(tmp_path / "checks") == []
    assert check(options(tmp_path)) == 2
    assert "geen netwerk" in capsys.readouterr().err

    # one endpoint that answered (even with an error status) proves the network works
    fake_probe.endpoints["a-twee"] = [endpoint(status_code=503, parsed=False)]
    assert check(options(tmp_path)) == 1
    assert (tmp_path / "checks" / "a-een.json").exists()


def test_offline_does_not_probe_and_judges_the_fiche(tmp_path, fake_probe):
    write_fiche(tmp_path, id="zonder-licentie", licence=None)
    assert check(options(tmp_path, offline=True)) == 1
    assert fake_probe.calls == []
    latest = ChecksStore(tmp_path / "checks").read_latest("zonder-licentie")
    assert latest.dimensions["availability"].summary == "Niet gemeten (offline)."
    assert latest.dimensions["accessibility"].findings == ["TOE-02"]


def test_only_selects_and_unknown_id_exits_2(tmp_path, fake_probe, capsys):
    write_fiche(tmp_path, id="een")
    write_fiche(tmp_path, id="twee")
    assert check(options(tmp_path, only=["twee"])) == 0
    assert fake_probe.calls == [["twee"]]
    assert ChecksStore(tmp_path / "checks").ids() == ["twee"]
    assert check(options(tmp_path, only=["drie"])) == 2
    assert "drie" in capsys.readouterr().err


def test_shards_partition_the_fiches_stably(tmp_path, fake_probe):
    ids = [write_fiche(tmp_path, id=f"fiche-{n}") for n in range(12)]
    seen = []
    for index in (1, 2, 3):
        shard_dir = tmp_path / f"shard-{index}"
        assert check(options(tmp_path, shard=f"{index}/3", checks_dir=shard_dir)) == 0
        seen += ChecksStore(shard_dir).ids() if shard_dir.exists() else []
    assert sorted(seen) == sorted(ids)
    assert [in_shard("fiche-0", i, 3) for i in (1, 2, 3)].count(True) == 1
    for bad in ("0/3", "4/3", "a/b", "3"):
        assert check(options(tmp_path, shard=bad)) == 2


def test_invalid_fiche_is_skipped_and_no_valid_fiche_exits_2(tmp_path, fake_probe, capsys):
    write_fiche(tmp_path, id="geldig")
    (tmp_path / "fiches" / "water" / "kapot.yml").write_text(SCHEMA_LINE + "id: kapot\n")
    assert check(options(tmp_path)) == 0
    assert "kapot.yml" in capsys.readouterr().err
    assert ChecksStore(tmp_path / "checks").ids() == ["geldig"]
    empty = tmp_path / "leeg"
    (empty / "fiches").mkdir(parents=True)
    assert check(options(empty)) == 2


def test_checks_dir_under_a_file_exits_2_before_probing(tmp_path, fake_probe, capsys):
    write_fiche(tmp_path, id="een")
    blocker = tmp_path / "een-bestand"
    blocker.write_text("geen map")
    assert check(options(tmp_path, checks_dir=blocker / "checks")) == 2
    assert "kan niet schrijven" in capsys.readouterr().err
    assert fake_probe.calls == []


def test_unwritable_checks_dir_exits_2(tmp_path, fake_probe):
    write_fiche(tmp_path, id="een")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    # Root ignores the mode bits; the kernel refuses new files under /proc to everyone.
    target = Path("/proc/self") if os.geteuid() == 0 else locked
    try:
        assert check(options(tmp_path, checks_dir=target / "checks")) == 2
    finally:
        locked.chmod(0o700)
    assert fake_probe.calls == []


def test_plain_progress_prints_at_most_a_hundred_lines(capsys):
    from datapedia.cli.check import progress_for

    for total, lines in ((3, 3), (100, 100), (250, 84), (1000, 100)):
        progress = progress_for(bar=False)
        progress.start(total)
        for _ in range(total):
            progress.advance("x", Status.ok)
        progress.done()
        printed = capsys.readouterr().out.splitlines()
        assert len(printed) == lines, total
        assert printed[-1] == f"[{total}/{total}] x: ok"  # the last one always


def test_progress_bar_and_corrupt_history(tmp_path, fake_probe, capsys):
    write_fiche(tmp_path, id="een")
    fake_probe.endpoints["een"] = [fresh()]
    assert check(options(tmp_path), bar=True) == 0
    captured = capsys.readouterr()
    assert "1/1" in captured.err and "[1/1]" not in captured.out  # tqdm, not plain lines
    history = tmp_path / "checks" / "history" / "een.jsonl"
    history.write_text(history.read_text() + "<<<<<<< HEAD\n")
    before = (tmp_path / "checks" / "een.json").read_bytes()
    assert check(options(tmp_path)) == 2
    assert "een.jsonl:2" in capsys.readouterr().err
    assert (tmp_path / "checks" / "een.json").read_bytes() == before


def test_cli_passes_its_options(tmp_path, fake_probe):
    from datapedia.cli.main import main

    write_fiche(tmp_path, id="een")
    code = main(
        [
            "--root",
            str(tmp_path),
            "check",
            "--now",
            NOW.isoformat(),
            "--offline",
            "--progress",
            "plain",
            "--checks",
            str(tmp_path / "uit"),
        ]
    )
    assert code == 0
    assert ChecksStore(tmp_path / "uit").read_latest("een").checked_at == NOW


# --- end to end: the real probe against real recorded payloads on 127.0.0.1 -----------
def _e2e_fiches(root: Path, base: str) -> None:
    write_fiche(
        root,
        id="dov-grondwater",
        update_frequency="P1D",
        standards=[{"name": "OGC WFS 2.0"}],
        distributions=[
            {
                "title": "WFS meetnetten",
                "protocol": "wfs",
                "url": f"{base}/dov/wfs",
                "format": "application/gml+xml",
                "params": {"typeName": "gw_meetnetten:meetnetten"},
                "timestamp_field": "peilmetingen_tot",
                "id_field": "GW_ID",
                "download": True,
            }
        ],
    )
    write_fiche(
        root,
        id="waterinfo-stations",
        update_frequency="PT15M",
        expected_units={"count": 10, "kind": "stations"},
        distributions=[
            {
                "title": "KiWIS value layer",
                "protocol": "kiwis",
                "url": f"{base}/kiwis",
                "format": "application/json",
                "download": True,
                "columns": [
                    {"name": "station_no", "not_null": True},
                    {"name": "ts_value", "min": -100, "max": 100},
                ],
            }
        ],
    )
    telraam = {
        "title": "Snapshot",
        "protocol": "telraam",
        "url": f"{base}/telraam",
        "format": "application/json",
        "auth": {
            "kind": "api-key",
            "env": "TELRAAM_TEST_KEY",
            "header": "X-Api-Key",
            "documentation": "https://telraam.net/api",
        },
    }
    write_fiche(root, id="telraam-segmenten", theme="mobiliteit", distributions=[telraam])
    missing = dict(telraam, auth=dict(telraam["auth"], env="TELRAAM_ONBESTAANDE_KEY"))
    write_fiche(root, id="telraam-zonder-sleutel", theme="mobiliteit", distributions=[missing])
    # the maintainers bind both keys to the local server (config/geheimen.yml)
    (root / "config").mkdir()
    (root / "config" / "geheimen.yml").write_text(
        "TELRAAM_TEST_KEY: [127.0.0.1]\nTELRAAM_ONBESTAANDE_KEY: [127.0.0.1]\n"
    )


def test_end_to_end_with_the_real_probe(tmp_path, monkeypatch):
    from localserver import LocalServer, Route, real_payload

    routes = {
        "/dov/wfs": Route(
            body=real_payload("dov/wfsgetfeature.xml"), content_type="text/xml; subtype=gml/3.2"
        ),
        "/kiwis": Route(
            body=real_payload("waterinfo/getTimeseriesValueLayer.json"),
            content_type="application/json;charset=utf-8",
        ),
        "/telraam": Route(
            body=real_payload("telraam/traffic_snapshot_live.json"),
            content_type="application/json",
        ),
    }
    monkeypatch.setenv("TELRAAM_TEST_KEY", "geheime-sleutel-123")
    monkeypatch.delenv("TELRAAM_ONBESTAANDE_KEY", raising=False)
    with LocalServer(routes) as server:
        _e2e_fiches(tmp_path, server.base)
        blocked = check(options(tmp_path))  # private addresses refused: "no network"
        assert files_in(tmp_path / "checks") == []
        code = check(options(tmp_path, allow_private=True))
        telraam_headers = [r.headers for r in server.requests if r.path == "/telraam"]
    assert blocked == 2
    assert code == 1
    assert telraam_headers[-1]["X-Api-Key"] == "geheime-sleutel-123"
    store = ChecksStore(tmp_path / "checks")

    dov = store.read_latest("dov-grondwater")
    assert dov.dimensions["timeliness"].findings == ["ACT-03"]
    assert dov.dimensions["timeliness"].evidence["newest"].startswith("2003-07-20")
    assert dov.dimensions["availability"].findings == ["BES-01"]
    assert dov.dimensions["standards"].evidence["verified"] == ["OGC WFS 2.0"]

    kiwis = store.read_latest("waterinfo-stations")
    # The 8 stations last reported in 2017: listed, but none counts as reporting now.
    assert kiwis.dimensions["coverage"].findings == ["DEK-03"]
    assert kiwis.dimensions["coverage"].evidence["units_reporting"] == 0
    assert kiwis.dimensions["coverage"].evidence["units_total"] == 8
    completeness = kiwis.dimensions["completeness"]
    assert completeness.findings == ["VOL-05"]
    failed = completeness.evidence["samples"][0]["expectations_failed"]
    assert [(f["column"], f["unexpected"]) for f in failed] == [("ts_value", 1)]

    telraam = store.read_latest("telraam-segmenten")
    coverage = telraam.dimensions["coverage"]
    # Recorded in 2023, judged in 2026: no segment reported within the window.
    assert (coverage.evidence["units_reporting"], coverage.evidence["units_total"]) == (0, 5000)
    assert "Slechts 0 van" in coverage.summary
    assert "TOE-04" in telraam.dimensions["accessibility"].findings

    keyless = store.read_latest("telraam-zonder-sleutel")
    assert keyless.dimensions["availability"].status.value == "unknown"
    assert "TELRAAM_ONBESTAANDE_KEY" in keyless.dimensions["availability"].summary

    written = b"".join(p.read_bytes() for p in (tmp_path / "checks").rglob("*") if p.is_file())
    assert b"geheime-sleutel-123" not in written
    summary = json.loads((tmp_path / "checks" / "summary.json").read_text())
    assert summary["counts"]["fail"] >= 2 and summary["exit_code"] == 1


def test_samples_checked_in_a_worker_give_the_same_diagnosis(tmp_path, fake_probe, monkeypatch):
    from datapedia import pipeline
    from datapedia.probe import quality

    csv = {
        "title": "CSV",
        "protocol": "csv",
        "url": "https://example.org/a.csv",
        "format": "text/csv",
        "columns": [{"name": "v", "not_null": True, "min": 0, "max": 10}],
    }
    fid = write_fiche(tmp_path, id="tellingen", distributions=[csv])
    rows = [{"id": i, "v": i} for i in range(20)] + [{"id": None, "v": None}]
    fake_probe.endpoints[fid] = [endpoint(sample=rows, records=21, newest=NOW)]
    submitted = []
    real_submit = quality.QualityPool.submit
    monkeypatch.setattr(
        quality.QualityPool, "submit", lambda pool, *a: submitted.append(1) or real_submit(pool, *a)
    )

    def completeness(checks):
        assert check(options(tmp_path, checks_dir=tmp_path / checks)) in (0, 1)
        return ChecksStore(tmp_path / checks).read_latest(fid).dimensions["completeness"]

    in_process = completeness("hier")
    assert submitted == []  # one CSV sample does not pay for starting a worker
    monkeypatch.setattr(pipeline, "QUALITY_POOL_MIN_SAMPLES", 1)
    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: 2)
    in_worker = completeness("daar")
    assert submitted == [1]
    assert in_worker == in_process
    # frictionless (a blank row) and Great Expectations (a null, values above 10) both ran
    assert in_worker.findings == ["VOL-05", "VOL-09"]
    failed = in_worker.evidence["samples"][0]["expectations_failed"]
    assert [(f["expectation"], f["unexpected"]) for f in failed] == [
        ("expect_column_values_to_be_between", 9),
        ("expect_column_values_to_not_be_null", 1),
    ]


def test_a_provider_outage_is_news_when_the_canary_answers(tmp_path, fake_probe, capsys):
    for fid in ("a-een", "a-twee"):
        write_fiche(tmp_path, id=fid)
    fake_probe.endpoints["a-een"] = [endpoint(reachable=False, error="connect", parsed=False)]
    fake_probe.endpoints["a-twee"] = [endpoint(reachable=False, error="dns", parsed=False)]
    from localserver import LocalServer

    with LocalServer({}) as canary:
        # every endpoint of this provider is down, but the network is up: exit 1, kept
        result = run_check(options(tmp_path, canary=[canary.url("/")]))
    assert result.failed and result.canary_answered is True
    assert (tmp_path / "checks" / "a-een.json").exists()
    assert "geen netwerk" not in capsys.readouterr().err


def test_one_silent_canary_means_no_network(tmp_path, fake_probe, capsys):
    """A sandbox that reaches a package registry but not GitHub has no network for feeds."""
    write_fiche(tmp_path, id="a-een")
    fake_probe.endpoints["a-een"] = [endpoint(reachable=False, error="connect", parsed=False)]
    from faults.harness import closed_port
    from localserver import LocalServer

    with LocalServer({}) as registry:
        closed = f"http://127.0.0.1:{closed_port()}/"
        assert check(options(tmp_path, canary=[registry.url("/"), closed])) == 2
    assert not (tmp_path / "checks" / "a-een.json").exists()
