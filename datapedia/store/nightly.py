"""``datapedia merge --shards N``: a night is kept even when some shards are missing.

Each shard folder carries ``shard.txt`` ("i/n"), written by the workflow after its
check finished. The fiches of a shard that never delivered keep their last diagnosis
in ``checks/`` (nothing is re-judged here), and ``summary.json`` lists them as not
re-checked under ``incomplete``, which `issues sync` turns into one run issue.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from datapedia.store.checks import (
    ChecksStore,
    merge_summaries,
    stage_shards,
    summary_document,
    summary_row,
)

SHARD_FILE = "shard.txt"
INCOMPLETE = "incomplete"


class MergeError(Exception):
    """A shard folder cannot be used; the message (Dutch) says which and why."""


@dataclass
class NightMerge:
    merged: int
    missing_shards: list[int] = field(default_factory=list)
    not_rechecked: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing_shards


def in_shard(fiche_id: str, index: int, count: int) -> bool:
    """Whether shard ``index`` of ``count`` (1-based) checks the fiche ``fiche_id``."""
    # crc32, not hash(): it must be the same in every process and on every runner.
    return zlib.crc32(fiche_id.encode()) % count == index - 1


def shard_of(folder: Path, count: int) -> int:
    """The shard index a folder holds, checked against the expected count."""
    try:
        index, of = (int(part) for part in (folder / SHARD_FILE).read_text().strip().split("/"))
    except (OSError, ValueError):
        raise MergeError(f"{folder}: geen geldige {SHARD_FILE}; is de shard afgelopen?") from None
    if of != count or not 1 <= index <= count:
        raise MergeError(f"{folder}: shard {index}/{of} hoort niet bij een nacht van {count}")
    return index


def merge_night(
    shard_dirs: list[Path], checks_dir: Path, fiche_ids: list[str], count: int, now: datetime
) -> NightMerge:
    """Fold the shards that exist into ``checks_dir`` and account for the ones that don't,
    in one transaction."""
    present: dict[int, Path] = {}
    for folder in shard_dirs:
        index = shard_of(folder, count)
        if index in present:
            raise MergeError(f"shard {index} twee keer gegeven: {present[index]} en {folder}")
        present[index] = folder
    missing = [i for i in range(1, count + 1) if i not in present]
    store = ChecksStore(checks_dir)
    with store.begin() as tx:
        merged, summaries = stage_shards(tx, [present[i] for i in sorted(present)])
        result = NightMerge(merged, missing)
        if missing:
            result.not_rechecked = sorted(
                fid for fid in fiche_ids if any(in_shard(fid, i, count) for i in missing)
            )
            tx.add_summary(_incomplete(store, summaries, result, now))
        elif summaries:
            tx.add_summary(merge_summaries(summaries))
    return result


def _incomplete(
    store: ChecksStore, summaries: list[dict], night: NightMerge, now: datetime
) -> dict:
    """The night's summary: tonight's shards plus the last diagnosis of the fiches of the
    missing ones, marked as not re-checked."""
    rows = []
    for fid in night.not_rechecked:
        # Not staged tonight (their shard is missing): the committed file is last night's.
        diagnosis = store.read_latest(fid)
        if diagnosis is not None:
            rows.append({**summary_row(diagnosis), "rechecked": False})
    # Tonight's shards only: checks/summary.json may still be yesterday's.
    tonight = merge_summaries(summaries) if summaries else {}
    summary = summary_document(
        tonight.get("checked_at", now.isoformat()),
        max(tonight.get("exit_code", 0), 1),
        [*tonight.get("datasets", []), *rows],
    )
    summary[INCOMPLETE] = {
        "missing_shards": night.missing_shards,
        "not_rechecked": night.not_rechecked,
    }
    return summary
