"""Running frictionless and Great Expectations on samples: here, or in bounded workers.

A ``QualityChecker`` is made once per run and measures one sample at a time
(``check``); the completeness judge asks it through ``library_checks`` and turns the
answer into findings. A ``QualityPool`` runs the same checks in worker processes
beside the probing one, each with its own checker (one Great Expectations context per
worker and run) and each sample under ``WORKER_BUDGET``: a sample over it is
``over_budget`` (VOL-10), and the worker lives on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from datapedia.model.fiche import Distribution, Fiche, Protocol
from datapedia.model.results import Observation
from datapedia.model.samples import LibraryChecks, narrow
from datapedia.model.thresholds import THRESHOLDS, Thresholds
from datapedia.probe.quality.expectations import Expectations, ephemeral_context, may_break
from datapedia.probe.quality.tables import frictionless_errors
from datapedia.util.parallel.budget import Budget, OverBudget
from datapedia.util.parallel.pool import WorkerPool

# What one sample may cost in a worker: CPU seconds (the first import of Great
# Expectations is part of it) and address space on top of what the worker holds.
WORKER_BUDGET = Budget(cpu_s=60, memory_bytes=1024 * 1024 * 1024)
_NO_MEMORY = "het geheugen voor deze steekproef raakte op"


class QualityChecker:
    """frictionless and Great Expectations for one run; ``check`` per sample."""

    def __init__(
        self,
        thresholds: Thresholds = THRESHOLDS,
        context_factory: Callable[[], Any] = ephemeral_context,
    ):
        self.thresholds = thresholds
        self.expectations = Expectations(context_factory)

    def with_checks(self, checks: Mapping[int, Future[LibraryChecks]]) -> WithChecks:
        """This checker, for one fiche whose samples a ``QualityPool`` is checking."""
        return WithChecks(self, checks)

    def library_checks(
        self, index: int, distribution: Distribution, rows: list[dict[str, Any]]
    ) -> LibraryChecks:
        """``SampleChecks`` for the completeness judge: checked here and now."""
        return self.check(distribution, rows)

    def check(self, distribution: Distribution, rows: list[dict[str, Any]]) -> LibraryChecks:
        """What frictionless and Great Expectations say of one sample, when needed.

        frictionless judges tabular files (CSV downloads); JSON API records are covered
        by the column profile, and validating them too cost time for nothing the
        profile does not already say (bench/RESULTS.md). Great Expectations runs when
        the screen says a declared rule may break. A library failing on odd data must
        not stop the night's run: its error is recorded.
        """
        checks = LibraryChecks()
        rows = narrow(rows, self.thresholds.max_columns, {c.name for c in distribution.columns})
        try:
            if distribution.protocol == Protocol.csv:
                checks.errors, checks.bad_rows = _recorded(
                    checks, "frictionless", frictionless_errors, rows, default=({}, 0)
                )
            if needs_expectations(distribution, rows):
                checks.failed = _recorded(
                    checks,
                    "great_expectations",
                    self.expectations.failed,
                    rows,
                    distribution.columns,
                    default=[],
                )
        except OverBudget as error:
            checks.over_budget = str(error)
        except MemoryError:
            checks.over_budget = _NO_MEMORY
        return checks


def _recorded(checks: LibraryChecks, tool: str, func: Callable, *args: Any, default: Any) -> Any:
    """``func(*args)``; a failure is recorded as a tool error and gives ``default``."""
    try:
        return func(*args)
    except (OverBudget, MemoryError):
        raise
    except Exception as error:
        checks.tool_errors.append(f"{tool}: {type(error).__name__}: {error}")
        return default


def needs_expectations(distribution: Distribution, rows: list[dict[str, Any]]) -> bool:
    return any(may_break(rows, column) for column in distribution.columns)


def may_need_libraries(distribution: Distribution) -> bool:
    """Whether a sample of this distribution can need frictionless or GX at all."""
    return distribution.protocol == Protocol.csv or bool(distribution.columns)


def needs_libraries(distribution: Distribution, rows: list[dict[str, Any]]) -> bool:
    return distribution.protocol == Protocol.csv or needs_expectations(distribution, rows)


@dataclass(frozen=True)
class WithChecks:
    """``SampleChecks`` from checks a ``QualityPool`` started; the rest checked here."""

    checker: QualityChecker
    checks: Mapping[int, Future[LibraryChecks]]

    def library_checks(
        self, index: int, distribution: Distribution, rows: list[dict[str, Any]]
    ) -> LibraryChecks:
        pending = self.checks.get(index)
        if pending is None:
            return self.checker.check(distribution, rows)
        try:
            return pending.result()
        except Exception as error:  # the worker process died under this sample
            return LibraryChecks(tool_errors=[f"werkproces: {type(error).__name__}: {error}"])


def _check_in_worker(
    checker: QualityChecker, distribution: Distribution, rows: list[dict[str, Any]]
) -> LibraryChecks:
    return checker.check(distribution, rows)


class QualityPool:
    """frictionless and Great Expectations in worker processes, beside the probing one.

    Both are pure Python and held the probing process's GIL; worker processes run
    them on the other cores while the probes wait on the network. A worker that dies
    is reported on the samples it held (as a tool error); the rest of the run checks
    in-process.
    """

    def __init__(self, workers: int):
        self.workers: WorkerPool[QualityChecker] = WorkerPool(
            workers, QualityChecker, WORKER_BUDGET
        )

    def submit(self, fiche: Fiche, observation: Observation) -> dict[int, Future[LibraryChecks]]:
        """Start the library checks this fiche's samples need, by distribution index."""
        futures = {}
        for e in observation.endpoints:
            distribution = fiche.distributions[e.distribution]
            if e.sample and not e.skipped and e.parsed and needs_libraries(distribution, e.sample):
                future = self.workers.submit(_check_in_worker, distribution, e.sample)
                if future is None:  # the pool broke: the judge checks these here
                    return futures
                futures[e.distribution] = future
        return futures

    def close(self, wait: bool = True) -> None:
        self.workers.close(wait)

    def __enter__(self) -> QualityPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self.workers.__exit__(kind, *exc)
