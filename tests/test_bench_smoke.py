"""Smoke test of the benchmark harness (bench/): tiny N, tiny delay, no mkdocs.

Speed is measured by ``python bench/run.py``, never asserted here: these tests only
check that the harness generates valid fiches, that its server speaks each
protocol, and that its report computes the ratios and verdicts it claims to.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from urllib.request import Request, urlopen

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import bench_fiches  # noqa: E402
import bench_harness  # noqa: E402
import bench_server  # noqa: E402

from datapedia.load.fiches import load_fiches  # noqa: E402
from datapedia.model.fiche import Protocol  # noqa: E402

NOW = datetime.fromisoformat(bench_harness.NOW)


@pytest.fixture(scope="module")
def server():
    feed = bench_server.start_server(NOW, delay_s=0.005, hosts=3)
    yield feed
    feed.stop()


def test_generated_fiches_are_valid_and_split_by_theme(tmp_path, server):
    paths = bench_fiches.write_fiches(tmp_path, 6, server.base_urls())
    assert paths[0].read_text().startswith(bench_fiches.SCHEMA_COMMENT)
    result = load_fiches([tmp_path / "fiches"], root=tmp_path)
    assert result.problems == []
    themes = sorted(f.fiche.theme.value for f in result.fiches)
    assert themes == ["mobiliteit"] * 3 + ["water"] * 3
    for loaded in result.fiches:
        assert loaded.path.stem == loaded.fiche.id
    protocols = {d.protocol for f in result.fiches for d in f.fiche.distributions}
    assert protocols == {
        Protocol.kiwis,
        Protocol.csv,
        Protocol.json,
        Protocol.opendatasoft,
        Protocol.telraam,
    }
    hosts = {d.url.host for f in result.fiches for d in f.fiche.distributions}
    assert hosts == {"127.0.0.1", "127.0.0.2", "127.0.0.3"}


def test_cli_validate_accepts_the_generated_fiches(tmp_path, server):
    bench_fiches.write_fiches(tmp_path, 5, server.base_urls())
    step = bench_harness.measure(
        "validate",
        [str(bench_harness.DATAPEDIA), "--root", str(tmp_path), "validate"],
        bench_harness.bench_env(tmp_path),
        tmp_path,
    )
    assert step.exit_code == 0, step.stdout_tail + step.stderr_tail
    assert "5 geldige fiches" in step.stdout_tail
    assert step.peak_rss_mb > 1 and step.wall_s > 0


@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="needs Linux /proc")
def test_memory_of_all_processes_counts_the_children_too(tmp_path):
    """check runs in several processes; the largest one alone would understate it."""
    script = (
        "import multiprocessing as mp, time\n"
        "def hold(both):\n"
        "    block = b'x' * (100 * 2**20)\n"  # written, so resident
        "    both.wait(); time.sleep(1.0)\n"  # both children hold it at the same time
        "if __name__ == '__main__':\n"
        "    ctx = mp.get_context('spawn'); both = ctx.Barrier(2)\n"
        "    children = [ctx.Process(target=hold, args=(both,)) for _ in range(2)]\n"
        "    [c.start() for c in children]; [c.join() for c in children]\n"
    )
    (tmp_path / "hold.py").write_text(script, encoding="utf-8")
    # Measured from a small parent, as bench/run.py is: the kernel's peak RSS of a child
    # starts from its parent's RSS at the fork, and pytest with the whole suite loaded
    # is larger than one block.
    measuring = (
        f"import json, sys; sys.path.insert(0, {str(BENCH)!r}); import bench_harness\n"
        f"s = bench_harness.measure('hold', [sys.executable, 'hold.py'], {{}}, "
        f"__import__('pathlib').Path({str(tmp_path)!r}))\n"
        "print(json.dumps([s.exit_code, s.peak_rss_mb, s.peak_tree_mb, s.stderr_tail]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", measuring], capture_output=True, text=True, check=True
    )
    exit_code, peak_rss_mb, peak_tree_mb, stderr_tail = json.loads(done.stdout)
    assert exit_code == 0, stderr_tail
    assert peak_tree_mb > 190  # both blocks at once
    assert peak_rss_mb < peak_tree_mb - 60  # the largest process holds one


def _get(url: str, method: str = "GET") -> tuple[bytes, str]:
    with urlopen(Request(url, method=method), timeout=10) as response:
        return response.read(), response.headers["Content-Type"]


def _fresh(stamp: str) -> bool:
    moment = datetime.fromisoformat(stamp)
    return NOW - timedelta(hours=3) < moment <= NOW


def test_server_answers_each_protocol_with_fresh_real_shaped_payloads(server):
    fiches = [bench_fiches.make_fiche(i, server.base_urls()[1]) for i in range(1, 7)]
    urls = {d["protocol"]: d["url"] for f in fiches for d in f["distributions"]}
    server.reset()

    body, kind = _get(urls["kiwis"])
    stations = json.loads(body)
    assert kind == "application/json" and len(stations) == bench_server.UNITS
    assert all(_fresh(s["timestamp"]) and s["station_no"] for s in stations)

    body, _ = _get(urls["opendatasoft"])
    records = json.loads(body)
    assert records["total_count"] == len(records["results"]) == bench_server.UNITS
    assert all(_fresh(r["datum"]) for r in records["results"])

    body, _ = _get(urls["telraam"])
    snapshot = json.loads(body)
    assert snapshot["type"] == "FeatureCollection"
    stamps = [f["properties"]["last_data_package"] for f in snapshot["features"]]
    assert len(stamps) == bench_server.UNITS and all(_fresh(s) for s in stamps)

    body, kind = _get(urls["csv"])
    rows = list(csv.DictReader(io.StringIO(body.decode()), delimiter=";"))
    assert kind.startswith("text/csv") and len(rows) == bench_server.UNITS
    assert all(_fresh(r["tijdstip"]) for r in rows)

    body, _ = _get(urls["json"])
    assert [r["meetpunt"] for r in json.loads(body)][:2] == ["teller-1", "teller-2"]

    body, kind = _get(fiches[0]["landing_page"], method="HEAD")
    assert body == b"" and kind.startswith("text/html")

    stats = server.stats()
    assert stats["total"] == 6 and stats["by_method"] == {"GET": 5, "HEAD": 1}
    assert stats["by_kind"]["telraam"] == 1 and stats["hosts"] == 1


def _result(check_s: float, requests: int, render_s: float, mkdocs_s: float):
    steps = [
        bench_harness.Step("validate", [], wall_s=1.0, exit_code=0),
        bench_harness.Step(
            "check",
            [],
            wall_s=check_s,
            exit_code=1,
            peak_rss_mb=120,
            peak_tree_mb=150,
            requests={"total": requests},
        ),
        bench_harness.Step("build --render-only", [], wall_s=render_s, exit_code=0),
        bench_harness.Step("mkdocs build", [], wall_s=mkdocs_s, exit_code=0),
    ]
    return bench_harness.BenchResult(
        n=10,
        delay_ms=100,
        concurrency=32,
        per_host_concurrency=4,
        hosts=16,
        distributions=14,
        rows=8,
        steps=steps,
        check_diagnoses=10,
        merged_diagnoses=10,
    )


def test_ratios_compare_check_with_ideal_and_serial_time():
    # 320 requests x 100 ms: serial 32 s, ideal 320/32 x 0.1 = 1 s.
    rows = {
        what: (value, verdict)
        for what, value, verdict in bench_harness.ratios(
            _result(check_s=1.5, requests=320, render_s=0.5, mkdocs_s=10)
        )
    }
    assert rows["serial sum of delays (requests x delay)"] == ("32.00 s", "")
    assert rows["ideal (requests / 32 x delay)"] == ("1.00 s", "")
    assert rows["check / ideal (target <= 2, at n=1000)"] == ("1.50x", "PASS")
    assert rows["serial / check (target >= 20, at n=1000)"] == ("21.33x", "PASS")
    assert rows["rendering / mkdocs build (target < 10%, at n=1000)"] == ("5.0 %", "PASS")
    assert rows["validate wall time (target < 2 s, at n=1000)"] == ("1.00 s", "PASS")

    slow = {
        what: verdict
        for what, _, verdict in bench_harness.ratios(
            _result(check_s=3.0, requests=320, render_s=2, mkdocs_s=10)
        )
    }
    assert slow["check / ideal (target <= 2, at n=1000)"] == "FAIL"
    assert slow["serial / check (target >= 20, at n=1000)"] == "FAIL"
    assert slow["rendering / mkdocs build (target < 10%, at n=1000)"] == "FAIL"


def test_a_crashed_step_is_not_a_result():
    result = _result(check_s=0.1, requests=0, render_s=0.5, mkdocs_s=10)
    result.steps[1].crashed = True
    rows = {what: verdict for what, _, verdict in bench_harness.ratios(result)}
    assert rows["check / ideal (target <= 2, at n=1000)"] == "n/a"
    assert rows["check peak memory, all its processes (target < 500 MB, at n=10000)"] == "n/a"


def test_harness_end_to_end_produces_the_table(tmp_path):
    result = bench_harness.run_bench(
        n=5,
        out=tmp_path / "repo",
        delay_ms=5,
        skip_build=True,
        hosts=2,
        shards=0,  # every check process costs seconds of imports; bench runs do the shards
        log=lambda _: None,
    )
    names = [s.name for s in result.steps]
    assert names == ["validate", "check", "import check modules"]
    assert result.step("validate").exit_code == 0
    assert result.distributions == 8  # 2 + 1 + 1 + 2 + 2
    check = result.step("check")
    assert check.ran, check.stderr_tail
    assert result.check_diagnoses == 5
    assert check.requests["total"] >= result.distributions  # every endpoint asked at least once
    assert result.calibration_s is not None
    table = bench_harness.markdown(result)
    for row in (
        "| check / ideal (target <= 2, at n=1000) |",
        "| serial / check (target >= 20, at n=1000) |",
        "| rendering / mkdocs build (target < 10%, at n=1000) |",
        "| check peak memory, all its processes (target < 500 MB, at n=10000) |",
    ):
        assert row in table
    assert len(list((tmp_path / "repo" / "fiches").rglob("bench-*.yml"))) == 5
    # The harness works in its own folder, never in the repository's fiches/ or checks/.
    assert not list((BENCH.parent / "fiches").rglob("bench-*"))
    assert not list((BENCH.parent / "checks").rglob("bench-*"))


def test_rows_option_scales_every_feed_and_the_expected_units():
    body, _ = bench_server.payload("csv", NOW, rows=50)
    assert len(body.decode().splitlines()) == 51  # header + rows
    body, _ = bench_server.payload("telraam", NOW, rows=50)
    features = json.loads(body)["features"]
    assert len({f["properties"]["segment_id"] for f in features}) == 50
    lons = [f["geometry"]["coordinates"][0][0][0] for f in features]
    assert min(lons) > 2.5 and max(lons) < 5.95  # still inside the declared bbox
    assert (
        bench_fiches.make_fiche(3, "http://127.0.0.1:1", units=50)["expected_units"]["count"] == 50
    )


def test_an_old_repository_is_deleted_after_the_run_and_the_next_waits_for_it(
    tmp_path, monkeypatch
):
    old = tmp_path / "n5"
    (old / "checks").mkdir(parents=True)
    (old / "checks" / "a.json").write_text("{}")
    bench_harness.set_aside(old)
    assert not old.exists()  # moved, not deleted: nothing is freed before measuring
    assert list((tmp_path / bench_harness.TRASH).glob("n5-*/checks/a.json"))
    bench_harness.empty_trash(tmp_path)
    assert [p.name for p in (tmp_path / bench_harness.TRASH).iterdir()] == ["emptied"]
    slept = []
    monkeypatch.setattr(bench_harness.time, "sleep", slept.append)
    assert bench_harness.settle_deletions(tmp_path, log=lambda _: None) > 60
    assert len(slept) == 1 and slept[0] > 60
    stamp = tmp_path / bench_harness.TRASH / "emptied"
    stamp.write_text(str(float(stamp.read_text()) - bench_harness.DELETIONS_SETTLE_S))
    assert bench_harness.settle_deletions(tmp_path, log=lambda _: None) == 0
    assert len(slept) == 1
