"""What is measured on a sample of records: missing values per column, and what the
libraries (frictionless, Great Expectations) said of it.

Shared by the probe step, which runs the libraries, and the completeness judge, which
turns both into findings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from datapedia.model.results import ColumnProfile
from datapedia.model.rows import narrow_row


def is_missing(value: Any) -> bool:
    """Absent, null, NaN or a blank string."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def narrow(rows: list[dict[str, Any]], width: int, keep: set[str]) -> list[dict[str, Any]]:
    """Each row's first ``width`` columns and the declared ones."""
    if all(len(row) <= width for row in rows):
        return rows
    return [narrow_row(row, width, keep) for row in rows]


def profile_columns(
    rows: list[dict[str, Any]], declared: Sequence[str] = ()
) -> list[ColumnProfile]:
    """Missing counts per column over the union of keys, plus declared columns never seen."""
    names = list(dict.fromkeys([key for row in rows for key in row]))
    profiles = [
        ColumnProfile(
            name=name,
            missing=sum(1 for row in rows if is_missing(row.get(name))),
            rows=len(rows),
        )
        for name in names
    ]
    profiles += [
        ColumnProfile(name=name, present=False, missing=len(rows), rows=len(rows))
        for name in declared
        if name not in names
    ]
    return profiles


@dataclass
class LibraryChecks:
    """frictionless' and Great Expectations' verdicts on one sample."""

    errors: dict[str, int] = field(default_factory=dict)  # frictionless errors by type
    bad_rows: int = 0  # rows with a frictionless error
    failed: list[dict[str, Any]] = field(default_factory=list)  # failed expectations
    tool_errors: list[str] = field(default_factory=list)
    over_budget: str | None = None  # why the libraries were stopped (Dutch), if they were
