"""Load and validate fiches (first step of the data flow): every file under the paths,
each problem as ``file:line:column: field: message``, all in one run.

Each file is read and parsed on its own (``one_file``; in forked workers when there
are many, through ``datapedia.util.parallel``), or taken from the parse cache
(``cache``); then the checks across files run (``cross_checks``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from datapedia.load.cache import FicheCache
from datapedia.load.cross_checks import cross_checks
from datapedia.load.geheimen import SECRETS_FILE, load_secret_hosts
from datapedia.load.one_file import MAX_FILE_BYTES, parse_read, read_file
from datapedia.load.parsed import FICHE_SUFFIXES, Parsed, Problem, relative
from datapedia.model.fiche import Fiche
from datapedia.util.parallel import fork_map

__all__ = [
    "MAX_FILE_BYTES",
    "PARALLEL_MIN_FICHES",
    "FicheCache",
    "LoadResult",
    "LoadedFiche",
    "Problem",
    "load_fiches",
    "load_repository",
]

# Below this many files to parse, forking workers costs more than it saves.
PARALLEL_MIN_FICHES = 200


@dataclass(frozen=True)
class LoadedFiche:
    path: Path
    fiche: Fiche
    digest: str = ""  # sha256 of the file as read: what the fiche's outputs depend on


@dataclass
class LoadResult:
    fiches: list[LoadedFiche] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files_read: int = 0


def load_fiches(
    paths: list[Path], root: Path | None = None, cache: FicheCache | None = None
) -> LoadResult:
    """Validate every fiche under ``paths``; a bad file never stops the others.

    With a ``cache`` (the CLI's commands pass ``FicheCache.for_root``), a file whose
    content passed every check before is not parsed again; the checks across files
    (unique ids, related fiches that exist, ...) always run.
    """
    result = LoadResult()
    root = Path(os.path.abspath(root)) if root is not None else None
    files, missing = _files_under(paths, root)
    result.files_read = len(files)
    parsed = _parse_all(files, root, cache)
    secrets = load_secret_hosts(root) if root is not None else None
    cross_checks(parsed, root, secrets)
    problems = [*missing]
    if secrets is not None:
        problems += [Problem(SECRETS_FILE, 1, 1, "-", why) for why in secrets.problems]
    for item in parsed:
        problems.extend(item.problems)
        if item.fiche is not None and not item.problems:
            result.fiches.append(LoadedFiche(item.path, item.fiche, item.digest))
            if cache is not None and not item.cached and not item.shown.is_absolute():
                cache.put(item)
    if cache is not None:
        cache.save()
    result.problems = sorted(problems, key=lambda p: (str(p.file), p.line, p.column))
    return result


def load_repository(root: Path) -> LoadResult:
    """Every fiche of the repository at ``root``, with the parse cache."""
    return load_fiches([Path(root) / "fiches"], root, FicheCache.for_root(root))


def _files_under(paths: list[Path], root: Path | None) -> tuple[list[Path], list[Problem]]:
    """The fiche files ``paths`` name (sorted, each once), and a problem per missing path."""
    missing: list[Problem] = []
    files: set[Path] = set()
    for path in paths:
        if path.is_dir():
            files.update(f for f in path.rglob("*") if f.suffix in FICHE_SUFFIXES and f.is_file())
        elif path.is_file():
            files.add(path)
        else:
            shown = relative(path, root) or path
            missing.append(Problem(shown, 1, 1, "-", "bestand of map bestaat niet"))
    return sorted(files), missing


def _parse_all(files: list[Path], root: Path | None, cache: FicheCache | None) -> list[Parsed]:
    """Each file read, then parsed unless the cache had it: on every core from
    ``PARALLEL_MIN_FICHES`` on, a worker sending back the parsed file, model included."""
    parsed: list[Parsed] = []
    todo: list[tuple[Parsed, str, Path | None]] = []  # read, but not in the cache
    at: list[int] = []  # where each of those goes in ``parsed``
    for file in files:
        shown = relative(file, root)
        read, text = read_file(file, shown, cache)
        if text is not None:
            at.append(len(parsed))
            todo.append((read, text, shown))
        parsed.append(read)
    for index, done in zip(at, fork_map(parse_read, todo, PARALLEL_MIN_FICHES), strict=True):
        parsed[index] = done
    return parsed
