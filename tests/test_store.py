"""checks/ store: journaled transactions, crash recovery, history lines."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta

import pytest

from datapedia.model.results import (
    MEASURED,
    Diagnosis,
    DimensionResult,
    EndpointObservation,
    HistoryEntry,
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


def leave_staged(checks, files: dict[str, bytes], journal: bool) -> None:
    """What a run killed during its commit leaves: staged files, and the journal when it
    got that far."""
    for rel, data in files.items():
        (checks / STAGING / rel).parent.mkdir(parents=True, exist_ok=True)
        (checks / STAGING / rel).write_bytes(data)
    if journal:
        (checks / STAGING / JOURNAL).write_text(json.dumps(list(files)))


def staged_files(*diagnoses: Diagnosis) -> dict[str, bytes]:
    files = {}
    for d in diagnoses:
        files[f"{d.id}.json"] = d.model_dump_json().encode()
        files[f"history/{d.id}.jsonl"] = HistoryEntry.from_diagnosis(d).model_dump_json().encode()
    return files


def everything(folder) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def read_all(store: ChecksStore) -> dict:
    return {fid: (store.read_latest(fid), store.read_history(fid)) for fid in store.ids()}


def test_crash_before_journal_leaves_checks_unchanged(tmp_path):
    store = ChecksStore(tmp_path)
    tx = store.begin()
    tx.add(diagnosis("a", Status.ok))
    tx.commit()
    before = everything(tmp_path)
    assert LOCK in before  # the writer's lock file stays; it holds no data

    # the process dies while staging: no journal; the kernel drops its lock
    crashed = (diagnosis("a", Status.fail, NOW + timedelta(days=1)), diagnosis("b", Status.fail))
    leave_staged(tmp_path, staged_files(*crashed), journal=False)
    reader = ChecksStore(tmp_path)
    assert reader.ids() == ["a"]
    assert reader.read_latest("a").overall == Status.ok
    assert reader.read_latest("b") is None

    ChecksStore(tmp_path).recover()  # what the next run does first
    assert everything(tmp_path) == before
    assert not (tmp_path / STAGING).exists()


def test_journal_present_is_read_through_and_rolled_forward_by_the_next_writer(tmp_path):
    # the process dies after writing the journal and moving only the first file
    leave_staged(
        tmp_path, staged_files(diagnosis("a", Status.fail), diagnosis("b", Status.warn)), True
    )
    (tmp_path / STAGING / "a.json").replace(tmp_path / "a.json")
    left = everything(tmp_path)

    reader = ChecksStore(tmp_path)  # sees the committed run whole, and writes nothing
    assert reader.ids() == ["a", "b"]
    assert reader.read_latest("a").overall == Status.fail
    assert reader.read_latest("b").overall == Status.warn
    assert len(reader.read_history("b")) == 1
    assert everything(tmp_path) == left

    ChecksStore(tmp_path).recover()
    assert not (tmp_path / STAGING).exists()
    assert read_all(ChecksStore(tmp_path)) == read_all(reader)


def test_a_reader_never_writes_locks_or_recovers(tmp_path):
    store = ChecksStore(tmp_path / "checks")
    tx = store.begin()
    tx.add(diagnosis("a"))
    tx.commit()
    (tmp_path / "checks" / LOCK).unlink()
    for journal in (False, True):
        leave_staged(tmp_path / "checks", staged_files(diagnosis("b")), journal)
        left = everything(tmp_path)
        reader = ChecksStore(tmp_path / "checks")
        read_all(reader)
        assert everything(tmp_path) == left  # no lock file, staging untouched
        shutil.rmtree(tmp_path / "checks" / STAGING)
    missing = ChecksStore(tmp_path / "nergens")
    assert read_all(missing) == {} and not (tmp_path / "nergens").exists()


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


def test_a_transaction_block_commits_or_rolls_back(tmp_path):
    store = ChecksStore(tmp_path)
    with pytest.raises(RuntimeError), store.begin() as tx:
        tx.add(diagnosis("a"))
        raise RuntimeError("halverwege")
    assert store.ids() == [] and not (tmp_path / STAGING).exists()
    with store.begin() as tx:
        tx.add(diagnosis("a"))
    assert ChecksStore(tmp_path).ids() == ["a"]
    store.begin().rollback()  # the lock was released both times


def test_a_night_with_a_missing_shard_is_merged_in_one_transaction(tmp_path, monkeypatch):
    from datapedia.store.nightly import SHARD_FILE, in_shard, merge_night

    ids = [f"fiche-{n}" for n in range(9)]
    last_night = ChecksStore(tmp_path / "checks").begin()
    for fid in ids:
        last_night.add(diagnosis(fid, Status.warn, NOW - timedelta(days=1)))
    last_night.commit()
    for index in (1, 2):
        tx = ChecksStore(tmp_path / f"s{index}").begin()
        for fid in [f for f in ids if in_shard(f, index, 3)]:
            tx.add(diagnosis(fid))
        tx.add_summary(
            {"checked_at": NOW.isoformat(), "exit_code": 0, "counts": {}, "datasets": []}
        )
        tx.commit()
        (tmp_path / f"s{index}" / SHARD_FILE).write_text(f"{index}/3\n")
    begun = []
    real_begin = ChecksStore.begin
    monkeypatch.setattr(ChecksStore, "begin", lambda store: begun.append(1) or real_begin(store))
    night = merge_night([tmp_path / "s1", tmp_path / "s2"], tmp_path / "checks", ids, 3, NOW)
    assert begun == [1]
    missing = sorted(f for f in ids if in_shard(f, 3, 3))
    assert night.missing_shards == [3] and night.not_rechecked == missing and missing
    summary = json.loads((tmp_path / "checks" / "summary.json").read_text())
    assert summary["incomplete"] == {"missing_shards": [3], "not_rechecked": missing}
    assert [d["id"] for d in summary["datasets"]] == missing  # the shards' summaries were empty
    assert summary["exit_code"] == 1 and summary["counts"]["warn"] == len(missing)
    store = ChecksStore(tmp_path / "checks")
    assert {store.read_latest(f).overall for f in ids if f not in missing} == {Status.ok}
