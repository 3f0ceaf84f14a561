"""Flat records kept for completeness: at most so many columns each.

Shared by the probes (which keep one column more than is judged, so the judge sees
that a record was wider) and the completeness check (which judges the first N).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Mapping
from typing import Any


def narrow_row(row: Mapping[str, Any], width: int, keep: Collection[str]) -> dict[str, Any]:
    """The row's first ``width`` columns and the ones named in ``keep``."""
    if len(row) <= width:
        return dict(row)
    narrowed = dict(itertools.islice(row.items(), width))
    narrowed.update((name, row[name]) for name in keep if name in row)
    return narrowed
