"""checks/ store: journaled transactions, crash recovery, history lines."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from datapedia.model.results import (
    MEASURED,
    Diagnosis,
    DimensionResult,
    EndpointObservation,
    Status,
)
from datapedia.store.checks import (
    JOURNAL,
    LOCK,
    STAGING,
    ChecksBusy,
    ChecksStore,
    merge_shards,
)
from datapedia.util.files import atomic_write

NOW = datetime(2026, 11, 23, 6, tzinfo=UTC)


def diagnosis(fid: str, status: Status = Status.ok, when=NOW, reachable=True) -> Diagnosis:
    return Diagnosis.build(
        fid,
        when,
        {d: DimensionResult(status=status, summary="x") for d in MEASURED},
        [
            EndpointObservation(
                distribution=0,
                title="API",
                protocol="json",
                url="https://example.org",
                reachable=reachable,
                latency_ms=12.0,
                newest=when - timedelta(hours=1),
                sample=[{"geheim": "niet bewaren"}],
            )
        ],
    )


def test_commit_publishes_latest_history_and_summary(tmp_path):
    store = ChecksStore(tmp_path)
    tx = store.begin()
    tx.add(diagnosis("a"))
    tx.add_summary({"exit_code": 0})
    assert not (tmp_path / "a.json").exists()  # staged, not visible yet
    tx.commit()
    latest = store.read_latest("a")
    assert latest.overall == Status.ok
    assert latest.endpoints[0].sample is None  # samples are never stored
    assert json.loads((tmp_path / "summary.json").read_text()) == {"exit_code": 0}
    history = store.read_history("a")
    assert len(history) == 1 and history[0].reachable is True
    assert history[0].newest == NOW - timedelta(hours=1)
    assert not (tmp_path / STAGING).exists()
    assert store.ids() == ["a"]
    assert (tmp_path / "a.json").stat().st_mode & 0o777 == 0o644


def test_crash_before_journal_leaves_checks_unchanged(tmp_path):
    store = ChecksStore(tmp_path)
    tx = store.begin()
    tx.add(diagnosis("a", Status.ok))
    tx.commit()
    before = {p.name: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert LOCK in before  # the writer's lock file stays; it holds no data

    crashed = store.begin()
    crashed.add(diagnosis("a", Status.fail, NOW + timedelta(days=1)))
    crashed.add(diagnosis("b", Status.fail))
    # the process dies here: staging written, no journal; the kernel drops its lock
    crashed._stop_writing()
    crashed._release()
    reopened = ChecksStore(tmp_path)
    after = {p.name: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before
    assert reopened.read_latest("a").overall == Status.ok
    assert reopened.read_latest("b") is None
    assert not (tmp_path / STAGING).exists()


def test_journal_present_is_rolled_forward_on_open(tmp_path):
    store = ChecksStore(tmp_path)
    tx = store.begin()
    tx.add(diagnosis("a", Status.fail))
    tx.add(diagnosis("b", Status.warn))
    # the process dies after writing the journal and moving only the first file
    tx._stop_writing()
    atomic_write(tx.staging / JOURNAL, json.dumps(tx.files).encode())
    (tx.staging / "a.json").replace(tmp_path / "a.json")
    tx._release()
    reopened = ChecksStore(tmp_path)
    assert reopened.read_latest("a").overall == Status.fail
    assert reopened.read_latest("b").overall == Status.warn
    assert len(reopened.read_history("b")) == 1
    assert not (tmp_path / STAGING).exists()


def test_rollback_discards_and_history_appends(tmp_path):
    store = ChecksStore(tmp_path)
    for day in range(3):
        tx = store.begin()
        tx.add(diagnosis("a", when=NOW + timedelta(days=day)))
        tx.commit()
    tx = store.begin()
    tx.add(diagnosis("a", Status.fail, NOW + timedelta(days=9)))
    tx.rollback()
    history = store.read_history("a")
    assert [h.checked_at.day for h in history] == [23, 24, 25]
    assert store.read_latest("a").overall == Status.ok


def test_merge_shards_folds_shard_folders_and_summaries_into_checks(tmp_path):
    for name, fid, status, code in (("s1", "b", "fail", 1), ("s2", "a", "ok", 0)):
        tx = ChecksStore(tmp_path / name).begin()
        tx.add(diagnosis(fid))
        tx.add_summary(
            {
                "checked_at": NOW.isoformat(),
                "exit_code": code,
                "counts": {},
                "datasets": [{"id": fid, "overall": status, "dimensions": {}}],
            }
        )
        tx.commit()
    assert merge_shards([tmp_path / "s1", tmp_path / "s2"], tmp_path / "checks") == 2
    assert ChecksStore(tmp_path / "checks").ids() == ["a", "b"]
    summary = json.loads((tmp_path / "checks" / "summary.json").read_text())
    assert summary["exit_code"] == 1
    assert summary["counts"] == {"ok": 1, "warn": 0, "fail": 1, "unknown": 0}
    assert [d["id"] for d in summary["datasets"]] == ["a", "b"]


def test_a_reader_never_discards_a_running_transaction_and_writers_exclude_each_other(tmp_path):
    running = ChecksStore(tmp_path).begin()
    running.add(diagnosis("a", Status.ok))
    ChecksStore(tmp_path)  # a reader (build, report) opening checks/ meanwhile
    with pytest.raises(ChecksBusy):
        ChecksStore(tmp_path).begin()
    running.commit()
    assert ChecksStore(tmp_path).read_latest("a").overall == Status.ok
    ChecksStore(tmp_path).begin().rollback()  # the lock is free again after commit


def test_a_failed_staging_write_surfaces_and_publishes_nothing(tmp_path, monkeypatch):
    from datapedia.store import checks as store_module

    def full_disk(path, data):
        raise OSError(28, "No space left on device")

    store = ChecksStore(tmp_path)
    monkeypatch.setattr(store_module, "write_staged", full_disk)
    tx = store.begin()
    with pytest.raises(OSError, match="No space left"):  # on a later add, or on commit
        tx.add(diagnosis("a", Status.ok))
        tx.add(diagnosis("b", Status.ok))
        tx.commit()
    tx.rollback()
    assert store.read_latest("a") is None
    assert not (tmp_path / STAGING).exists()
