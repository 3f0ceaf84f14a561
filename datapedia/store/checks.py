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
    def __init__(self, checks_dir: Path):
        self.dir = Path(checks_dir)
        self._staging = self.dir / STAGING
        # Result files a reader set aside as unreadable, with why (Dutch): one corrupt
        # file must not take the site or a report down with it.
        self.warnings: list[str] = []
        self.recover()

    # --- reading -----------------------------------------------------------
    def latest_path(self, fiche_id: str) -> Path:
        return self.dir / f"{fiche_id}.json"

    def history_path(self, fiche_id: str) -> Path:
        return self.dir / HISTORY / f"{fiche_id}.jsonl"

    def read_latest(self, fiche_id: str) -> Diagnosis | None:
        """The latest diagnosis; None when there is none or it is unreadable (then
        quarantined: see ``warnings``)."""
        try:
            raw = self.latest_path(fiche_id).read_bytes()
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
        path = self.history_path(fiche_id)
        if not path.exists():
            return []
        entries = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    entries.append(HistoryEntry.model_validate_json(line))
                except ValidationError as error:
                    raise ValueError(f"{path}:{number}: ongeldige regel: {error}") from error
        return entries

    def ids(self) -> list[str]:
        return sorted(p.stem for p in self.dir.glob("*.json") if p.name != SUMMARY)

    # --- writing (a transaction per run) ---------------------------------
    def begin(self) -> Transaction:
        return Transaction(self)

    def recover(self) -> None:
        """Finish or discard what an interrupted run left behind.

        Only when no run holds the lock: the staging folder of a run still writing is
        not a leftover, and a reader (build, report) must never throw it away.
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
                    os.replace(staged, target)
        shutil.rmtree(self._staging, ignore_errors=True)


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
    for it, syncs once and writes the journal. Creating 2,000 files costs 0.3-1.4 s on
    the build machine's disk: done at commit, that time came after the last probe;
    done by the thread that diagnoses, it slowed every diagnosis (bench/RESULTS.md).
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
        # all of them: an fsync per file cost 0.5 s for 1,000 fiches on the build machine.
        os.sync()
        atomic_write(self.staging / JOURNAL, json.dumps(list(dict.fromkeys(self.files))).encode())
        self.store._recover_locked()
        self._release()

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


def merge_shards(shard_dirs: list[Path], checks_dir: Path) -> int:
    """Fold the results of ``check --shard`` runs (each its own folder) into ``checks/``.

    Each shard folder was produced from the same committed history, so its history
    file for a fiche is the full history plus that night's line: taking the shard's
    files wholesale is correct because shards never share a fiche.
    """
    store = ChecksStore(checks_dir)
    tx = store.begin()
    merged = 0
    summaries = []
    for shard in shard_dirs:
        shard_store = ChecksStore(shard)
        for fid in shard_store.ids():
            for rel in (f"{fid}.json", f"{HISTORY}/{fid}.jsonl"):
                source = shard / rel
                if source.exists():
                    tx.stage(rel, source.read_bytes())
            merged += 1
        if (shard / SUMMARY).exists():
            summaries.append(json.loads((shard / SUMMARY).read_text(encoding="utf-8")))
    if summaries:
        tx.add_summary(merge_summaries(summaries))
    tx.commit()
    return merged


def summary_document(checked_at: str, exit_code: int, datasets: list[dict]) -> dict:
    """The shape of ``summary.json``; ``datasets`` are ``{id, overall, dimensions}``."""
    counts = {s.value: 0 for s in (Status.ok, Status.warn, Status.fail, Status.unknown)}
    for dataset in datasets:
        counts[dataset["overall"]] += 1
    return {
        "checked_at": checked_at,
        "exit_code": exit_code,
        "counts": counts,
        "datasets": sorted(datasets, key=lambda d: d["id"]),
    }


def merge_summaries(summaries: list[dict]) -> dict:
    """One ``summary.json`` for the whole night from the shards' summaries."""
    return summary_document(
        max(s["checked_at"] for s in summaries),
        max(s["exit_code"] for s in summaries),
        [d for s in summaries for d in s["datasets"]],
    )
