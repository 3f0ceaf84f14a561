"""What ``datapedia build`` and ``datapedia serve`` print, and their exit codes.

The library (``datapedia.publish.build``) returns a ``BuildResult`` or raises a
``BuildError``; this module says them in Dutch and maps them to an exit code.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from datapedia.cli.exit_codes import EXIT_BROKEN, EXIT_FAILED, EXIT_OK
from datapedia.cli.problems import print_problems
from datapedia.publish.build import (
    BuildError,
    BuildEvents,
    ChecksUnreadable,
    run_build,
    run_serve,
)
from datapedia.publish.outputs import RenderReport


class PrintedEvents(BuildEvents):
    def rendered(self, report: RenderReport) -> None:
        print_problems(
            report.problems + report.quarantined,
            "die fiches staan niet op de site (zie datapedia validate)",
        )
        print(f"Markdown: {report}")

    def render_failed(self, error: BuildError) -> None:
        print(error, file=sys.stderr)

    def changed(self) -> None:
        print("fiches/ of checks/ gewijzigd: de pagina's worden opnieuw gemaakt.", flush=True)

    def serving(self, address: str) -> None:
        print(
            f"De site staat op http://{address}/ en volgt fiches/ en checks/ (Ctrl-C stopt).",
            flush=True,
        )


def build(root: Path, checks_dir: Path, site_dir: Path | None, now: datetime, **options) -> int:
    """``options``: ``render_only`` and ``strict`` of ``run_build``."""
    try:
        result = run_build(root, checks_dir, site_dir, now, events=PrintedEvents(), **options)
    except ChecksUnreadable as error:
        print(error, file=sys.stderr)
        return EXIT_BROKEN
    except BuildError as error:
        print(error, file=sys.stderr)
        return EXIT_FAILED
    for warning in result.warnings:
        print(f"Let op: {warning}", file=sys.stderr)
    if result.site_dir is not None:
        print(f"Site opgebouwd in {result.site_dir}")
    return EXIT_OK if result.complete else EXIT_FAILED


def serve(root: Path, checks_dir: Path, now: datetime, address: str) -> int:
    try:
        run_serve(root, checks_dir, now, address, PrintedEvents())
    except BuildError as error:
        print(error, file=sys.stderr)
        return EXIT_BROKEN
    return EXIT_OK
