"""The command line's words: what each command does, its options and its exit codes.

The one place a command is described: ``--help``, the README table (``datapedia readme``)
and the dispatch in ``datapedia.cli.main`` all read ``COMMANDS`` and ``build_parser``.
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

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
    "docs": (
        "schrijf (of controleer) de lijsten van dimensies en statussen in de site, "
        "checks/README.md en de GitHub-sjablonen vanuit het model",
        "0 geschreven of actueel; 1 (--check) een lijst is verouderd of een markering ontbreekt",
    ),
}


NOW_HELP = "het tijdstip als ISO 8601 met tijdzone, bv. 2026-11-23T06:00:00Z (standaard: nu)"
CHECKS_HELP = "de map met resultaten (standaard: checks/)"


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


def run_now(value: datetime | None) -> datetime:
    """The run's notion of 'now': ``--now``, else the wall clock, read here and nowhere else."""
    return value if value is not None else datetime.now(UTC)


def command_name(args: argparse.Namespace) -> str:
    """The command as ``COMMANDS`` names it, e.g. 'check' or 'issues sync'."""
    return " ".join(filter(None, [args.command, getattr(args, "issues_command", None)]))


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


def _add_checks(parser: argparse.ArgumentParser, now: bool = True) -> None:
    parser.add_argument("--checks", type=Path, metavar="MAP", help=CHECKS_HELP)
    if now:
        parser.add_argument("--now", type=parse_now, metavar="TIJD", help=NOW_HELP)


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
    _add_fiche_commands(sub)
    _add_check_commands(sub)
    _add_site_commands(sub)
    _add_github_commands(sub)
    p = _add_command(sub, "readme")
    p.add_argument("--check", action="store_true", help="faal als de tabel verouderd is")
    p = _add_command(sub, "docs")
    p.add_argument("--check", action="store_true", help="faal als een lijst verouderd is")
    return parser


def _add_fiche_commands(sub: argparse._SubParsersAction) -> None:
    p = _add_command(sub, "validate")
    p.add_argument(
        "paths", nargs="*", metavar="PAD", help="bestanden of mappen (standaard: fiches/)"
    )
    p = _add_command(sub, "new")
    p.add_argument("id", metavar="ID", help="de id van de dataset, bv. vmm-debieten")
    p.add_argument(
        "--theme", choices=["water", "mobiliteit"], required=True, help="het thema (de map)"
    )
    p = _add_command(sub, "schema")
    p.add_argument("--check", action="store_true", help="faal als het bestand verouderd is")


def _add_check_commands(sub: argparse._SubParsersAction) -> None:
    p = _add_command(sub, "check")
    p.add_argument("--only", nargs="+", metavar="ID", help="enkel deze fiches")
    p.add_argument("--now", type=parse_now, metavar="TIJD", help=NOW_HELP)
    p.add_argument(
        "--offline",
        action="store_true",
        help="bevraag het netwerk niet; schrijft enkel in checks/ met een expliciete --checks",
    )
    _add_checks(p, now=False)
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
    p = _add_command(sub, "merge")
    p.add_argument("shards", nargs="*", metavar="MAP", help="mappen geschreven door check --shard")
    _add_checks(p, now=False)
    p.add_argument(
        "--shards",
        dest="count",
        type=int,
        metavar="N",
        help="verwacht aantal shards: een ontbrekende houdt de vorige diagnose van zijn "
        "fiches, exit 1",
    )
    p.add_argument("--now", type=parse_now, metavar="TIJD", help=NOW_HELP)


def _add_site_commands(sub: argparse._SubParsersAction) -> None:
    p = _add_command(sub, "build")
    p.add_argument("--checks", type=Path, metavar="MAP", help=CHECKS_HELP)
    p.add_argument("--site-dir", type=Path, metavar="MAP", help="de HTML (standaard: public/)")
    p.add_argument("--now", type=parse_now, metavar="TIJD", help=NOW_HELP)
    p.add_argument("--render-only", action="store_true", help="enkel de Markdown, geen mkdocs")
    p.add_argument("--no-strict", action="store_true", help="mkdocs niet in strikte modus")
    p = _add_command(sub, "serve")
    _add_checks(p)
    p.add_argument(
        "--address", default="127.0.0.1:8000", metavar="HOST:POORT", help="standaard: %(default)s"
    )


def _add_github_commands(sub: argparse._SubParsersAction) -> None:
    p = _add_command(sub, "report")
    p.add_argument("--only", nargs="+", metavar="ID", help="enkel deze fiches")
    _add_checks(p, now=False)
    p.add_argument(
        "--output", type=Path, metavar="BESTAND", help="schrijf hier in plaats van op het scherm"
    )
    p.add_argument(
        "--table", action="store_true", help="enkel de overzichtstabel (samenvatting van een run)"
    )
    p = _add_command(sub, "codeowners")
    p.add_argument("--check", action="store_true", help="faal als CODEOWNERS verouderd is")
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
    _add_checks(s)
    s.add_argument("--dry-run", action="store_true", help="toon wat er zou gebeuren, wijzig niets")
