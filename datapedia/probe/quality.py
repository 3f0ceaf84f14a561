"""Completeness (volledigheid) of the sampled records.

Three independent measurements, each on the bounded sample the probe kept
(``EndpointObservation.sample``, at most ``THRESHOLDS.sample_rows`` flat rows):

* per-column missing counts (``ColumnProfile``), always; a value is missing when it
  is absent from the row, null, NaN or a blank string;
* **frictionless** validates the rows of tabular files (``csv`` distributions) as an
  inline tabular resource (types inferred over the whole sample) and reports
  structural errors by type (``blank-row``, ``type-error``, ...);
* **Great Expectations** checks what the fiche declares per column (``columns``:
  required, not_null, min/max, values), when the screen below says a rule may break.

Judgement (thresholds from ``THRESHOLDS``): a required column absent from every row
is VOL-04 (fail); a not_null column with a share of nulls of at least
``missing_warn_ratio``/``missing_fail_ratio`` is VOL-02/VOL-03, and every failed
expectation is VOL-05 with Great Expectations' unexpected count; rows with a
frictionless error are VOL-06 (fail) from ``missing_fail_ratio`` of the sample on,
else VOL-09 (warn). Nothing wrong is VOL-01; no sample VOL-07; no records VOL-08.
Undeclared columns are profiled in the evidence but not judged: an optional field
that is often empty is no defect.

Great Expectations is slow for this: ~4 s to import and ~40 ms per sample, which made
it 95 % of a 1,000-fiche check (bench/RESULTS.md). So a cheap screen
(``may_break``) first looks for anything that could break a declared rule; it errs on
the side of "maybe" (a value it cannot read as a number, NaN, infinity) and never
passes a sample Great Expectations would fail (tests/test_quality.py compares both on
generated samples). Only a sample the screen flags is validated by Great Expectations,
whose result (which expectation, how many rows) is what the findings report. A healthy
night therefore never imports it. A ``QualityChecker`` is created once per run and
makes one ephemeral context, one pandas datasource and one dataframe asset the first
time a sample needs them; every later sample is a new batch of that asset.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from datapedia.judge.common import judged, say
from datapedia.model.fiche import ColumnExpectation, Distribution, Fiche, Protocol
from datapedia.model.results import (
    ColumnProfile,
    DimensionResult,
    EndpointObservation,
    Observation,
)
from datapedia.model.rows import narrow_row
from datapedia.model.thresholds import THRESHOLDS, Thresholds
from datapedia.model.words import count, percent, show
from datapedia.util.parallel import can_fork, heap_frozen

# Never phone home, whoever imports this module first.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

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

_EXPECTATION_LABELS = {
    "expect_column_values_to_not_be_null": "niet leeg",
    "expect_column_values_to_be_between": "tussen {min} en {max}",
    "expect_column_values_to_be_in_set": "toegelaten waarde",
}


def is_missing(value: Any) -> bool:
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


_TOOL_ERROR_CHARS = 300

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

    A screen, like ``may_break``: validating costs ~4 ms a sample even when it finds
    nothing, which is nearly every night for nearly every CSV (bench/RESULTS.md).
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


def _ephemeral_context() -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # A nightly CI log is no place for a progress bar per metric.
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


class QualityChecker:
    """Judges completeness; create one per run and call ``assess`` per fiche."""

    def __init__(
        self,
        thresholds: Thresholds = THRESHOLDS,
        context_factory: Callable[[], Any] = _ephemeral_context,
    ):
        self.thresholds = thresholds
        self._context_factory = context_factory
        self._batch_definition: Any = None
        self._suites = 0

    def with_checks(self, checks: Mapping[int, Future[LibraryChecks]]) -> _WithChecks:
        """This checker, for one fiche whose samples a ``QualityPool`` is checking."""
        return _WithChecks(self, checks)

    # --- Great Expectations ------------------------------------------------
    def _batch_definition_once(self) -> Any:
        # Also makes the context GX's current project, which building a suite needs.
        if self._batch_definition is None:
            context = self._context_factory()
            source = context.data_sources.add_pandas(name="datapedia-samples")
            asset = source.add_dataframe_asset(name="sample")
            self._batch_definition = asset.add_batch_definition_whole_dataframe("whole")
        return self._batch_definition

    def expectations(
        self, rows: list[dict[str, Any]], columns: list[ColumnExpectation]
    ) -> list[dict[str, Any]]:
        """Run the declared column expectations; one dict per expectation that failed."""
        import great_expectations as gx
        import pandas as pd

        batch_definition = self._batch_definition_once()
        # dtype object: pandas would turn [1, None] into floats and 1 into "1.0" for the set.
        frame = pd.DataFrame.from_records(
            [{k: _cell(v) for k, v in r.items()} for r in rows]
        ).astype(object)
        self._suites += 1
        suite = gx.ExpectationSuite(name=f"sample-{self._suites}")
        for column in columns:
            present = column.name in frame.columns
            if column.required:
                suite.add_expectation(gx.expectations.ExpectColumnToExist(column=column.name))
            if not present:
                # Value expectations on an absent column raise inside GX; absence is
                # already reported by ExpectColumnToExist or the profile.
                continue
            if column.not_null:
                suite.add_expectation(
                    gx.expectations.ExpectColumnValuesToNotBeNull(column=column.name)
                )
            # The range and the set each read their own copy of the column: one
            # converted in place for the other made "1" fail a range of 0..10.
            if column.min is not None or column.max is not None:
                as_number = f"{column.name}{_DERIVED}getal"
                frame[as_number] = _numeric(frame[column.name], column)
                suite.add_expectation(
                    gx.expectations.ExpectColumnValuesToBeBetween(
                        column=as_number, min_value=column.min, max_value=column.max
                    )
                )
            if column.values is not None:
                as_text = f"{column.name}{_DERIVED}tekst"
                frame[as_text] = frame[column.name].map(_text)
                suite.add_expectation(
                    gx.expectations.ExpectColumnValuesToBeInSet(
                        column=as_text, value_set=list(column.values)
                    )
                )
        if not suite.expectations:
            return []
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(suite)
        failed = []
        for item in result.results:
            if item.success:
                continue
            config = item.expectation_config
            raised = item.exception_info or {}
            failed.append(
                {
                    "expectation": config.type,
                    "column": config.kwargs.get("column", "").split(_DERIVED)[0] or None,
                    "unexpected": (item.result or {}).get("unexpected_count"),
                    "rows": (item.result or {}).get("element_count", len(rows)),
                    "min": config.kwargs.get("min_value"),
                    "max": config.kwargs.get("max_value"),
                    "error": raised.get("exception_message")
                    if raised.get("raised_exception")
                    else None,
                }
            )
        return sorted(failed, key=lambda f: (f["column"] or "", f["expectation"]))

    # --- the dimension -------------------------------------------------------
    def assess(
        self,
        fiche: Fiche,
        observation: Observation,
        checks: Mapping[int, Future[LibraryChecks]] | None = None,
    ) -> DimensionResult:
        """``checks``: library checks already under way (``QualityPool``), by
        distribution index; any sample not in it is checked here."""
        texts: list[tuple[str, str]] = []  # (finding id, Dutch text)
        samples: list[dict[str, Any]] = []
        for endpoint in observation.endpoints:
            if endpoint.skipped or not endpoint.parsed:
                continue
            distribution = fiche.distributions[endpoint.distribution]
            evidence, found = self._assess_endpoint(distribution, endpoint, checks or {})
            if evidence is not None:
                samples.append(evidence)
                texts += found
        if not samples:
            return judged([say("VOL-07")], {})
        rows = sum(s["rows"] for s in samples)
        return judged(
            texts or [say("VOL-01", rows=_rows_text(rows))], {"rows": rows, "samples": samples}
        )

    def _assess_endpoint(
        self,
        distribution: Distribution,
        endpoint: EndpointObservation,
        checks: Mapping[int, Future[LibraryChecks]],
    ) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
        t = self.thresholds
        rows = endpoint.sample
        if not rows:
            if endpoint.records == 0 or rows == []:
                evidence = {"title": endpoint.title, "rows": 0, "records": endpoint.records}
                return evidence, [say("VOL-08")]
            return None, []
        declared = distribution.columns
        found: list[tuple[str, str]] = []
        if any(len(row) > t.max_columns for row in rows):
            # Judging every column of a record with 200,000 fields cost minutes and
            # megabytes of evidence: the first N (and the declared ones) are judged.
            rows = narrow(rows, t.max_columns, {c.name for c in declared})
            n = t.max_columns
            reason = f"records met meer dan {n} velden; de eerste {n} nagekeken"
            found.append(say("VOL-10", reason=reason))
        profiles = profile_columns(rows, [c.name for c in declared if c.required])
        by_name = {p.name: p for p in profiles}
        pending = checks.get(endpoint.distribution)
        try:
            verdict = pending.result() if pending else self.library_checks(distribution, rows)
        except Exception as error:  # the worker process died under this sample
            verdict = LibraryChecks(tool_errors=[f"werkproces: {type(error).__name__}: {error}"])
        errors, bad_rows, failed = verdict.errors, verdict.bad_rows, verdict.failed
        if verdict.over_budget:
            found.append(say("VOL-10", reason=verdict.over_budget))

        for column in declared:
            profile = by_name.get(column.name)
            if column.required and (profile is None or not profile.present):
                found.append(say("VOL-04", column=column.name))
        for item in failed:
            if item["expectation"] == "expect_column_to_exist":
                continue  # reported above as VOL-04 from the profile
            share = (item["unexpected"] or 0) / max(item["rows"] or len(rows), 1)
            if item["expectation"] == "expect_column_values_to_not_be_null" and (
                share >= t.missing_warn_ratio
            ):
                fid = "VOL-03" if share >= t.missing_fail_ratio else "VOL-02"
                found.append(
                    say(
                        fid,
                        pct=percent(100 * share),
                        column=item["column"],
                        rows=_rows_text(len(rows)),
                    )
                )
            label = _EXPECTATION_LABELS.get(item["expectation"], item["expectation"])
            found.append(
                say(
                    "VOL-05",
                    expectation=label.format(min=show(item["min"]), max=show(item["max"])),
                    column=item["column"],
                    unexpected="?" if item["unexpected"] is None else item["unexpected"],
                    rows=_rows_text(item["rows"]),
                )
            )
        share_bad = bad_rows / len(rows)
        if bad_rows:
            listing = ", ".join(f"{count}× {kind}" for kind, count in errors.items())
            fid = "VOL-06" if share_bad >= t.missing_fail_ratio else "VOL-09"
            found.append(say(fid, errors=listing, bad=bad_rows, rows=_rows_text(len(rows))))
        evidence = {
            "title": endpoint.title,
            "rows": len(rows),
            "records": endpoint.records,
            "missing_pct": {
                p.name: round(100 * p.missing / p.rows, 1) if p.rows else 0.0 for p in profiles
            },
            "absent_columns": [p.name for p in profiles if not p.present],
            "expectations_failed": failed,
            "frictionless_errors": errors,
            "frictionless_rows_with_errors": bad_rows,
            "tool_errors": [error[:_TOOL_ERROR_CHARS] for error in verdict.tool_errors],
        }
        return evidence, found

    def library_checks(
        self, distribution: Distribution, rows: list[dict[str, Any]]
    ) -> LibraryChecks:
        """What frictionless and Great Expectations say of one sample, when needed.

        frictionless judges tabular files (CSV downloads); JSON API records are covered
        by the column profile, and validating them too cost ~25 ms per endpoint for
        nothing the profile does not already say (bench/RESULTS.md). Great Expectations
        runs when the screen says a declared rule may break. A library failing on odd
        data must not stop the night's run: its error is recorded.
        """
        checks = LibraryChecks()
        rows = narrow(rows, self.thresholds.max_columns, {c.name for c in distribution.columns})
        try:
            if distribution.protocol == Protocol.csv:
                try:
                    checks.errors, checks.bad_rows = frictionless_errors(rows)
                except OverBudget:
                    raise
                except Exception as error:
                    checks.tool_errors.append(f"frictionless: {type(error).__name__}: {error}")
            if needs_expectations(distribution, rows):
                try:
                    checks.failed = self.expectations(rows, distribution.columns)
                except OverBudget:
                    raise
                except Exception as error:
                    checks.tool_errors.append(
                        f"great_expectations: {type(error).__name__}: {error}"
                    )
        except (OverBudget, MemoryError) as error:
            checks.over_budget = str(error) if isinstance(error, OverBudget) else _NO_MEMORY
        return checks


@dataclass
class LibraryChecks:
    """frictionless' and Great Expectations' verdicts on one sample."""

    errors: dict[str, int] = field(default_factory=dict)  # frictionless errors by type
    bad_rows: int = 0  # rows with a frictionless error
    failed: list[dict[str, Any]] = field(default_factory=list)  # failed expectations
    tool_errors: list[str] = field(default_factory=list)
    over_budget: str | None = None  # why the libraries were stopped (Dutch), if they were


def needs_expectations(distribution: Distribution, rows: list[dict[str, Any]]) -> bool:
    return any(may_break(rows, column) for column in distribution.columns)


def may_need_libraries(distribution: Distribution) -> bool:
    """Whether a sample of this distribution can need frictionless or GX at all."""
    return distribution.protocol == Protocol.csv or bool(distribution.columns)


def needs_libraries(distribution: Distribution, rows: list[dict[str, Any]]) -> bool:
    return distribution.protocol == Protocol.csv or needs_expectations(distribution, rows)


@dataclass(frozen=True)
class _WithChecks:
    checker: QualityChecker
    checks: Mapping[int, Future[LibraryChecks]]

    def assess(self, fiche: Fiche, observation: Observation) -> DimensionResult:
        return self.checker.assess(fiche, observation, self.checks)


# One checker per worker process, made on its first sample: one GX context per
# worker and run, not one per sample.
_WORKER_CHECKER: QualityChecker | None = None


def _library_checks_in_worker(
    distribution: Distribution, rows: list[dict[str, Any]]
) -> LibraryChecks:
    global _WORKER_CHECKER
    with budget(WORKER_CPU_S, WORKER_MEMORY_BYTES):
        if _WORKER_CHECKER is None:
            _WORKER_CHECKER = QualityChecker()
        return _WORKER_CHECKER.library_checks(distribution, rows)


# What one sample may cost in a worker: CPU seconds (importing Great Expectations takes
# ~4 s the first time) and address space on top of what the worker already holds.
WORKER_CPU_S = 60
WORKER_MEMORY_BYTES = 1024 * 1024 * 1024
_NO_MEMORY = "het geheugen voor deze steekproef raakte op"


class OverBudget(Exception):
    """A sample used up its CPU time in a worker (message in Dutch)."""


@contextlib.contextmanager
def budget(cpu_s: int, memory_bytes: int) -> Iterator[None]:
    """Soft CPU and address-space limits for what runs inside, in this process.

    The CPU limit counts from what the process used so far, and its signal raises
    ``OverBudget`` in the main thread (frictionless and GX are pure Python, so it
    lands between two bytecodes); the address-space limit makes an allocation fail
    with MemoryError. Both go back to what they were afterwards, so the worker lives on.
    """
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = math.ceil(usage.ru_utime + usage.ru_stime)
    old_cpu = resource.getrlimit(resource.RLIMIT_CPU)
    old_as = resource.getrlimit(resource.RLIMIT_AS)
    old_handler = signal.getsignal(signal.SIGXCPU)

    def over(_signum: int, _frame: object) -> None:
        raise OverBudget(f"meer dan {cpu_s} s rekentijd voor deze steekproef")

    signal.signal(signal.SIGXCPU, over)
    resource.setrlimit(resource.RLIMIT_CPU, (_capped(used + cpu_s, old_cpu[1]), old_cpu[1]))
    vm = _address_space()
    if vm is not None:
        resource.setrlimit(resource.RLIMIT_AS, (_capped(vm + memory_bytes, old_as[1]), old_as[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_CPU, old_cpu)
        resource.setrlimit(resource.RLIMIT_AS, old_as)
        signal.signal(signal.SIGXCPU, old_handler)


def _capped(soft: int, hard: int) -> int:
    import resource

    return soft if hard == resource.RLIM_INFINITY else min(soft, hard)


def _address_space() -> int | None:
    """Bytes of address space this process maps now (Linux), or None."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


class QualityPool:
    """frictionless and Great Expectations in worker processes, beside the probing one.

    Both are pure Python: frictionless spends ~10 ms per sample on its metadata model
    and held the probing process's GIL for half of check(1000); Great Expectations
    takes 4 s to import and ~40 ms per sample. Worker processes run them on the other
    cores while the probes wait on the network. A worker that dies is reported on the
    samples it held (``assess`` records it as a tool error); the rest of the run checks
    in-process.
    """

    def __init__(self, workers: int):
        import multiprocessing

        # Forked where that is safe (check probes from other processes, so this one
        # has no thread yet): a spawned worker first spends 0.6 s of CPU starting
        # Python and importing datapedia, while the first samples wait.
        context = multiprocessing.get_context("fork" if can_fork() else "spawn")
        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            workers, mp_context=context, initializer=_ignore_ctrl_c
        )
        self._started = False

    def submit(self, fiche: Fiche, observation: Observation) -> dict[int, Future[LibraryChecks]]:
        """Start the library checks this fiche's samples need, by distribution index."""
        if self._pool is None:
            return {}
        futures = {}
        try:
            for e in observation.endpoints:
                distribution = fiche.distributions[e.distribution]
                if (
                    e.sample
                    and not e.skipped
                    and e.parsed
                    and needs_libraries(distribution, e.sample)
                ):
                    futures[e.distribution] = self._submit(distribution, e.sample)
        except BrokenProcessPool:
            self.close()
        return futures

    def _submit(self, distribution: Distribution, rows: list[dict[str, Any]]) -> Future:
        assert self._pool is not None
        if self._started:
            return self._pool.submit(_library_checks_in_worker, distribution, rows)
        # Forked workers start at the first submit, before the pool starts its thread.
        with heap_frozen():
            future = self._pool.submit(_library_checks_in_worker, distribution, rows)
        self._started = True
        return future

    def close(self, wait: bool = True) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> QualityPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        # After Ctrl-C no sample is waited for: a worker may still be importing GX (4 s).
        self.close(wait=not (kind and issubclass(kind, KeyboardInterrupt)))


def _ignore_ctrl_c() -> None:
    """Ctrl-C reaches every process of the terminal; the run stops these in its own time
    (as it does the probing processes) instead of each printing a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _rows_text(n: int) -> str:
    return count(n, "rij")
