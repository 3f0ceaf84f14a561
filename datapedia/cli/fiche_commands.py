"""The commands on fiches and generated files: validate, new, schema, codeowners, readme, docs.

Each takes the parsed arguments, calls the library, prints (Dutch) and returns an exit code.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from datapedia.cli.exit_codes import EXIT_FAILED, EXIT_OK
from datapedia.model import words


def validate(args: argparse.Namespace) -> int:
    from datapedia.load.fiches import FicheCache, load_fiches

    paths = [Path(p) for p in args.paths] or [args.root / "fiches"]
    cache = FicheCache.for_root(args.root) if args.root else None
    result = load_fiches(paths, root=args.root, cache=cache)
    for problem in result.problems:
        print(problem)
    themes: dict[str, int] = {}
    for loaded in result.fiches:
        themes[loaded.fiche.theme.value] = themes.get(loaded.fiche.theme.value, 0) + 1
    per_theme = ", ".join(f"{theme}: {count}" for theme, count in sorted(themes.items()))
    print(
        f"{words.count(len(result.fiches), 'geldige fiche')} ({per_theme or 'geen'}), "
        f"{words.count(len(result.problems), 'probleem')} in "
        f"{words.count(result.files_read, 'bestand')}."
    )
    return EXIT_FAILED if result.problems else EXIT_OK


def new(args: argparse.Namespace) -> int:
    from datapedia.load.scaffold import new_fiche

    try:
        path = new_fiche(args.root, args.id, args.theme)
    except FileExistsError as error:
        print(f"bestaat al: {error}", file=sys.stderr)
        return EXIT_FAILED
    except ValueError as error:
        print(str(error), file=sys.stderr)
        return EXIT_FAILED
    print(f"aangemaakt: {path}")
    return EXIT_OK


def _up_to_date(stale: str | None, current: str) -> int:
    """``--check`` of a generated file: what is wrong and exit 1, or that it is ``current``."""
    if stale:
        print(stale, file=sys.stderr)
        return EXIT_FAILED
    print(current)
    return EXIT_OK


def schema(args: argparse.Namespace) -> int:
    from datapedia.load.schema import check_schema_file, write_schema_file

    if args.check:
        return _up_to_date(check_schema_file(args.root), "schema is actueel")
    print(f"geschreven: {write_schema_file(args.root)}")
    return EXIT_OK


def codeowners(args: argparse.Namespace) -> int:
    from datapedia.github.codeowners import check_codeowners, write_codeowners

    if args.check:
        return _up_to_date(check_codeowners(args.root), "CODEOWNERS is actueel")
    print(f"geschreven: {write_codeowners(args.root)}")
    return EXIT_OK


def readme(args: argparse.Namespace) -> int:
    from datapedia.cli.commands_table import check_readme, write_readme
    from datapedia.cli.parser import command_table

    table = command_table()
    if args.check:
        return _up_to_date(
            check_readme(args.root, table), "de commandotabel in README.md is actueel"
        )
    try:
        print(f"geschreven: {write_readme(args.root, table)}")
    except ValueError as error:
        print(error, file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def docs(args: argparse.Namespace) -> int:
    from datapedia.publish.docs import stale_docs, write_docs

    if args.check:
        stale = stale_docs(args.root)
        stale += ["Voer `datapedia docs` uit en commit."] if stale else []
        return _up_to_date("\n".join(stale), "de gegenereerde lijsten zijn actueel")
    try:
        changed = write_docs(args.root)
    except ValueError as error:
        print(error, file=sys.stderr)
        return EXIT_FAILED
    print("\n".join(f"geschreven: {path}" for path in changed) or "alles was al actueel")
    return EXIT_OK
