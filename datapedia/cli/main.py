"""The ``datapedia`` command: a thin layer over the library.

Heavy modules (probes, Great Expectations, mkdocs) are imported inside the
commands that need them so ``datapedia validate`` stays fast in editors and CI.
Everything it prints is Dutch, argparse's own words included (``argparse_nl``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from datapedia.cli.argparse_nl import dutch
from datapedia.cli.exit_codes import EXIT_BROKEN, EXIT_FAILED, EXIT_OK
from datapedia.model import words

# What makes a folder a datapedia repository (its root).
REPOSITORY_MARKERS = ("mkdocs.yml", "fiches")
# Exit code 2 for every command, besides what a command lists itself.
EXIT_2 = "verkeerd gebruik (bv. een ongeldige --now), geen repository of onderbroken (Ctrl-C)"
# Per command: what it does (help and the README table) and what its exit codes mean.
COMMANDS = {
    "validate": (
        "controleer fiches: YAML, schema, unieke id's, bestandsnaam = id, URL's, e-mail, "
        "verwante fiches; één regel 'bestand:regel:kolom: veld: melding' per probleem",
        "0 alle fiches zijn geldig; 1 minstens één probleem",
    ),
    "new": (
        "maak een nieuwe fiche met de schemaregel en uitleg in het Nederlands",
        "0 aangemaakt; 1 de fiche bestaat al of de id is ongeldig",
    ),
    "schema": (
        "schrijf (of controleer) schema/fiche.schema.json vanuit het model",
        "0 geschreven of actueel; 1 (--check) het bestand is verouderd",
    ),
    "check": (
        "bevraag elke feed, stel de diagnose en schrijf ze in checks/ "
        "(--offline zonder --checks: enkel op het scherm)",
        "0 geen enkele dataset faalt; 1 minstens één dataset faalt; 2 de run kon niet "
        "doorgaan (geen netwerk, geen geldige fiche, checks/ niet beschrijfbaar)",
    ),
    "merge": (
        "voeg de resultaatmappen van check --shard samen in checks/; met --shards N "
        "houden de fiches van een ontbrekende shard hun vorige diagnose",
        "0 samengevoegd; 1 (--shards) een shard ontbrak, de rest is samengevoegd; "
        "2 een map hoort bij geen shard van deze nacht",
    ),
    "build": (
        "maak de Markdown uit fiches en checks/ en bouw de site met mkdocs (geen netwerk nodig)",
        "0 gebouwd; 1 ongeldige fiches (niet op de site) of mkdocs faalde; 2 checks/ is onleesbaar",
    ),
    "serve": (
        "toon de site op uw computer en maak ze opnieuw zodra een fiche of checks/ wijzigt",
        "0 gestopt; 2 checks/ is onleesbaar",
    ),
    "report": (
        "de diagnose als Markdown (reactie op een PR, samenvatting van een job)",
        "0 geschreven; 1 een gevraagde id heeft geen fiche",
    ),
    "codeowners": (
        "schrijf (of controleer) .github/CODEOWNERS vanuit de fiches",
        "0 geschreven of actueel; 1 (--check) het bestand is verouderd",
    ),
    "issues sync": (
        "open, werk bij en sluit één GitHub-issue per falende dataset",
        "0 bijgewerkt; 1 fouten van de GitHub-API bij sommige datasets, of gestopt door "
        "een limiet van GitHub (de volgende nacht gaat verder); 2 geen --repo of GITHUB_TOKEN",
    ),
    "readme": (
        "schrijf (of controleer) de tabel met commando's in README.md vanuit deze hulp",
        "0 geschreven of actueel; 1 (--check) de tabel is verouderd",
    ),
}


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


def parse_now(value: str) -> datetime:
    """``--now``: an ISO 8601 time with its zone; argparse turns the error into exit 2."""
    example = "bv. 2026-11-23T06:00:00Z"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{value}' is geen geldige ISO 8601-tijd; verwacht datum, tijd en tijdzone, {example}"
        ) from None
    if parsed.tzinfo is None:
        raise argparse.ArgumentTypeError(f"'{value}' heeft geen tijdzone; {example}")
    return parsed


def _now(value: datetime | None) -> datetime:
    """The run's notion of 'now': the only place the wall clock is read."""
    return value if value is not None else datetime.now(UTC)


def _cmd_validate(args: argparse.Namespace) -> int:
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


def _cmd_new(args: argparse.Namespace) -> int:
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


def _cmd_schema(args: argparse.Namespace) -> int:
    from datapedia.load.schema import check_schema_file, write_schema_file

    if args.check:
        stale = check_schema_file(args.root)
        if stale:
            print(stale, file=sys.stderr)
            return EXIT_FAILED
        print("schema is actueel")
        return EXIT_OK
    print(f"geschreven: {write_schema_file(args.root)}")
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    from datapedia.pipeline import CheckInterrupted, CheckOptions, run_check

    def run(checks_dir: Path) -> int:
        return run_check(
            CheckOptions(
                root=args.root,
                checks_dir=checks_dir,
                only=args.only or [],
                now=_now(args.now),
                offline=args.offline,
                allow_private=args.allow_private,
                shard=args.shard,
                summary_path=args.summary,
                progress=None if args.progress == "auto" else args.progress == "bar",
            )
        )

    if args.checks is not None or not args.offline:
        return run(args.checks or args.root / "checks")
    # Offline every feed is 'not measured': such judgements must never reach checks/,
    # where they would be committed and drive the issues. They go to a scratch folder
    # and only the table is shown.
    with tempfile.TemporaryDirectory(prefix="datapedia-offline-") as scratch:
        try:
            code = run(Path(scratch))
        except CheckInterrupted as interrupt:
            interrupt.kept = "er is niets bewaard (offline zonder --checks)."
            raise
    print(
        "Offline: er is niets bewaard, checks/ is niet aangepast. "
        "Geef --checks MAP om deze diagnoses te bewaren."
    )
    return code


def _cmd_merge(args: argparse.Namespace) -> int:
    from datapedia.store.checks import merge_shards

    checks = args.checks or args.root / "checks"
    folders = [Path(p) for p in args.shards]
    if args.count is None:
        print(f"{words.count(merge_shards(folders, checks), 'diagnose')} samengevoegd")
        return EXIT_OK
    from datapedia.load.fiches import load_repository
    from datapedia.store.nightly import MergeError, merge_night

    ids = [loaded.fiche.id for loaded in load_repository(args.root).fiches]
    try:
        night = merge_night(folders, checks, ids, args.count, _now(args.now))
    except MergeError as error:
        print(f"datapedia merge: {error}", file=sys.stderr)
        return EXIT_BROKEN
    print(f"{words.count(night.merged, 'diagnose')} samengevoegd")
    if night.complete:
        return EXIT_OK
    print(
        "nachtelijke controle onvolledig: geen resultaat van shard "
        f"{', '.join(map(str, night.missing_shards))}; niet opnieuw gecontroleerd (vorige "
        f"diagnose blijft): {words.count(len(night.not_rechecked), 'dataset')}.",
        file=sys.stderr,
    )
    return EXIT_FAILED


def _cmd_build(args: argparse.Namespace) -> int:
    from datapedia.publish.build import run_build

    return run_build(
        root=args.root,
        checks_dir=args.checks or args.root / "checks",
        site_dir=args.site_dir,
        now=_now(args.now),
        render_only=args.render_only,
        strict=not args.no_strict,
    )


def _cmd_serve(args: argparse.Namespace) -> int:
    from datapedia.publish.build import run_serve

    return run_serve(
        root=args.root,
        checks_dir=args.checks or args.root / "checks",
        now=_now(args.now),
        address=args.address,
    )


def _cmd_codeowners(args: argparse.Namespace) -> int:
    from datapedia.github.codeowners import check_codeowners, write_codeowners

    if args.check:
        problem = check_codeowners(args.root)
        if problem:
            print(problem, file=sys.stderr)
            return EXIT_FAILED
        print("CODEOWNERS is actueel")
        return EXIT_OK
    print(f"geschreven: {write_codeowners(args.root)}")
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from datapedia.cli.github_commands import report

    return report(args)


def _cmd_issues_sync(args: argparse.Namespace) -> int:
    from datapedia.cli.github_commands import issues_sync

    return issues_sync(args, _now(args.now))


def _cmd_readme(args: argparse.Namespace) -> int:
    from datapedia.cli.commands_table import check_readme, write_readme

    table = command_table()
    if args.check:
        stale = check_readme(args.root, table)
        if stale:
            print(stale, file=sys.stderr)
            return EXIT_FAILED
        print("de commandotabel in README.md is actueel")
        return EXIT_OK
    try:
        print(f"geschreven: {write_readme(args.root, table)}")
    except ValueError as error:
        print(error, file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def command_table() -> str:
    from datapedia.cli.commands_table import markdown_table

    # Exit code 2's common meaning is said once, under the table.
    return markdown_table(build_parser(), {name: text[1] for name, text in COMMANDS.items()})


def _version() -> str:
    try:
        return version("datapedia")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "onbekend"


def _with_exit_2(codes: str) -> str:
    """The command's own exit codes, 2 completed with what holds for every command."""
    return f"{codes}, {EXIT_2}" if "; 2 " in codes else f"{codes}; 2 {EXIT_2}"


def _add_command(sub: argparse._SubParsersAction, name: str) -> argparse.ArgumentParser:
    does, codes = COMMANDS[name]
    return sub.add_parser(
        name.split()[-1],
        help=does,
        description=does[0].upper() + does[1:] + ".",
        epilog=f"exitcodes: {_with_exit_2(codes)}.",
    )


def build_parser() -> argparse.ArgumentParser:
    """The command line; call it inside ``argparse_nl.dutch()`` for Dutch usage lines."""
    parser = argparse.ArgumentParser(
        prog="datapedia",
        description="Datapedia Vlaanderen: fiches, metingen, diagnose en site.",
        epilog="exitcodes: 0 gelukt, alles in orde; 1 gelukt, maar er is een probleem "
        f"gevonden (zie 'datapedia COMMANDO --help'); 2 {EXIT_2}.",
    )
    parser.add_argument(
        "--version", action="version", version=f"datapedia {_version()}", help="toon de versie"
    )
    parser.add_argument(
        "--root",
        type=Path,
        metavar="MAP",
        help="de map van de repository (standaard: de huidige map of de eerste map erboven "
        "met mkdocs.yml of fiches/)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDO")
    now_help = "het tijdstip als ISO 8601 met tijdzone, bv. 2026-11-23T06:00:00Z (standaard: nu)"
    checks_help = "de map met resultaten (standaard: checks/)"

    p = _add_command(sub, "validate")
    p.add_argument(
        "paths", nargs="*", metavar="PAD", help="bestanden of mappen (standaard: fiches/)"
    )
    p.set_defaults(func=_cmd_validate)

    p = _add_command(sub, "new")
    p.add_argument("id", metavar="ID", help="de id van de dataset, bv. vmm-debieten")
    p.add_argument(
        "--theme", choices=["water", "mobiliteit"], required=True, help="het thema (de map)"
    )
    p.set_defaults(func=_cmd_new)

    p = _add_command(sub, "schema")
    p.add_argument("--check", action="store_true", help="faal als het bestand verouderd is")
    p.set_defaults(func=_cmd_schema)

    p = _add_command(sub, "check")
    p.add_argument("--only", nargs="+", metavar="ID", help="enkel deze fiches")
    p.add_argument("--now", type=parse_now, metavar="TIJD", help=now_help)
    p.add_argument(
        "--offline",
        action="store_true",
        help="bevraag het netwerk niet; schrijft enkel in checks/ met een expliciete --checks",
    )
    p.add_argument("--checks", type=Path, metavar="MAP", help=checks_help)
    p.add_argument("--shard", metavar="i/n", help="enkel het i-de van n delen (vanaf 1)")
    p.add_argument(
        "--summary", type=Path, metavar="BESTAND", help="schrijf de JSON-samenvatting ook hier"
    )
    p.add_argument(
        "--progress",
        choices=["auto", "bar", "plain"],
        default="auto",
        help="voortgang als balk of als regels (standaard: een balk in een terminal)",
    )
    p.add_argument(
        "--allow-private",
        action="store_true",
        help="laat private, loopback- en link-local-adressen toe (tests, lokale kopieën)",
    )
    p.set_defaults(func=_cmd_check)

    p = _add_command(sub, "merge")
    p.add_argument("shards", nargs="*", metavar="MAP", help="mappen geschreven door check --shard")
    p.add_argument("--checks", type=Path, metavar="MAP", help=checks_help)
    p.add_argument(
        "--shards",
        dest="count",
        type=int,
        metavar="N",
        help="verwacht aantal shards: een ontbrekende houdt de vorige diagnose van zijn "
        "fiches, exit 1",
    )
    p.add_argument("--now", type=parse_now, metavar="TIJD", help=now_help)
    p.set_defaults(func=_cmd_merge)

    p = _add_command(sub, "build")
    p.add_argument("--checks", type=Path, metavar="MAP", help=checks_help)
    p.add_argument("--site-dir", type=Path, metavar="MAP", help="de HTML (standaard: public/)")
    p.add_argument("--now", type=parse_now, metavar="TIJD", help=now_help)
    p.add_argument("--render-only", action="store_true", help="enkel de Markdown, geen mkdocs")
    p.add_argument("--no-strict", action="store_true", help="mkdocs niet in strikte modus")
    p.set_defaults(func=_cmd_build)

    p = _add_command(sub, "serve")
    p.add_argument("--checks", type=Path, metavar="MAP", help=checks_help)
    p.add_argument("--now", type=parse_now, metavar="TIJD", help=now_help)
    p.add_argument(
        "--address", default="127.0.0.1:8000", metavar="HOST:POORT", help="standaard: %(default)s"
    )
    p.set_defaults(func=_cmd_serve)

    p = _add_command(sub, "report")
    p.add_argument("--only", nargs="+", metavar="ID", help="enkel deze fiches")
    p.add_argument("--checks", type=Path, metavar="MAP", help=checks_help)
    p.add_argument(
        "--output", type=Path, metavar="BESTAND", help="schrijf hier in plaats van op het scherm"
    )
    p.add_argument(
        "--table", action="store_true", help="enkel de overzichtstabel (samenvatting van een run)"
    )
    p.set_defaults(func=_cmd_report)

    p = _add_command(sub, "codeowners")
    p.add_argument("--check", action="store_true", help="faal als CODEOWNERS verouderd is")
    p.set_defaults(func=_cmd_codeowners)

    p = sub.add_parser(
        "issues", help="GitHub-issues voor falende datasets", description="GitHub-issues."
    )
    issues_sub = p.add_subparsers(dest="issues_command", required=True, metavar="COMMANDO")
    s = _add_command(issues_sub, "issues sync")
    s.add_argument(
        "--repo",
        default=os.environ.get("GITHUB_REPOSITORY"),
        metavar="EIGENAAR/NAAM",
        help="de GitHub-repository (standaard: $GITHUB_REPOSITORY)",
    )
    s.add_argument(
        "--api-url",
        default=os.environ.get("GITHUB_API_URL", "https://api.github.com"),
        metavar="URL",
        help="de GitHub-API (standaard: $GITHUB_API_URL of https://api.github.com)",
    )
    s.add_argument(
        "--site-url",
        default=os.environ.get("DATAPEDIA_SITE_URL"),
        metavar="URL",
        help="de gepubliceerde site, voor de links (standaard: $DATAPEDIA_SITE_URL)",
    )
    s.add_argument("--checks", type=Path, metavar="MAP", help=checks_help)
    s.add_argument("--now", type=parse_now, metavar="TIJD", help=now_help)
    s.add_argument("--dry-run", action="store_true", help="toon wat er zou gebeuren, wijzig niets")
    s.set_defaults(func=_cmd_issues_sync)

    p = _add_command(sub, "readme")
    p.add_argument("--check", action="store_true", help="faal als de tabel verouderd is")
    p.set_defaults(func=_cmd_readme)
    return parser


def _command_name(args: argparse.Namespace) -> str:
    return " ".join(filter(None, [args.command, getattr(args, "issues_command", None)]))


def main(argv: list[str] | None = None) -> int:
    with dutch():
        args = build_parser().parse_args(argv)
    name = f"datapedia {_command_name(args)}"
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
        return args.func(args)
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
