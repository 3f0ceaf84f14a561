"""Which fiche is at fault when two claim the same id, or one fiche has two files.

The file that was there first keeps its id: blaming the other one points a data owner
at the fiche they just added or renamed, not at a fiche that has been fine for years.
git knows which came first: a file whose id is not yet committed is the newest of all;
otherwise the newest commit that touched the file's ``id:`` line. Without git (a copy,
a tarball) the order of the paths decides.
"""

from __future__ import annotations

import math
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

# An id that reads the same as a regular expression (Python's and git's).
_PLAIN_ID = re.compile(r"^[a-z0-9-]+$")
_ID_LINE = "^id:{space}*[\"']?{id}[\"']?{space}*$"


@dataclass(frozen=True)
class Claim:
    """A file that says it holds fiche ``id``; ``shown`` is its path as reported."""

    id: str
    path: Path
    shown: Path


@dataclass(frozen=True)
class Blame:
    claim: Claim
    message: str


def blame(claims: list[Claim]) -> list[Blame]:
    """One ``Blame`` for every claim but the first of its id, and for each ``.yaml``
    file that has a ``.yml`` twin (same folder, same name)."""
    blamed: list[Blame] = []
    twins = {c.path.with_suffix(".yml") for c in claims if c.path.suffix == ".yml"}
    by_id: dict[str, list[Claim]] = {}
    for claim in claims:
        if claim.path.suffix == ".yaml" and claim.path.with_suffix(".yml") in twins:
            blamed.append(
                Blame(
                    claim,
                    f"deze fiche staat er twee keer: ook als {claim.shown.with_suffix('.yml')}; "
                    "verwijder dit .yaml-bestand en houd het .yml-bestand",
                )
            )
        else:
            by_id.setdefault(claim.id, []).append(claim)
    for fiche_id, group in by_id.items():
        if len(group) < 2:
            continue
        ages = {c: _introduced(c) for c in group}
        known = all(age is not None for age in ages.values())
        ordered = sorted(group, key=lambda c: (ages[c] if known else 0.0, str(c.shown)))
        first = ordered[0]
        for later in ordered[1:]:
            message = f"id '{fiche_id}' is al gebruikt in {first.shown}"
            if known:
                message += (
                    "; dit bestand is nog niet gecommit: geef het een eigen id"
                    if ages[later] == math.inf
                    else "; dit bestand kreeg die id later (volgens git): geef het een eigen id"
                )
            blamed.append(Blame(later, message))
    return blamed


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):  # no git on this machine
        return None


def _introduced(claim: Claim) -> float | None:
    """When the file got this id: a commit time, +inf when not yet committed, None
    when git cannot tell (no git, not a git work tree, an id git's pattern cannot hold)."""
    folder, name = claim.path.parent, claim.path.name
    if not _PLAIN_ID.match(claim.id):
        return None
    inside = _git(["rev-parse", "--is-inside-work-tree"], folder)
    if inside is None or inside.returncode != 0:
        return None
    committed = _git(["show", f"HEAD:./{name}"], folder)
    if committed is None or committed.returncode != 0:
        return math.inf  # untracked, or only staged
    if not re.search(_ID_LINE.format(id=claim.id, space=r"\s"), committed.stdout, re.MULTILINE):
        return math.inf  # HEAD has this file with another id
    # The newest commit whose diff touched this id line: when the file got the id.
    line = _ID_LINE.format(id=claim.id, space="[[:space:]]")
    log = _git(["log", "-1", "--format=%ct", "-G", line, "--", name], folder)
    if log is None or not log.stdout.strip():
        return None
    return float(log.stdout.strip())
