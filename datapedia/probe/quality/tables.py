"""frictionless on tabular samples: structural errors by type, behind a cheap screen.

The rows of a tabular file (``csv`` distributions) are validated as an inline tabular
resource (types inferred over the whole sample), and structural errors are counted by
type (``blank-row``, ``type-error``, ...). Validating costs milliseconds a sample even
when it finds nothing, which is nearly every night for nearly every CSV
(bench/RESULTS.md), so ``may_have_table_errors`` first asks whether it could find
anything; tests/test_quality.py compares both on generated samples.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from datapedia.model.samples import is_missing

# Errors frictionless reports that say something about the records themselves;
# others (e.g. on the source or the schema inference) are not the data owner's doing.
_ROW_ERRORS = (
    "blank-row",
    "type-error",
    "missing-cell",
    "extra-cell",
    "duplicate-row",
    "constraint-error",
)

# Types frictionless may infer. Its default list also tries yearmonth, geopoint,
# duration, geojson, ... on every cell, which is slow on a full sample and misreads
# plain numbers and strings; these are the types feeds actually carry.
_TYPE_CANDIDATES = [
    {"type": kind} for kind in ("integer", "number", "boolean", "datetime", "date", "string")
]


def frictionless_errors(rows: list[dict[str, Any]]) -> tuple[dict[str, int], int]:
    """Validate rows with frictionless: (error counts by type, rows with an error)."""
    from frictionless import Detector, Resource

    # A list of lists over the union of keys: frictionless takes the header of a list
    # of dicts from the first row only. Missing values become "", frictionless's own
    # missing value, so they neither vote in type inference nor count as type errors.
    header = list(dict.fromkeys([key for row in rows for key in row]))
    cells = [
        ["" if is_missing(row.get(name)) else row.get(name) for name in header] for row in rows
    ]
    # Types inferred from the whole sample, not the first 100 rows: a column whose
    # first rows happen to be integers is not wrong when later rows have decimals.
    schema = Detector(sample_size=len(rows)).detect_schema(
        cells, labels=header, field_candidates=_TYPE_CANDIDATES
    )
    if not may_have_table_errors(schema, header, cells):
        return {}, 0
    report = Resource(data=[header, *cells], schema=schema).validate()
    counts: Counter[str] = Counter()
    bad_rows: set[int] = set()
    for task in report.tasks:
        for error in task.errors:
            counts[error.type] += 1
            if error.type in _ROW_ERRORS and getattr(error, "row_number", None):
                bad_rows.add(error.row_number)
    return dict(sorted(counts.items())), len(bad_rows)


def may_have_table_errors(schema: Any, labels: list[Any], cells: list[list[Any]]) -> bool:
    """Whether validating could report anything: False only when every label is a
    non-blank text, no row is blank, and frictionless's own fields for the detected
    schema read every cell without a note.

    A screen, like ``expectations.may_break``: it never says False for a sample
    frictionless would fault.
    """
    if any(not isinstance(label, str) or not label.strip() for label in labels):
        return True
    readers = [field.read_cell for field in schema.fields]
    for row in cells:
        blank = True
        for read, cell in zip(readers, row, strict=True):
            value, notes = read(cell)
            if notes:
                return True
            blank = blank and value is None
        if blank:
            return True
    return False
