"""Volledigheid: missing values and broken rules in the sample the probe kept.

Three independent measurements, each on the bounded sample the probe kept
(``EndpointObservation.sample``, at most ``THRESHOLDS.sample_rows`` flat rows):

* per-column missing counts (``ColumnProfile``), always; a value is missing when it
  is absent from the row, null, NaN or a blank string;
* **frictionless** structural errors by type for tabular files (``csv``), and
* **Great Expectations** on what the fiche declares per column (``columns``:
  required, not_null, min/max, values).

The libraries run in ``datapedia.probe.quality``, handed in as ``SampleChecks``: this
judge stays free of them and only reads their ``LibraryChecks``. Judgement
(thresholds from ``THRESHOLDS``): a required column absent from every row is VOL-04
(fail); a not_null column with a share of nulls of at least
``missing_warn_ratio``/``missing_fail_ratio`` is VOL-02/VOL-03, and every failed
expectation is VOL-05 with Great Expectations' unexpected count; rows with a
frictionless error are VOL-06 (fail) from ``missing_fail_ratio`` of the sample on,
else VOL-09 (warn). Nothing wrong is VOL-01; no sample VOL-07; no records VOL-08; a
body, record or sample too large or complex to judge within its limits VOL-10.
Undeclared columns are profiled in the evidence but not judged: an optional field
that is often empty is no defect. The evidence adds what the sample was: how many
rows of how many, taken from head, tail and middle.
"""

from __future__ import annotations

from typing import Any, Protocol

from datapedia.judge.common import judged, measured, say
from datapedia.model.fiche import Distribution, Fiche
from datapedia.model.results import DimensionResult, EndpointObservation, Observation
from datapedia.model.samples import LibraryChecks, narrow, profile_columns
from datapedia.model.thresholds import THRESHOLDS, Thresholds
from datapedia.model.words import count, percent, show

FINDINGS = (
    "VOL-01",
    "VOL-02",
    "VOL-03",
    "VOL-04",
    "VOL-05",
    "VOL-06",
    "VOL-07",
    "VOL-08",
    "VOL-09",
    "VOL-10",
)


_TOOL_ERROR_CHARS = 300

_EXPECTATION_LABELS = {
    "expect_column_values_to_not_be_null": "niet leeg",
    "expect_column_values_to_be_between": "tussen {min} en {max}",
    "expect_column_values_to_be_in_set": "toegelaten waarde",
}


class SampleChecks(Protocol):
    """What frictionless and Great Expectations say of the sample of one distribution."""

    def library_checks(
        self, index: int, distribution: Distribution, rows: list[dict[str, Any]]
    ) -> LibraryChecks: ...


def sample_size(observation: Observation) -> str | None:
    """'1.000 van 5.000 rijen (begin, einde en midden)', or None when nothing was sampled."""
    parts = []
    for e in measured(observation):
        if e.rows_sampled is None or e.records is None:
            continue
        if e.rows_sampled >= e.records:
            parts.append(f"{e.title}: {count(e.records, 'rij')} (volledig)")
        else:
            parts.append(
                f"{e.title}: {count(e.rows_sampled, 'rij')} van {e.records} "
                "(begin, einde en een vaste willekeurige greep uit het midden)"
            )
    return "; ".join(parts) or None


def completeness(
    fiche: Fiche,
    observation: Observation,
    checks: SampleChecks,
    thresholds: Thresholds = THRESHOLDS,
) -> DimensionResult:
    texts: list[tuple[str, str]] = []  # (finding id, Dutch text)
    samples: list[dict[str, Any]] = []
    for endpoint in measured(observation):
        if endpoint.too_complex:
            texts.append(say("VOL-10", reason=endpoint.too_complex))
        if not endpoint.parsed:
            continue
        distribution = fiche.distributions[endpoint.distribution]
        evidence, found = _judge_endpoint(distribution, endpoint, checks, thresholds)
        if evidence is not None:
            samples.append(evidence)
            texts += found
    if not samples:
        return judged(texts or [say("VOL-07")], {})
    rows = sum(s["rows"] for s in samples)
    result = judged(texts or [say("VOL-01", rows=_rows(rows))], {"rows": rows, "samples": samples})
    size = sample_size(observation)
    if size:
        result = result.model_copy(update={"evidence": {**result.evidence, "sample": size}})
    return result


def too_complex(observation: Observation) -> DimensionResult | None:
    """VOL-10 when a body was over a limit and nothing else could be read; else None."""
    texts = [say("VOL-10", reason=e.too_complex) for e in measured(observation) if e.too_complex]
    return judged(texts, {}) if texts else None


def _judge_endpoint(
    distribution: Distribution,
    endpoint: EndpointObservation,
    checks: SampleChecks,
    t: Thresholds,
) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
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
        found.append(
            say("VOL-10", reason=f"records met meer dan {n} velden; de eerste {n} nagekeken")
        )
    profiles = profile_columns(rows, [c.name for c in declared if c.required])
    verdict = checks.library_checks(endpoint.distribution, distribution, rows)
    if verdict.over_budget:
        found.append(say("VOL-10", reason=verdict.over_budget))
    present = {p.name for p in profiles if p.present}
    found += [
        say("VOL-04", column=c.name) for c in declared if c.required and c.name not in present
    ]
    found += _expectation_findings(verdict.failed, len(rows), t)
    if verdict.bad_rows:
        listing = ", ".join(f"{n}× {kind}" for kind, n in verdict.errors.items())
        fid = "VOL-06" if verdict.bad_rows / len(rows) >= t.missing_fail_ratio else "VOL-09"
        found.append(say(fid, errors=listing, bad=verdict.bad_rows, rows=_rows(len(rows))))
    evidence = {
        "title": endpoint.title,
        "rows": len(rows),
        "records": endpoint.records,
        "missing_pct": {
            p.name: round(100 * p.missing / p.rows, 1) if p.rows else 0.0 for p in profiles
        },
        "absent_columns": [p.name for p in profiles if not p.present],
        "expectations_failed": verdict.failed,
        "frictionless_errors": verdict.errors,
        "frictionless_rows_with_errors": verdict.bad_rows,
        "tool_errors": [error[:_TOOL_ERROR_CHARS] for error in verdict.tool_errors],
    }
    return evidence, found


def _expectation_findings(
    failed: list[dict[str, Any]], rows: int, t: Thresholds
) -> list[tuple[str, str]]:
    found = []
    for item in failed:
        if item["expectation"] == "expect_column_to_exist":
            continue  # reported as VOL-04 from the profile
        share = (item["unexpected"] or 0) / max(item["rows"] or rows, 1)
        if item["expectation"] == "expect_column_values_to_not_be_null" and (
            share >= t.missing_warn_ratio
        ):
            fid = "VOL-03" if share >= t.missing_fail_ratio else "VOL-02"
            found.append(
                say(fid, pct=percent(100 * share), column=item["column"], rows=_rows(rows))
            )
        label = _EXPECTATION_LABELS.get(item["expectation"], item["expectation"])
        found.append(
            say(
                "VOL-05",
                expectation=label.format(min=show(item["min"]), max=show(item["max"])),
                column=item["column"],
                unexpected="?" if item["unexpected"] is None else item["unexpected"],
                rows=_rows(item["rows"]),
            )
        )
    return found


def _rows(n: int) -> str:
    return count(n, "rij")
