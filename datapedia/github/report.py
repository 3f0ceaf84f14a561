"""A Markdown report of the diagnosis of some fiches: PR comments and job summaries.

Fiche text comes from pull requests and is posted by a job that holds a write
token, so everything taken from a fiche or a remote service goes through
``publish.escape``: no HTML, no links or images of the author's choosing, no
@-mentions, no references that GitHub would turn into cross-links (``#12``,
``org/repo#3``, ``GH-2``, bare URLs), no fake markers. ``run_report`` returns a
``ReportResult``; ``datapedia.cli`` prints it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from datapedia.load.fiches import load_repository
from datapedia.model.fiche import Fiche
from datapedia.model.results import Diagnosis, Dimension, Status
from datapedia.publish.escape import github_code_block, github_text
from datapedia.publish.paths import dataset_page
from datapedia.store.checks import SUMMARY, ChecksStore, HistoryEntry

EMOJI = {Status.ok: "🟢", Status.warn: "🟠", Status.fail: "🔴", Status.unknown: "⚪"}


def status_badge(status: Status) -> str:
    return f"{EMOJI[status]} {status.label}"


def dataset_url(site_url: str | None, fiche_id: str) -> str | None:
    """The dataset's page on the published site."""
    if not site_url:
        return None
    return f"{site_url.rstrip('/')}/{dataset_page(fiche_id)}"


def fiche_link(fiche: Fiche, site_url: str | None) -> str:
    title = github_text(fiche.title)
    url = dataset_url(site_url, fiche.id)
    return f"[{title}]({url})" if url else title


def dimension_section(diagnosis: Diagnosis, dimension: Dimension) -> str:
    """One dimension in full: status, summary, findings and the evidence behind it."""
    result = diagnosis.dimensions[dimension]
    lines = [
        f"**{dimension.label.capitalize()}**: {status_badge(result.status)}",
        "",
        github_text(result.summary),
    ]
    if result.findings:
        lines += ["", "Bevindingen: " + ", ".join(f"`{github_text(f)}`" for f in result.findings)]
    if result.evidence:
        lines += ["", github_code_block(result.evidence)]
    return "\n".join(lines)


def _change(current: Status, before: Status | None) -> str:
    """The emoji, preceded by the previous one when the status moved since the last check."""
    if before is None or before == current:
        return EMOJI[current]
    return f"{EMOJI[before]}→{EMOJI[current]}"


def _fiche_section(
    fiche: Fiche, diagnosis: Diagnosis | None, before: HistoryEntry | None, site_url: str | None
) -> str:
    head = f"### {fiche_link(fiche, site_url)} (`{fiche.id}`)"
    if diagnosis is None:
        return f"{head}\n\nNog geen diagnose: deze fiche werd nog niet gecontroleerd."
    lines = [
        head,
        "",
        f"Gecontroleerd op {format_time(diagnosis.checked_at)}; globaal oordeel: "
        f"{status_badge(diagnosis.overall)}"
        + (
            f" (vorige controle: {status_badge(before.overall)})."
            if before and before.overall != diagnosis.overall
            else "."
        ),
        "",
        "| dimensie | oordeel | samenvatting | bevindingen |",
        "|---|---|---|---|",
    ]
    for dimension in Dimension:
        result = diagnosis.dimensions[dimension]
        findings = ", ".join(f"`{github_text(f)}`" for f in result.findings) or "–"
        was = before.dimensions.get(dimension) if before else None
        verdict = status_badge(result.status)
        if was is not None and was != result.status:
            verdict += f" (was {was.label})"
        lines.append(
            f"| {dimension.label} | {verdict} | {github_text(result.summary)} | {findings} |"
        )
    return "\n".join(lines)


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def markdown_report(
    fiches: list[Fiche],
    diagnoses: dict[str, Diagnosis],
    site_url: str | None,
    previous: dict[str, HistoryEntry] | None = None,
    table_only: bool = False,
    not_rechecked: list[str] | None = None,
) -> str:
    """Overview table (one row per fiche, one column per dimension) plus a section per fiche.

    ``previous`` holds each fiche's check before the latest one, so a reader sees what
    moved: on a pull request that is the effect of the change, at night the last day's.
    ``table_only`` leaves out the sections: a job summary must stay under GitHub's 1 MiB
    with thousands of fiches (about 1 KB each in full, 0.2 KB as a row).
    ``not_rechecked`` are the fiches of a shard that delivered nothing tonight.
    """
    previous = previous or {}
    if not fiches:
        return "## Diagnose\n\nGeen fiches om te rapporteren.\n"
    header = "| dataset | globaal | " + " | ".join(d.label for d in Dimension) + " |"
    lines = ["## Diagnose van de fiches", ""]
    if not_rechecked:
        lines += [
            "**Onvolledige nacht**: niet opnieuw gecontroleerd, met hun vorige diagnose: "
            + ", ".join(f"`{github_text(fid)}`" for fid in not_rechecked)
            + ".",
            "",
        ]
    lines += [
        header,
        "|" + "---|" * (len(Dimension) + 2),
    ]
    for fiche in fiches:
        diagnosis, before = diagnoses.get(fiche.id), previous.get(fiche.id)
        if diagnosis is None:
            cells = [EMOJI[Status.unknown]] * (len(Dimension) + 1)
        else:
            cells = [status_badge(diagnosis.overall)] + [
                _change(diagnosis.dimensions[d].status, before and before.dimensions.get(d))
                for d in Dimension
            ]
        lines.append(f"| {fiche_link(fiche, site_url)} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Legende: "
        + ", ".join(status_badge(s) for s in Status)
        + f"; {EMOJI[Status.ok]}→{EMOJI[Status.fail]}: veranderd sinds de vorige controle.",
        "",
    ]
    if table_only:
        return "\n".join([*lines, "Het volledige rapport staat in het artefact van de run.", ""])
    for fiche in fiches:
        section = _fiche_section(fiche, diagnoses.get(fiche.id), previous.get(fiche.id), site_url)
        lines += [section, ""]
    return "\n".join(lines)


def _not_rechecked(checks_dir: Path) -> list[str]:
    """The fiches the last night could not re-check (``summary.json``, ``incomplete``)."""
    try:
        summary = json.loads((checks_dir / SUMMARY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []  # no summary yet, or one that says nothing: nothing to flag
    incomplete = summary.get("incomplete") if isinstance(summary, dict) else None
    return list(incomplete.get("not_rechecked", [])) if isinstance(incomplete, dict) else []


@dataclass
class ReportResult:
    """The report's Markdown, where it was written (None: the caller shows it), the
    problems met on the way and the asked ids that have no fiche."""

    markdown: str
    output: Path | None = None
    warnings: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def _previous_checks(store: ChecksStore, diagnoses: dict[str, Diagnosis]) -> dict:
    previous = {}
    for fid, diagnosis in diagnoses.items():
        # The last history line is the latest diagnosis itself; the one before is the
        # previous check.
        earlier = [h for h in store.read_history(fid) if h.checked_at < diagnosis.checked_at]
        if earlier:
            previous[fid] = earlier[-1]
    return previous


def run_report(
    root: Path,
    checks_dir: Path,
    only: list[str],
    output: Path | None,
    site_url: str | None = None,
    table_only: bool = False,
) -> ReportResult:
    """``datapedia report``: the Markdown of the asked fiches (all when ``only`` is empty),
    written to ``output`` when given (a job summary, a PR comment's file)."""
    loaded = load_repository(root)
    warnings = [str(problem) for problem in loaded.problems]
    by_id = {item.fiche.id: item.fiche for item in loaded.fiches}
    unknown = sorted(set(only) - set(by_id))
    warnings += [f"geen fiche met id '{fiche_id}'" for fiche_id in unknown]
    ids = sorted(set(only) & set(by_id)) if only else sorted(by_id)
    store = ChecksStore(checks_dir)
    diagnoses = {fid: d for fid in ids if (d := store.read_latest(fid)) is not None}
    text = markdown_report(
        [by_id[fid] for fid in ids],
        diagnoses,
        site_url,
        _previous_checks(store, diagnoses),
        table_only,
        [] if only else _not_rechecked(checks_dir),
    )
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    return ReportResult(text, output, warnings, unknown)
