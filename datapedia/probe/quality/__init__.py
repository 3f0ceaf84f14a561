"""Completeness measurements on the sampled records: frictionless and Great Expectations.

``tables`` validates tabular samples with frictionless, ``expectations`` checks the
column rules a fiche declares with Great Expectations (each behind a cheap screen), and
``checks`` runs them for a run: in this process (``QualityChecker``) or in bounded
worker processes (``QualityPool``, through ``datapedia.util.parallel``). They measure
only (``LibraryChecks``); the completeness judge turns what they found into findings.
"""

from __future__ import annotations

from datapedia.probe.quality.checks import (
    WORKER_BUDGET,
    QualityChecker,
    QualityPool,
    WithChecks,
    may_need_libraries,
    needs_libraries,
)

__all__ = [
    "WORKER_BUDGET",
    "QualityChecker",
    "QualityPool",
    "WithChecks",
    "may_need_libraries",
    "needs_libraries",
]
