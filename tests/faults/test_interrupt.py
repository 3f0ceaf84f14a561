"""An interrupted ``datapedia check`` never leaves ``checks/`` half-written.

Two ways to interrupt it: a real ``datapedia check`` subprocess against slow local
feeds, killed with SIGKILL at several moments; and a child that dies (``os._exit``) at
exact points of the commit: while staging, before the journal, between renames. After
each, ``checks/`` must be byte-identical to before or fully updated once the next
writer recovers it, every file a reader can see must be whole, and a reader sees the
run either not at all or whole.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from localserver import LocalServer, Route

from datapedia.cli.main import main as cli_main
from datapedia.model.results import Diagnosis, Dimension, DimensionResult, Status
from datapedia.store.checks import JOURNAL, LOCK, STAGING, ChecksStore

from .crash_child import CRASH_EXIT
from .harness import (
    JSON,
    NOW,
    YESTERDAY,
    fiche_data,
    healthy_json_body,
    offline_check,
    seed_previous_night,
    write_fiche,
)

REPO = Path(__file__).resolve().parents[2]
DATAPEDIA = REPO / ".venv" / "bin" / "datapedia"
CHILD = Path(__file__).with_name("crash_child.py")
IDS = [f"feed-{i}" for i in range(1, 5)]
# 4 latest + 4 history files + summary.json: the files one commit moves into place.
COMMITTED_FILES = 2 * len(IDS) + 1


def make_repo(root: Path, base: str = "http://127.0.0.1:9") -> dict[str, bytes]:
    for fid in IDS:
        distribution = {"protocol": "json", "url": f"{base}/{fid}.json"}
        write_fiche(root, fiche_data(fid, {**distribution, "timestamp_field": "tijd"}))
    return seed_previous_night(root / "checks", IDS)


def visible(checks: Path) -> dict[str, bytes]:
    """What a reader of checks/ sees (the staging folder is the writer's business)."""
    return {
        p.relative_to(checks).as_posix(): p.read_bytes()
        for p in sorted(checks.rglob("*"))
        if p.is_file() and STAGING not in p.relative_to(checks).parts and p.name != LOCK
    }


def assert_whole(files: dict[str, bytes]) -> None:
    """Every visible file parses completely: no truncated JSON, no torn history line."""
    for rel, data in files.items():
        if rel.endswith(".jsonl"):
            assert data.endswith(b"\n"), rel
            for line in data.splitlines():
                json.loads(line)
        else:
            json.loads(data)


def assert_fully_updated(checks: Path, seeded: dict[str, bytes]) -> None:
    store = ChecksStore(checks)
    for fid in IDS:
        assert store.read_latest(fid).checked_at == NOW, fid
        lines = store.history_path(fid).read_bytes().splitlines(True)
        assert len(lines) == 2 and lines[0] == seeded[fid], fid
        assert store.read_history(fid)[1].checked_at == NOW
    summary = json.loads((checks / "summary.json").read_text(encoding="utf-8"))
    assert summary["checked_at"] == NOW.isoformat()


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["GX_ANALYTICS_ENABLED"] = "false"
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(CHILD.parent.parent)])
    return env


# --- exact crash points in the commit ----------------------------------------------------
@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, bytes]:
    """checks/ after the same offline run completed: what 'fully updated' means, byte for byte."""
    root = tmp_path_factory.mktemp("reference")
    make_repo(root)
    result = subprocess.run(
        [sys.executable, str(CHILD), str(root), NOW.isoformat(), "none", "0"],
        cwd=root, env=child_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    return visible(root / "checks")


CRASH_POINTS = [
    ("staging", 1, "before"),
    ("staging", COMMITTED_FILES - 1, "before"),
    ("journal", 0, "before"),
    ("rename", 1, "after"),
    ("rename", COMMITTED_FILES // 2, "after"),
    ("rename", COMMITTED_FILES, "after"),
]


@pytest.mark.fault
@pytest.mark.parametrize(
    ("point", "n", "expected"), CRASH_POINTS, ids=[f"{p}-{n}" for p, n, _ in CRASH_POINTS]
)
def test_crash_in_the_commit_is_all_or_nothing(point, n, expected, tmp_path, reference):
    root = tmp_path / "repo"
    seeded = make_repo(root)
    checks = root / "checks"
    before = visible(checks)

    result = subprocess.run(
        [sys.executable, str(CHILD), str(root), NOW.isoformat(), point, str(n)],
        cwd=root, env=child_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == CRASH_EXIT, result.stdout + result.stderr

    seen = visible(checks)
    assert_whole(seen)  # a reader between the crash and the next run sees whole files
    journal = (checks / STAGING / JOURNAL).exists()
    assert journal == (point == "rename")
    if not journal:
        assert seen == before

    # A reader meanwhile sees the run whole (through the journal) and changes nothing.
    reader = ChecksStore(checks)
    latest = {reader.read_latest(fid).checked_at for fid in IDS}
    assert latest == ({NOW} if expected == "after" else {YESTERDAY})
    assert visible(checks) == seen

    ChecksStore(checks).recover()  # the next run's first step
    assert not (checks / STAGING).exists()
    after = visible(checks)
    if expected == "before":
        assert after == before
    else:
        assert after == reference
        assert_fully_updated(checks, seeded)


# --- a real `datapedia check` killed with SIGKILL ------------------------------------------
def slow_server() -> LocalServer:
    body = healthy_json_body()
    return LocalServer(
        {f"/{fid}.json": Route(body=body, content_type=JSON, delay_s=0.4) for fid in IDS}
    )


def start_check(root: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(DATAPEDIA), "--root", str(root), "check", "--allow-private", "--now",
         NOW.isoformat(), "--progress", "plain"],
        cwd=root, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


@pytest.fixture(scope="module")
def full_run_seconds(tmp_path_factory) -> float:
    """How long an uninterrupted run takes here, so kills land at fractions of it."""
    if not DATAPEDIA.exists():
        pytest.skip(f"{DATAPEDIA} is absent (pip install -e . first)")
    root = tmp_path_factory.mktemp("full")
    with slow_server() as server:
        seeded = make_repo(root, server.base)
        started = time.monotonic()
        process = start_check(root)
        out, err = process.communicate(timeout=120)
        elapsed = time.monotonic() - started
    assert process.returncode in (0, 1), err.decode()
    assert_fully_updated(root / "checks", seeded)
    return elapsed


@pytest.mark.fault
@pytest.mark.parametrize("fraction", [0.15, 0.5, 0.8, 0.9, 0.97])
def test_sigkill_mid_run_leaves_before_or_after(fraction, tmp_path, full_run_seconds):
    root = tmp_path / "repo"
    with slow_server() as server:
        seeded = make_repo(root, server.base)
        checks = root / "checks"
        before = visible(checks)
        process = start_check(root)
        try:
            process.wait(timeout=fraction * full_run_seconds)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
    killed = process.returncode == -signal.SIGKILL
    assert killed or process.returncode in (0, 1)
    if fraction < 0.5:
        assert killed  # still importing or probing: the kill must have landed

    assert_whole(visible(checks))
    ChecksStore(checks).recover()  # the next run's first step
    assert not (checks / STAGING).exists()
    if visible(checks) == before:
        assert killed, "a run that finished must have published"
    else:
        assert_fully_updated(checks, seeded)

    # The next night runs normally on top of whatever was left, and only appends.
    published = visible(checks) != before
    tomorrow = (NOW + timedelta(days=1)).isoformat()
    assert cli_main(offline_check(root, tomorrow)) in (0, 1)
    for fid in IDS:
        lines = (checks / "history" / f"{fid}.jsonl").read_bytes().splitlines(True)
        assert lines[0] == seeded[fid]
        assert len(lines) == (3 if published else 2)


# --- another process opening checks/ while a run is staging ------------------------------
def _diagnosis(fiche_id: str) -> Diagnosis:
    dims = {d: DimensionResult(status=Status.ok, summary="Vannacht in orde.") for d in Dimension}
    return Diagnosis.build(fiche_id, NOW, dims)


@pytest.mark.fault
def test_a_reader_opening_checks_mid_run_does_not_wipe_the_run(tmp_path):
    checks = tmp_path / "checks"
    tx = ChecksStore(checks).begin()
    tx.add(_diagnosis("nacht-a"))
    ChecksStore(checks)  # e.g. `datapedia build` reading checks/ at this moment
    try:
        tx.commit()
    except Exception:  # refusing the commit loudly would be an honest answer too
        return
    assert ChecksStore(checks).read_latest("nacht-a") is not None


@pytest.mark.fault
def test_two_overlapping_runs_do_not_lose_results_silently(tmp_path):
    checks = tmp_path / "checks"
    first = ChecksStore(checks).begin()
    first.add(_diagnosis("nacht-a"))
    try:
        second = ChecksStore(checks).begin()
    except Exception:  # a lock that refuses the second run is a fine answer
        second = None
    else:
        second.add(_diagnosis("nacht-b"))
    first.commit()
    assert ChecksStore(checks).read_latest("nacht-a") is not None
    if second is not None:
        second.commit()
        assert ChecksStore(checks).read_latest("nacht-b") is not None


@pytest.mark.fault
def test_a_merge_conflict_in_history_stops_the_run_before_writing(tmp_path, capsys):
    """checks/ is committed, so a bad merge can leave conflict markers in a history file."""
    root = tmp_path / "repo"
    make_repo(root)
    checks = root / "checks"
    history = checks / "history" / f"{IDS[1]}.jsonl"
    history.write_bytes(history.read_bytes() + b"<<<<<<< HEAD\n")
    before = visible(checks)
    code = cli_main(offline_check(root, NOW.isoformat()))
    err = capsys.readouterr().err
    assert code == 2
    assert f"history/{IDS[1]}.jsonl:2:" in err
    assert visible(checks) == before and not (checks / STAGING).exists()
