"""``datapedia build`` and ``datapedia serve``: render, run mkdocs, add the machine-readable files.

mkdocs is driven through its Python API (no subprocess) so a strict failure is an
exception we can turn into a clear message and exit code.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import datetime
from pathlib import Path

from datapedia.cli.exit_codes import EXIT_BROKEN, EXIT_FAILED, EXIT_OK
from datapedia.cli.problems import print_problems
from datapedia.publish.badge import status_badge
from datapedia.publish.render import Entry, RenderReport, dataset_page, load_entries, render_site
from datapedia.util.files import atomic_write


def _render(root: Path, checks_dir: Path, now: datetime) -> RenderReport | None:
    """Render the Markdown; a broken fiche is left out and reported, not fatal."""
    try:
        report = render_site(root, checks_dir, now)
    except ValueError as error:  # an unreadable checks/ file
        print(f"checks/ is niet leesbaar: {error}", file=sys.stderr)
        return None
    print_problems(report.problems, "die fiches staan niet op de site (zie datapedia validate)")
    print(f"Markdown: {report}")
    return report


class _WarningCounter(logging.Handler):
    """mkdocs reports strict problems as log warnings; keep them to repeat at the end."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run_build(
    root: Path,
    checks_dir: Path,
    site_dir: Path | None,
    now: datetime,
    render_only: bool,
    strict: bool,
) -> int:
    root = Path(root)
    report = _render(root, Path(checks_dir), now)
    if report is None:
        return EXIT_BROKEN
    done = EXIT_FAILED if report.problems else EXIT_OK
    if render_only:
        return done

    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    out = Path(site_dir) if site_dir else root / "public"
    counter = _WarningCounter()
    mkdocs_logger = logging.getLogger("mkdocs")
    mkdocs_logger.addHandler(counter)
    try:
        config = load_config(
            config_file=str(root / "mkdocs.yml"), site_dir=str(out.resolve()), strict=strict
        )
        build(config)
    except (Abort, ConfigurationError) as error:
        details = "\n".join(f"  - {m}" for m in counter.messages)
        print(
            f"mkdocs build mislukt{' (strikte modus)' if strict else ''}: {error}\n{details}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    finally:
        mkdocs_logger.removeHandler(counter)
    # rdflib only now: it costs ~0.1 s to import, and --render-only never needs it.
    from datapedia.publish.catalogue.dcat import DEFAULT_SITE_URL

    site_url = config.get("site_url") or None
    if not (site_url or os.environ.get("DATAPEDIA_SITE_URL")):
        print(
            f"Let op: geen site_url of DATAPEDIA_SITE_URL; de URI's in catalog.ttl beginnen "
            f"met {DEFAULT_SITE_URL}",
            file=sys.stderr,
        )
    write_machine_outputs(root, Path(checks_dir), out, site_url, report.entries)
    print(f"Site opgebouwd in {out}")
    return done


def write_machine_outputs(
    root: Path,
    checks_dir: Path,
    out: Path,
    site_url: str | None,
    entries: list[Entry] | None = None,
) -> None:
    """The catalogue (``publish.catalogue.publish``), status/<id>.json and badges/<id>.svg.

    ``entries`` are the ones the render step just loaded; only a standalone call loads them.
    """
    from datapedia.publish.catalogue.dcat import site_base
    from datapedia.publish.catalogue.publish import write_catalogue

    if entries is None:
        entries, _ = load_entries(root, checks_dir)
    diagnoses = {e.id: e.diagnosis for e in entries if e.diagnosis}
    histories = ((e.id, e.history) for e in entries)
    write_catalogue(out, [e.fiche for e in entries], diagnoses, histories, site_url)
    base = site_base(site_url)
    for folder in ("status", "badges"):
        for stale in (out / folder).glob("*"):
            stale.unlink()
    for entry in entries:
        status = {
            "id": entry.id,
            "title": entry.fiche.title,
            "owner": entry.fiche.owner.name,
            "theme": entry.fiche.theme.value,
            "checked_at": entry.diagnosis.checked_at.isoformat() if entry.diagnosis else None,
            "overall": entry.overall.value,
            "verdict": entry.verdict.value,
            "verdict_label": entry.verdict.label,
            "dimensions": {d.value: entry.status(d).value for d in entry.diagnosis.dimensions}
            if entry.diagnosis
            else {},
            "page": base + dataset_page(entry.id),
        }
        atomic_write(
            out / "status" / f"{entry.id}.json",
            json.dumps(status, ensure_ascii=False, indent=2).encode() + b"\n",
        )
        atomic_write(
            out / "badges" / f"{entry.id}.svg",
            status_badge("datapedia", entry.overall).encode(),
        )


def run_serve(root: Path, checks_dir: Path, now: datetime, address: str) -> int:
    from datapedia.util.watch import RenderOnChange

    root, checks_dir = Path(root), Path(checks_dir)
    if _render(root, checks_dir, now) is None:
        return EXIT_BROKEN
    from mkdocs.commands.serve import serve

    def again() -> None:
        print("fiches/ of checks/ gewijzigd: de pagina's worden opnieuw gemaakt.", flush=True)
        _render(root, checks_dir, now)

    stop_watching = RenderOnChange([root / "fiches", checks_dir], again).start()
    print(
        f"De site staat op http://{address}/ en volgt fiches/ en checks/ (Ctrl-C stopt).",
        flush=True,
    )
    try:
        serve(config_file=str(root / "mkdocs.yml"), dev_addr=address, livereload=True)
    finally:
        stop_watching()
    return EXIT_OK
