"""Great Expectations on the rules a fiche declares per column, behind a cheap screen.

Great Expectations is slow for this: seconds to import and tens of milliseconds per
sample, which made it nearly all of a 1,000-fiche check (bench/RESULTS.md). So a cheap
screen (``may_break``) first looks for anything that could break a declared rule; it
errs on the side of "maybe" (a value it cannot read as a number, NaN, infinity) and
never passes a sample Great Expectations would fail (tests/test_quality.py compares
both on generated samples). Only a sample the screen flags is validated, and a healthy
night never imports the library. One ``Expectations`` per run (and per worker) makes
one ephemeral context, one pandas datasource and one dataframe asset the first time a
sample needs them; every later sample is a new batch of that asset.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from types import ModuleType
from typing import Any

from datapedia.model.fiche import ColumnExpectation
from datapedia.model.samples import is_missing


def great_expectations() -> ModuleType:
    """The library, imported here only, never phoning home."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    return gx


def ephemeral_context() -> Any:
    gx = great_expectations()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # A nightly CI log is no place for a progress bar per metric.
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


def _cell(value: Any) -> Any:
    # Blank strings are missing values, the same as in the column profile.
    return None if is_missing(value) else value


def _finite_number(value: Any) -> float | None:
    """The value as a finite number; None for text, booleans, NaN and infinity."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def may_break(rows: list[dict[str, Any]], column: ColumnExpectation) -> bool:
    """Whether the sample may break the rules declared for ``column``.

    A screen, not the verdict: True sends the sample to Great Expectations. Anything
    it cannot judge for certain counts as "may break", so it never misses a failure.
    """
    values = [_cell(row.get(column.name)) for row in rows]
    if column.required and all(column.name not in row for row in rows):
        return True
    present = [v for v in values if v is not None]
    if column.not_null and len(present) < len(values):
        return True
    if column.min is not None or column.max is not None:
        for value in present:
            number = _finite_number(value)
            if (
                number is None
                or (column.min is not None and number < column.min)
                or (column.max is not None and number > column.max)
            ):
                return True
    return column.values is not None and any(_text(v) not in column.values for v in present)


def _text(value: Any) -> Any:
    # The set is declared as text: 1 matches "1". Missing values stay missing (None).
    return None if is_missing(value) else str(value)


def _numeric(series: Any, column: ColumnExpectation) -> Any:
    """Numbers for a range check; text that is no number counts as out of range.

    Coercing it to NaN would turn "n/a" into a missing value, and the not-null
    expectation on the same column would then count it twice.
    """
    import pandas as pd

    numbers = pd.to_numeric(series, errors="coerce")
    outside = math.inf if column.max is not None else -math.inf
    return numbers.where(numbers.notna() | series.isna(), outside)


# Separates a column's name from the kind of copy made of it for one expectation; a
# control character, so it cannot clash with a real column name from a feed.
_DERIVED = "\x1f"


class Expectations:
    """The declared column rules of one run; ``failed`` per sample."""

    def __init__(self, context_factory: Callable[[], Any] = ephemeral_context):
        self._context_factory = context_factory
        self._batch_definition: Any = None
        self._suites = 0

    def _batch_definition_once(self) -> Any:
        # Also makes the context GX's current project, which building a suite needs.
        if self._batch_definition is None:
            context = self._context_factory()
            source = context.data_sources.add_pandas(name="datapedia-samples")
            asset = source.add_dataframe_asset(name="sample")
            self._batch_definition = asset.add_batch_definition_whole_dataframe("whole")
        return self._batch_definition

    def failed(
        self, rows: list[dict[str, Any]], columns: list[ColumnExpectation]
    ) -> list[dict[str, Any]]:
        """Run the declared column expectations; one dict per expectation that failed."""
        import pandas as pd

        batch_definition = self._batch_definition_once()
        # dtype object: pandas would turn [1, None] into floats and 1 into "1.0" for the set.
        frame = pd.DataFrame.from_records(
            [{k: _cell(v) for k, v in r.items()} for r in rows]
        ).astype(object)
        self._suites += 1
        suite = great_expectations().ExpectationSuite(name=f"sample-{self._suites}")
        for column in columns:
            for expectation in _column_expectations(frame, column):
                suite.add_expectation(expectation)
        if not suite.expectations:
            return []
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(suite)
        failed = [_failure(item, len(rows)) for item in result.results if not item.success]
        return sorted(failed, key=lambda f: (f["column"] or "", f["expectation"]))


def _column_expectations(frame: Any, column: ColumnExpectation) -> list[Any]:
    """The expectations for one declared column; adds the derived copies they read."""
    expect = great_expectations().expectations
    found = []
    if column.required:
        found.append(expect.ExpectColumnToExist(column=column.name))
    if column.name not in frame.columns:
        # Value expectations on an absent column raise inside GX; absence is
        # already reported by ExpectColumnToExist or the profile.
        return found
    if column.not_null:
        found.append(expect.ExpectColumnValuesToNotBeNull(column=column.name))
    # The range and the set each read their own copy of the column: one
    # converted in place for the other made "1" fail a range of 0..10.
    if column.min is not None or column.max is not None:
        as_number = f"{column.name}{_DERIVED}getal"
        frame[as_number] = _numeric(frame[column.name], column)
        found.append(
            expect.ExpectColumnValuesToBeBetween(
                column=as_number, min_value=column.min, max_value=column.max
            )
        )
    if column.values is not None:
        as_text = f"{column.name}{_DERIVED}tekst"
        frame[as_text] = frame[column.name].map(_text)
        found.append(
            expect.ExpectColumnValuesToBeInSet(column=as_text, value_set=list(column.values))
        )
    return found


def _failure(item: Any, rows: int) -> dict[str, Any]:
    config = item.expectation_config
    raised = item.exception_info or {}
    return {
        "expectation": config.type,
        "column": config.kwargs.get("column", "").split(_DERIVED)[0] or None,
        "unexpected": (item.result or {}).get("unexpected_count"),
        "rows": (item.result or {}).get("element_count", rows),
        "min": config.kwargs.get("min_value"),
        "max": config.kwargs.get("max_value"),
        "error": raised.get("exception_message") if raised.get("raised_exception") else None,
    }
