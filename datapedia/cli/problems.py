"""How the CLI shows the problems a step returns: one line each, then what happens next.

The load step (and the steps that load fiches) return their problems; only the CLI
writes them, to stderr, so a caller of the library decides what a reader sees.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from datapedia.load.parsed import Problem
from datapedia.model import words


def print_problems(problems: Sequence[Problem | str], consequence: str) -> None:
    """Every problem on its own line, then what happens to those fiches (to stderr)."""
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        found = words.count(len(problems), "probleem")
        print(f"{found} in de fiches; {consequence}.", file=sys.stderr)
