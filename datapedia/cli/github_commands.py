"""The handlers of ``datapedia report`` and ``datapedia issues sync``: they call the
GitHub step, print what it returns and map it to an exit code."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime

from datapedia.cli.exit_codes import EXIT_BROKEN, EXIT_FAILED, EXIT_OK
from datapedia.github.result import Note
from datapedia.model import words


def report(args: argparse.Namespace) -> int:
    """0 written; 1 an asked id has no fiche."""
    from datapedia.github.report import run_report

    result = run_report(
        root=args.root,
        checks_dir=args.checks or args.root / "checks",
        only=args.only or [],
        output=args.output,
        site_url=os.environ.get("DATAPEDIA_SITE_URL"),
        table_only=args.table,
    )
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    if result.output is None:
        sys.stdout.write(result.markdown)
    return EXIT_FAILED if result.unknown else EXIT_OK


def _print_note(note: Note) -> None:
    print(note.text, file=sys.stderr if note.warning else sys.stdout)


def issues_sync(args: argparse.Namespace, now: datetime) -> int:
    """0 synced; 1 API errors, stopped by a limit or unreadable input; 2 cannot run."""
    from datapedia.github.issues import CannotSync, run_sync

    try:
        result = run_sync(
            root=args.root,
            checks_dir=args.checks or args.root / "checks",
            repo=args.repo,
            api_url=args.api_url,
            token=os.environ.get("GITHUB_TOKEN") or None,
            site_url=args.site_url,
            dry_run=args.dry_run,
            now=now,
            listener=_print_note,
        )
    except CannotSync as error:
        print(error, file=sys.stderr)
        return EXIT_BROKEN
    print(
        f"issues: {len(result.opened)} geopend, {len(result.reopened)} heropend, "
        f"{len(result.commented)} met reactie, {len(result.closed)} gesloten, "
        f"{words.count(len(result.errors), 'fout')}"
        + (" (droog: niets gewijzigd)" if result.dry_run else "")
        + (" (gestopt: de rest volgt de volgende nacht)" if result.stopped else "")
    )
    return EXIT_OK if result.complete else EXIT_FAILED
