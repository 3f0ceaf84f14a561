"""The ``datapedia`` command: a thin layer over the library.

Heavy modules (probes, Great Expectations, mkdocs) are imported inside the
commands that need them so ``datapedia validate`` stays fast in editors and CI.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from datapedia import words

# Great Expectations must never phone home; set before anything imports it.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

EXIT_OK, EXIT_FAILED, EXIT_BROKEN = 0, 1, 2


def _now(value: str | None) -> datetime:
    """The run's notion of 'now': the only place the wall clock is read."""
    if value is None:
        return datetime.now(UTC)
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise argparse.ArgumentTypeError("--now heeft een tijdzone nodig, bv. 2026-11-23T06:00:00Z")
    return parsed


def _cmd_validate(args: argparse.Namespace) -> int:
    from datapedia.load import FicheCache, load_fiches

    paths = [Path(p) for p in args.paths] or [args.root / "fiches"]
    result = load_fiches(paths, root=args.root, cache=FicheCache.for_root(args.root))
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


def _cmd_new(args: argparse.Namespace) -> int:
    from datapedia.scaffold import new_fiche

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


def _cmd_schema(args: argparse.Namespace) -> int:
    from datapedia.schema import check_schema_file, write_schema_file

    if args.check:
        stale = check_schema_file(args.root)
        if stale:
            print(stale, file=sys.stderr)
            return EXIT_FAILED
        print("schema is up to date")
        return EXIT_OK
    print(f"geschreven: {write_schema_file(args.root)}")
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    from datapedia.pipeline import CheckOptions, run_check

    options = CheckOptions(
        root=args.root,
        checks_dir=args.checks or args.root / "checks",
        only=args.only or [],
        now=_now(args.now),
        offline=args.offline,
        allow_private=args.allow_private,
        shard=args.shard,
        summary_path=args.summary,
        progress=None if args.progress == "auto" else args.progress == "bar",
    )
    return run_check(options)


def _cmd_merge(args: argparse.Namespace) -> int:
    from datapedia.store import merge_shards

    merged = merge_shards([Path(p) for p in args.shards], args.checks or args.root / "checks")
    print(f"{merged} diagnose(s) samengevoegd")
    return EXIT_OK


def _cmd_build(args: argparse.Namespace) -> int:
    from datapedia.build import run_build

    return run_build(
        root=args.root,
        checks_dir=args.checks or args.root / "checks",
        site_dir=args.site_dir,
        now=_now(args.now),
        render_only=args.render_only,
        strict=not args.no_strict,
    )


def _cmd_serve(args: argparse.Namespace) -> int:
    from datapedia.build import run_serve

    return run_serve(
        root=args.root,
        checks_dir=args.checks or args.root / "checks",
        now=_now(args.now),
        address=args.address,
    )


def _cmd_codeowners(args: argparse.Namespace) -> int:
    from datapedia.codeowners import check_codeowners, write_codeowners

    if args.check:
        problem = check_codeowners(args.root)
        if problem:
            print(problem, file=sys.stderr)
            return EXIT_FAILED
        print("CODEOWNERS is up to date")
        return EXIT_OK
    print(f"geschreven: {write_codeowners(args.root)}")
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from datapedia.report import run_report

    return run_report(
        root=args.root,
        checks_dir=args.checks or args.root / "checks",
        only=args.only or [],
        output=args.output,
    )


def _cmd_issues_sync(args: argparse.Namespace) -> int:
    from datapedia.github_issues import sync_from_cli

    return sync_from_cli(
        root=args.root,
        checks_dir=args.checks or args.root / "checks",
        repo=args.repo,
        api_url=args.api_url,
        site_url=args.site_url,
        dry_run=args.dry_run,
        now=_now(args.now),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="datapedia", description="Datapedia Vlaanderen: fiches, probes, diagnose, site."
    )
    parser.add_argument(
        "--root", type=Path, default=Path.cwd(), help="repository root (default: current folder)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check fiches: YAML, schema, ids, links")
    p.add_argument("paths", nargs="*", help="files or folders (default: fiches/)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("new", help="scaffold a new fiche")
    p.add_argument("id")
    p.add_argument("--theme", choices=["water", "mobiliteit"], required=True)
    p.set_defaults(func=_cmd_new)

    p = sub.add_parser("schema", help="write schema/fiche.schema.json from the model")
    p.add_argument("--check", action="store_true", help="fail if the file is stale")
    p.set_defaults(func=_cmd_schema)

    p = sub.add_parser("check", help="probe every feed and write the diagnosis to checks/")
    p.add_argument("--only", nargs="+", metavar="ID", help="only these fiche ids")
    p.add_argument("--now", help="ISO 8601 time with zone to judge freshness against")
    p.add_argument("--offline", action="store_true", help="do not touch the network")
    p.add_argument("--checks", type=Path, help="results folder (default: checks/)")
    p.add_argument("--shard", help="i/n: probe only the i-th of n shards (1-based)")
    p.add_argument("--summary", type=Path, help="also write the JSON summary to this file")
    p.add_argument("--progress", choices=["auto", "bar", "plain"], default="auto")
    p.add_argument(
        "--allow-private",
        action="store_true",
        help="allow private, loopback and link-local addresses (tests, local mirrors)",
    )
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("merge", help="merge shard result folders into checks/")
    p.add_argument("shards", nargs="+", help="folders written by check --shard")
    p.add_argument("--checks", type=Path)
    p.set_defaults(func=_cmd_merge)

    p = sub.add_parser("build", help="render the site from fiches and checks/ and run mkdocs")
    p.add_argument("--checks", type=Path)
    p.add_argument("--site-dir", type=Path, help="HTML output (default: public/)")
    p.add_argument("--now", help="ISO 8601 time with zone (default: now)")
    p.add_argument("--render-only", action="store_true", help="write Markdown, skip mkdocs")
    p.add_argument("--no-strict", action="store_true", help="do not pass --strict to mkdocs")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("serve", help="live preview of the site")
    p.add_argument("--checks", type=Path)
    p.add_argument("--now")
    p.add_argument("--address", default="127.0.0.1:8000")
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("report", help="Markdown diagnosis of fiches (PR comment, job summary)")
    p.add_argument("--only", nargs="+", metavar="ID", help="only these fiche ids")
    p.add_argument("--checks", type=Path)
    p.add_argument("--output", type=Path, help="write here instead of stdout")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("codeowners", help="write .github/CODEOWNERS from the fiches")
    p.add_argument("--check", action="store_true", help="fail if CODEOWNERS is out of date")
    p.set_defaults(func=_cmd_codeowners)

    p = sub.add_parser("issues", help="GitHub issues for failing datasets")
    issues_sub = p.add_subparsers(dest="issues_command", required=True)
    s = issues_sub.add_parser("sync", help="open, update and close one issue per failing dataset")
    s.add_argument("--repo", default=os.environ.get("GITHUB_REPOSITORY"), help="owner/name")
    s.add_argument("--api-url", default=os.environ.get("GITHUB_API_URL", "https://api.github.com"))
    s.add_argument("--site-url", default=os.environ.get("DATAPEDIA_SITE_URL"))
    s.add_argument("--checks", type=Path)
    s.add_argument("--now")
    s.add_argument("--dry-run", action="store_true", help="print what would be done")
    s.set_defaults(func=_cmd_issues_sync)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.root = args.root.resolve()
    try:
        return args.func(args)
    except argparse.ArgumentTypeError as error:
        parser.error(str(error))
    except KeyboardInterrupt:
        return EXIT_BROKEN
    return EXIT_BROKEN


if __name__ == "__main__":
    sys.exit(main())
