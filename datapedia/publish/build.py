"""``datapedia build`` and ``datapedia serve``: render, run mkdocs, add the machine-readable files.

mkdocs is driven through its Python API (no subprocess) so a strict failure is an
exception we can turn into a typed error. Nothing here prints: a build returns a
``BuildResult`` and raises a ``BuildError``; the CLI says them and picks the exit code.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from datapedia.publish.badge import status_badge
from datapedia.publish.entries import Entry, load_entries
from datapedia.publish.outputs import RenderReport
from datapedia.publish.paths import dataset_page
from datapedia.publish.render import render_site
from datapedia.util.files import atomic_write


class BuildError(Exception):
    """The site could not be built; the message says why (Dutch)."""


class ChecksUnreadable(BuildError):
    """A file in checks/ cannot be read: nothing was rendered."""

    def __init__(self, error: ValueError) -> None:
        super().__init__(f"checks/ is niet leesbaar: {error}")


class MkdocsFailed(BuildError):
    """mkdocs stopped (in strict mode: on a warning); its warnings are repeated."""

    def __init__(self, error: Exception, strict: bool, warnings: list[str]) -> None:
        details = "\n".join(f"  - {m}" for m in warnings)
        super().__init__(
            f"mkdocs build mislukt{' (strikte modus)' if strict else ''}: {error}\n{details}"
        )
        self.warnings = warnings


@dataclass
class BuildResult:
    render: RenderReport
    site_dir: Path | None = None  # None when only the Markdown was rendered
    warnings: list[str] = field(default_factory=list)  # for the reader, Dutch

    @property
    def pages_written(self) -> list[str]:
        return self.render.pages_written()

    @property
    def problems(self) -> list[str]:
        """Fiches left out of the site, and checks/ files set aside (see ``quarantined``)."""
        return self.render.problems + self.render.quarantined

    @property
    def quarantined(self) -> list[str]:
        return self.render.quarantined

    @property
    def complete(self) -> bool:
        """Every fiche is on the site with its latest check."""
        return not self.problems


class BuildEvents:
    """What a build or serve reports while it runs; the CLI prints it. These say nothing."""

    def rendered(self, report: RenderReport) -> None:
        """The Markdown was (re)written."""

    def render_failed(self, error: BuildError) -> None:
        """A render while serving failed; serving goes on with the pages of before."""

    def changed(self) -> None:
        """fiches/ or checks/ changed while serving: a new render starts."""

    def serving(self, address: str) -> None:
        """The site is served at ``address`` and follows fiches/ and checks/."""


def _render(root: Path, checks_dir: Path, now: datetime) -> RenderReport:
    """Render the Markdown; a broken fiche is left out and reported, not fatal."""
    try:
        return render_site(root, checks_dir, now)
    except ValueError as error:  # an unreadable checks/ file
        raise ChecksUnreadable(error) from error


class _WarningCounter(logging.Handler):
    """mkdocs reports strict problems as log warnings; keep them to repeat at the end."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _mkdocs(root: Path, out: Path, strict: bool):
    """Build the HTML with mkdocs; its configuration, or ``MkdocsFailed``."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    counter = _WarningCounter()
    mkdocs_logger = logging.getLogger("mkdocs")
    mkdocs_logger.addHandler(counter)
    try:
        config = load_config(
            config_file=str(root / "mkdocs.yml"), site_dir=str(out.resolve()), strict=strict
        )
        build(config)
    except (Abort, ConfigurationError) as error:
        raise MkdocsFailed(error, strict, counter.messages) from error
    finally:
        mkdocs_logger.removeHandler(counter)
    return config


def run_build(
    root: Path,
    checks_dir: Path,
    site_dir: Path | None,
    now: datetime,
    render_only: bool,
    strict: bool,
    events: BuildEvents | None = None,
) -> BuildResult:
    root, checks_dir = Path(root), Path(checks_dir)
    report = _render(root, checks_dir, now)
    (events or BuildEvents()).rendered(report)
    result = BuildResult(report)
    if render_only:
        return result
    out = Path(site_dir) if site_dir else root / "public"
    config = _mkdocs(root, out, strict)
    # rdflib only now: it is slow to import, and --render-only never needs it.
    from datapedia.publish.catalogue.dcat import DEFAULT_SITE_URL

    site_url = config.get("site_url") or None
    if not (site_url or os.environ.get("DATAPEDIA_SITE_URL")):
        result.warnings.append(
            f"geen site_url of DATAPEDIA_SITE_URL; de URI's in catalog.ttl beginnen "
            f"met {DEFAULT_SITE_URL}"
        )
    write_machine_outputs(root, checks_dir, out, site_url, report.entries)
    result.site_dir = out
    return result


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
        entries, _, _ = load_entries(root, checks_dir)
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


def run_serve(
    root: Path, checks_dir: Path, now: datetime, address: str, events: BuildEvents
) -> None:
    """Render, serve with mkdocs and render again whenever fiches/ or checks/ change.

    A first render that fails raises ``ChecksUnreadable``; later ones go to ``events``."""
    from datapedia.util.watch import RenderOnChange

    root, checks_dir = Path(root), Path(checks_dir)
    events.rendered(_render(root, checks_dir, now))
    from mkdocs.commands.serve import serve

    def again() -> None:
        events.changed()
        try:
            events.rendered(_render(root, checks_dir, now))
        except BuildError as error:
            events.render_failed(error)

    stop_watching = RenderOnChange([root / "fiches", checks_dir], again).start()
    events.serving(address)
    try:
        serve(config_file=str(root / "mkdocs.yml"), dev_addr=address, livereload=True)
    finally:
        stop_watching()
