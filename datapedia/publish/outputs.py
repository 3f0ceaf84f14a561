"""Incremental writing: each output has a key, and the manifest says which keys are on disk.

A key is the hash of exactly the inputs an output is made of plus the code version; an
output whose key is in the manifest and whose file exists is skipped, so a change to one
fiche rewrites only that fiche's page, plot and the pages that list every fiche. Files
no output claims any more (a fiche that left) are removed. The manifest is written last:
a run cut short leaves old keys for the files it did not finish, so they are redone.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datapedia.model.words import count
from datapedia.publish.paths import MANIFEST, PARALLEL_MIN_PAGES
from datapedia.util.files import atomic_write
from datapedia.util.parallel import fork_map, fork_workers

TEMPLATES = Path(__file__).parent / "templates"

# An output: its key, and how to make its bytes (None: nothing to show, no file).
Make = Callable[[], bytes | None]
Outputs = dict[str, tuple[str, Make]]


@dataclass
class RenderReport:
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    out_dir: Path | None = None
    # Fiches left out because they do not validate: one broken fiche must not take the
    # whole site down, but the build reports it.
    problems: list[str] = field(default_factory=list)
    # checks/ files the store could not read and set aside (their fiches show "no check").
    quarantined: list[str] = field(default_factory=list)
    entries: list = field(default_factory=list, repr=False)

    def pages_written(self, prefix: str = "") -> list[str]:
        return [p for p in self.written if p.startswith(prefix) and p.endswith(".md")]

    def __str__(self) -> str:
        return (
            f"{count(len(self.written), 'bestand')} geschreven, {len(self.skipped)} ongewijzigd, "
            f"{len(self.removed)} verwijderd"
        )


def key(*parts: Any) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def code_version() -> str:
    """Changes whenever the renderer or a template changes, so every output is redone."""
    digest = hashlib.sha256()
    # The modules whose labels, rules or model end up on the pages, and the templates.
    package = Path(__file__).parents[1]
    modules = sorted((package / "publish").rglob("*.py")) + sorted((package / "model").glob("*.py"))
    modules.append(package / "judge" / "history.py")
    for path in [*modules, *sorted(TEMPLATES.rglob("*"))]:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def write_page(path: Path, data: bytes) -> None:
    """Write a generated page in place, making its folder only when it is missing.

    Not via a temporary file and a rename, which costs directory operations per page:
    a page cut short by a killed run is harmless, because the manifest is written last
    (its old key for that page no longer matches, so the next render writes it again).
    Over the old bytes, then cut to length, rather than truncating first: a file
    truncated to zero gives its blocks back, one of about the same size keeps them.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o666)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, flags, 0o666)
    with open(fd, "wb") as file:
        file.write(data)
        file.truncate()


def _read_manifest(out: Path) -> dict[str, str]:
    try:
        return json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


def _remove_unclaimed(out: Path, claimed: dict[str, str], report: RenderReport) -> None:
    """Delete every file no output claims, and the folders that leaves empty."""
    if not out.exists():
        return
    for path in sorted(out.rglob("*"), reverse=True):
        rel = path.relative_to(out).as_posix()
        if path.is_file() and rel != MANIFEST and rel not in claimed:
            path.unlink()
            report.removed.append(rel)
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def write_outputs(
    out: Path, outputs: Outputs, prepare: Callable[[], None] | None = None
) -> RenderReport:
    """Make and write every output whose key changed (on all cores when many), then the
    manifest of what is on disk. ``prepare`` runs before the work is spread over worker
    processes: what it computes, every worker inherits instead of computing it again."""
    report = RenderReport(out_dir=out)
    manifest = _read_manifest(out)
    written: dict[str, str] = {}
    todo = []
    for rel, (output_key, _) in sorted(outputs.items()):
        if manifest.get(rel) == output_key and (out / rel).exists():
            report.skipped.append(rel)
            written[rel] = output_key
        else:
            todo.append(rel)

    def produce(rel: str) -> bool:
        data = outputs[rel][1]()
        if data is not None:
            write_page(out / rel, data)
        return data is not None

    if prepare and fork_workers(len(todo), PARALLEL_MIN_PAGES) > 1:
        prepare()
    for rel, made in zip(todo, fork_map(produce, todo, PARALLEL_MIN_PAGES), strict=True):
        if made:  # else it had nothing to show (no history in the window)
            report.written.append(rel)
            written[rel] = outputs[rel][0]
    _remove_unclaimed(out, written, report)
    atomic_write(out / MANIFEST, json.dumps(written, indent=1, sort_keys=True).encode())
    return report
