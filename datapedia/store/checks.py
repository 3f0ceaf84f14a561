"""The ``checks/`` folder: latest diagnosis per fiche plus an append-only history.

Layout (documented for other tools in ``checks/README.md``)::

    checks/<id>.json              latest Diagnosis (see datapedia.model.results.Diagnosis)
    checks/history/<id>.jsonl     one HistoryEntry per check, oldest first
    checks/summary.json           the last run's summary

A run stages every file it will change under ``checks/.staging/`` and writes a
journal ``COMMIT`` last; only then are the files moved into place. A run killed
before the journal exists leaves ``checks/`` as it was (the staging folder is
discarded on the next open); one killed while moving is rolled forward on the
next open. Either way no reader ever sees a half-written file.
"""

from __future__ import annotations

import fcntl
import json
import os
import queue
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from datapedia.model.results import Diagnosis, HistoryEntry, Status
from datapedia.util.files import atomic_write, read_or_empty

STAGING = ".staging"
JOURNAL = "COMMIT"
LOCK = ".lock"
HISTORY = "history"
SUMMARY = "summary.json"


def write_staged(path: Path, data: bytes) -> None:
    """A plain write: staged files are invisible until the journal exists, and
    ``Transaction.commit`` makes them durable together before writing it."""
    path.write_bytes(data)


class ChecksStore:
    """``checks/`` as a reader sees it; ``begin`` (a writer) is the only way to change it.

    Opening never writes, locks or recovers: the site, a report and the issue sync run
    on read-only checkouts too. A run that died while moving its files into place left
    a journal; until the next writer rolls it forward, readers read the staged files
    the journal names, so they see the committed run whole.
    """

    def __init__(self, checks_dir: Path):
        self.dir = Path(checks_dir)
        self._staging = self.dir / STAGING
        # Result files a reader set aside as unreadable, with why (Dutch): one corrupt
        # file must not take the site or a report down with it.
        self.warnings: list[str] = []
        self._journaled = _journaled(self._staging)

    # --- reading -----------------------------------------------------------
    def latest_path(self, fiche_id: str) -> Path:
        return self.dir / f"{fiche_id}.json"

    def history_path(self, fiche_id: str) -> Path:
        return self.dir / HISTORY / f"{fiche_id}.jsonl"

    def _committed(self, rel: str) -> Path:
        """Where the committed version of ``rel`` is: staged while a journal names it."""
        if rel in self._journaled and (self._staging / rel).exists():
            return self._staging / rel
        return self.dir / rel

    def read_latest(self, fiche_id: str) -> Diagnosis | None:
        """The latest diagnosis; None when there is none or it is unreadable (then
        quarantined: see ``warnings``)."""
        try:
            raw = self._committed(f"{fiche_id}.json").read_bytes()
        except FileNotFoundError:
            return None
        return self.latest_or_quarantine(fiche_id, raw)

    def latest_or_quarantine(self, fiche_id: str, raw: bytes) -> Diagnosis | None:
        """``parse_latest``, or None and a warning when the file is not a diagnosis.

        Quarantined in place: readers may have no write access, and the next check
        replaces the file anyway.
        """
        try:
            return self.parse_latest(fiche_id, raw)
        except ValueError as error:
            reason = str(error).splitlines()[0][:300]
            self.warnings.append(f"{reason} (overgeslagen tot de volgende controle)")
            return None

    def parse_latest(self, fiche_id: str, raw: bytes) -> Diagnosis:
        """The latest diagnosis from the bytes of its file (already read by the caller)."""
        try:
            return Diagnosis.model_validate_json(raw)
        except ValidationError as error:
            path = self.latest_path(fiche_id)
            raise ValueError(f"{path}: geen geldige diagnose: {error}") from error

    def read_history(self, fiche_id: str) -> list[HistoryEntry]:
        path = self._committed(f"{HISTORY}/{fiche_id}.jsonl")
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return []
        return self.parse_history(fiche_id, raw, path)

    def parse_history(
        self, fiche_id: str, raw: bytes, path: Path | None = None
    ) -> list[HistoryEntry]:
        """The history from bytes a caller already read (the site reads them once)."""
        entries = []
        for number, line in enumerate(raw.decode("utf-8").splitlines(), 1):
            if line.strip():
                try:
                    entries.append(HistoryEntry.model_validate_json(line))
                except ValidationError as error:
                    where = path or self.history_path(fiche_id)
                    raise ValueError(f"{where}:{number}: ongeldige regel: {error}") from error
        return entries

    def ids(self) -> list[str]:
        names = {p.name for p in self.dir.glob("*.json")}
        names.update(rel for rel in self._journaled if "/" not in rel and rel.endswith(".json"))
        return sorted(name.removesuffix(".json") for name in names if name != SUMMARY)

    # --- writing (a transaction per run) ---------------------------------
    def begin(self) -> Transaction:
        return Transaction(self)

    def recover(self) -> None:
        """Finish or discard what an interrupted run left behind: a writer's step (the
        next run does it when it begins), never a reader's.

        Only when no run holds the lock: the staging folder of a run still writing is
        not a leftover.
        """
        if not self._staging.exists():
            return
        try:
            lock = _try_lock(self.dir)
        except OSError:
            return  # a reader without write access: readers never look in the staging folder
        if lock is None:
            return
        try:
            self._recover_locked()
        except OSError:
            pass  # the next run that can write finishes it (the journal stays)
        finally:
            os.close(lock)

    def _recover_locked(self) -> None:
        journal = self._staging / JOURNAL
        if journal.exists():
            for rel in json.loads(journal.read_text(encoding="utf-8")):
                staged = self._staging / rel
                if staged.exists():
                    target = self.dir / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    publish_staged(staged, target)
        shutil.rmtree(self._staging, ignore_errors=True)
        self._journaled = frozenset()


def publish_staged(staged: Path, target: Path) -> None:
    """Move one staged file into place (atomic: a reader sees the old file or the new)."""
    os.replace(staged, target)


def _journaled(staging: Path) -> frozenset[str]:
    """The files a committed but unfinished run still has to move into place."""
    try:
        return frozenset(json.loads((staging / JOURNAL).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return frozenset()  # no journal: nothing staged is committed


class ChecksBusy(OSError):
    """Another run is writing checks/ right now."""


def _try_lock(checks_dir: Path) -> int | None:
    """An exclusive advisory lock on ``checks/.lock``; None when another process holds it."""
    checks_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(checks_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


class Transaction:
    """Stage latest + history files for many fiches, then publish them together.

    A writer thread creates the staged files while the run goes on; ``commit`` waits
    for it, syncs once and writes the journal. Done at commit, creating the files came
    after the last probe; done by the thread that diagnoses, it slowed every diagnosis
    (bench/RESULTS.md).
    """

    def __init__(self, store: ChecksStore):
        self.store = store
        self.staging = store._staging
        lock = _try_lock(store.dir)
        if lock is None:
            raise ChecksBusy(f"een andere run schrijft al in {store.dir}")
        self._lock: int | None = lock
        # Anything staged now is a crashed run's: finish or discard it before starting.
        store._recover_locked()
        (self.staging / HISTORY).mkdir(parents=True)
        self.files: list[str] = []
        # Bounded: a slow disk holds the run back instead of filling memory.
        self._queue: queue.Queue[tuple[str, bytes, bool] | None] = queue.Queue(maxsize=4096)
        self._writer: threading.Thread | None = None
        self._error: BaseException | None = None
        self._open = True

    def stage(self, rel: str, data: bytes, append: bool = False) -> None:
        """Stage one file of the run; ``rel`` is its path under checks/. ``append``:
        the file becomes the published one plus ``data``. A failed write of an
        earlier file is raised here or at ``commit``."""
        if not self._open:
            raise RuntimeError("transactie is al afgesloten")
        self._raise_write_error()
        if self._writer is None:
            # Started with the first file, not with the transaction: ``check`` forks
            # its probing processes in between, which is only safe without threads.
            self._writer = threading.Thread(target=self._write, name="staging", daemon=True)
            self._writer.start()
        self._queue.put((rel, data, append))
        self.files.append(rel)

    def add(self, diagnosis: Diagnosis) -> None:
        fid = diagnosis.id
        self.stage(f"{fid}.json", diagnosis.model_dump_json(indent=2).encode() + b"\n")
        line = HistoryEntry.from_diagnosis(diagnosis).model_dump_json().encode() + b"\n"
        self.stage(f"{HISTORY}/{fid}.jsonl", line, append=True)

    def add_summary(self, summary: dict) -> None:
        self.stage(SUMMARY, json.dumps(summary, indent=2).encode() + b"\n")

    def _write(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is not None:
                continue  # the first failure is the one reported; the rest is discarded
            rel, data, append = item
            try:
                if append:
                    old = read_or_empty(self.store.dir / rel)
                    data = (old if not old or old.endswith(b"\n") else old + b"\n") + data
                write_staged(self.staging / rel, data)
            except BaseException as error:  # raised in the run's thread, see stage()
                self._error = error

    def _raise_write_error(self) -> None:
        if self._error is not None:
            raise self._error

    def _stop_writing(self) -> None:
        self._open = False
        if self._writer is not None:
            self._queue.put(None)
            self._writer.join()
            self._writer = None

    def commit(self) -> None:
        self._stop_writing()
        self._raise_write_error()
        # Staged files must be on disk before the journal says to move them: a power
        # cut after the journal would otherwise publish empty files. One sync(2) for
        # all of them: an fsync per file is slow on many files (bench/RESULTS.md).
        os.sync()
        atomic_write(self.staging / JOURNAL, json.dumps(list(dict.fromkeys(self.files))).encode())
        self.store._recover_locked()
        self._release()

    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, error_type, error, traceback) -> None:
        """Commit when the block ends normally; roll back when it raises (or commit does)."""
        if error_type is not None:
            self.rollback()
            return
        try:
            self.commit()
        except BaseException:
            self.rollback()
            raise

    def rollback(self) -> bool:
        """Undo the run; True when ``commit`` had got as far as the journal (say, Ctrl-C
        while moving): the run is then published, as the next open would do anyway."""
        self._stop_writing()
        published = (self.staging / JOURNAL).exists()
        if published:
            self.store._recover_locked()
        else:
            shutil.rmtree(self.staging, ignore_errors=True)
        self._release()
        return published

    def _release(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


def iter_diagnoses(checks_dir: Path) -> Iterator[Diagnosis]:
    store = ChecksStore(checks_dir)
    for fid in store.ids():
        diagnosis = store.read_latest(fid)
        if diagnosis:
            yield diagnosis


def stage_shards(tx: Transaction, shard_dirs: list[Path]) -> tuple[int, list[dict]]:
    """Stage the results of ``check --shard`` runs (each its own folder) in ``tx``: how
    many fiches, and the shards' summaries (to merge; none is staged here).

    Each shard folder was produced from the same committed history, so its history
    file for a fiche is the full history plus that night's line: taking the shard's
    files wholesale is correct because shards never share a fiche.
    """
    merged = 0
    summaries = []
    for shard in shard_dirs:
        shard_store = ChecksStore(shard)
        for fid in shard_store.ids():
            for rel in (f"{fid}.json", f"{HISTORY}/{fid}.jsonl"):
                source = shard_store._committed(rel)
                if source.exists():
                    tx.stage(rel, source.read_bytes())
            merged += 1
        if (shard / SUMMARY).exists():
            summaries.append(json.loads((shard / SUMMARY).read_text(encoding="utf-8")))
    return merged, summaries


def merge_shards(shard_dirs: list[Path], checks_dir: Path) -> int:
    """Fold the shard folders into ``checks/`` in one transaction; how many fiches."""
    with ChecksStore(checks_dir).begin() as tx:
        merged, summaries = stage_shards(tx, shard_dirs)
        if summaries:
            tx.add_summary(merge_summaries(summaries))
    return merged


def summary_row(diagnosis: Diagnosis) -> dict[str, Any]:
    """One dataset in ``summary.json``: its id, overall status and status per dimension."""
    return {
        "id": diagnosis.id,
        "overall": diagnosis.overall.value,
        "dimensions": {k.value: v.status.value for k, v in diagnosis.dimensions.items()},
    }


def summary_document(checked_at: str, exit_code: int, datasets: list[dict]) -> dict:
    """The shape of ``summary.json``; ``datasets`` are ``summary_row``s."""
    counts = {status.value: 0 for status in Status}  # in the model's order
    for dataset in datasets:
        counts[dataset["overall"]] += 1
    return {
        "checked_at": checked_at,
        "exit_code": exit_code,
        "counts": counts,
        "datasets": sorted(datasets, key=lambda d: d["id"]),
    }


def run_summary(checked_at: str, datasets: list[dict]) -> dict:
    """``summary.json`` of one run; its ``exit_code`` is the one ``datapedia check`` exits
    with (checks/README.md): 1 when a dataset fails, else 0."""
    failed = any(dataset["overall"] == Status.fail.value for dataset in datasets)
    return summary_document(checked_at, 1 if failed else 0, datasets)


def merge_summaries(summaries: list[dict]) -> dict:
    """One ``summary.json`` for the whole night from the shards' summaries."""
    return summary_document(
        max(s["checked_at"] for s in summaries),
        max(s["exit_code"] for s in summaries),
        [d for s in summaries for d in s["datasets"]],
    )
