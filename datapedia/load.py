"""Load and validate fiches (first step of the data flow).

INTERFACE STUB: the validation helper replaces the implementation (line numbers,
duplicate keys, cross-fiche checks) but keeps these names and signatures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from datapedia.fiche import Fiche


@dataclass(frozen=True)
class Problem:
    file: Path
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.field}: {self.message}"


@dataclass(frozen=True)
class LoadedFiche:
    path: Path
    fiche: Fiche


@dataclass
class LoadResult:
    fiches: list[LoadedFiche] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files_read: int = 0


def load_fiches(paths: list[Path], root: Path | None = None) -> LoadResult:
    result = LoadResult()
    files = sorted(f for p in paths for f in ([p] if p.is_file() else p.rglob("*.yml")))
    for file in files:
        result.files_read += 1
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        result.fiches.append(LoadedFiche(file, Fiche.model_validate(data)))
    return result
