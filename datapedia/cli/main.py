"""The ``datapedia`` command: a thin layer over the library.

Heavy modules (probes, Great Expectations, mkdocs) are imported inside the
commands that need them so ``datapedia validate`` stays fast in editors and CI.
Everything it prints is Dutch, argparse's own words included (``argparse_nl``).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from datapedia.cli import check, fiche_commands
from datapedia.cli.argparse_nl import dutch
from datapedia.cli.exit_codes import EXIT_BROKEN
from datapedia.cli.parser import COMMANDS, build_parser, command_name, command_table
from datapedia.cli.parser import run_now as _now

__all__ = ["COMMANDS", "build_parser", "command_table", "find_root", "main"]

# What makes a folder a datapedia repository (its root).
REPOSITORY_MARKERS = ("mkdocs.yml", "fiches")


class NotARepository(Exception):
    """The command needs a datapedia repository and there is none; the message says so."""


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds ``mkdocs.yml`` or ``fiches/``."""
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in REPOSITORY_MARKERS):
            return folder
    return None


def _repository(given: Path | None, cwd: Path, near: list[str]) -> Path:
    """The repository root: ``given`` (--root), else found from ``cwd`` or, failing that,
    from the first of ``near`` (the files a command was given)."""
    if given is not None:
        root = given.resolve()
        if not any((root / marker).exists() for marker in REPOSITORY_MARKERS):
            raise NotARepository(
                f"{root} is geen datapedia-repository: er staat geen mkdocs.yml of fiches/ in."
            )
        return root
    root = find_root(cwd.resolve())
    if root is None and near:
        root = find_root(Path(near[0]).resolve())
    if root is None:
        raise NotARepository(
            f"geen datapedia-repository gevonden in {cwd} of een map erboven (een repository "
            "heeft mkdocs.yml of fiches/). Ga naar de repository of geef --root MAP."
        )
    return root


def _cmd_build(args: argparse.Namespace) -> int:
    from datapedia.cli.site import build

    return build(
        root=args.root,
        checks_dir=args.checks or args.root / "checks",
        site_dir=args.site_dir,
        now=_now(args.now),
        render_only=args.render_only,
        strict=not args.no_strict,
    )


def _cmd_serve(args: argparse.Namespace) -> int:
    from datapedia.cli.site import serve

    return serve(
        root=args.root,
        checks_dir=args.checks or args.root / "checks",
        now=_now(args.now),
        address=args.address,
    )


def _cmd_report(args: argparse.Namespace) -> int:
    from datapedia.cli.github_commands import report

    return report(args)


def _cmd_issues_sync(args: argparse.Namespace) -> int:
    from datapedia.cli.github_commands import issues_sync

    return issues_sync(args, _now(args.now))


# The handler of each command in ``COMMANDS``: parse -> call the library -> print -> exit code.
HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "validate": fiche_commands.validate,
    "new": fiche_commands.new,
    "schema": fiche_commands.schema,
    "check": check.check,
    "merge": check.merge,
    "build": _cmd_build,
    "serve": _cmd_serve,
    "report": _cmd_report,
    "codeowners": fiche_commands.codeowners,
    "issues sync": _cmd_issues_sync,
    "readme": fiche_commands.readme,
    "docs": fiche_commands.docs,
}


def main(argv: list[str] | None = None) -> int:
    with dutch():
        args = build_parser().parse_args(argv)
    command = command_name(args)
    name = f"datapedia {command}"
    try:
        args.root = _repository(args.root, Path.cwd(), getattr(args, "paths", []))
    except NotARepository as error:
        # A draft fiche can be validated anywhere, only without the repository's checks.
        if not (args.command == "validate" and args.paths and args.root is None):
            print(f"{name}: {error}", file=sys.stderr)
            return EXIT_BROKEN
        print(
            f"{name}: let op: {error} De id's worden niet met andere fiches vergeleken.",
            file=sys.stderr,
        )
        args.root = None
    try:
        return HANDLERS[command](args)
    except KeyboardInterrupt as interrupt:
        kept = getattr(interrupt, "kept", None)
        print(f"{name}: onderbroken (Ctrl-C){'; ' + kept if kept else '.'}", file=sys.stderr)
        _exit_without_waiting(EXIT_BROKEN)
        return EXIT_BROKEN


def _exit_without_waiting(code: int) -> None:
    """Exit now when probe threads are left: after Ctrl-C one can be waiting on a server
    for its whole timeout, and Python joins such threads before it exits."""
    if any(t.name.startswith("probe") and t.is_alive() for t in threading.enumerate()):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
