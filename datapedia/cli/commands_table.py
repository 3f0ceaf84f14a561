"""The README's table of commands, generated from the CLI's own parser.

The help texts in ``datapedia/cli/parser.py`` are the one place a command is described;
``datapedia readme`` copies them into README.md between two markers and
``datapedia readme --check`` (run by ``scripts/test.sh``) fails when they differ.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

from datapedia.util.files import atomic_write

BEGIN = "<!-- commando's: gegenereerd door `datapedia readme` uit datapedia/cli/parser.py -->"
END = "<!-- einde commando's -->"
README = "README.md"


def _commands(
    parser: argparse.ArgumentParser, name: str = ""
) -> Iterator[tuple[str, argparse.ArgumentParser, str]]:
    """(name, parser, help) of every command that runs something, nested ones included."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            for sub_name, sub in action.choices.items():
                full = f"{name} {sub_name}".strip()
                if any(isinstance(a, argparse._SubParsersAction) for a in sub._actions):
                    yield from _commands(sub, full)
                else:
                    yield full, sub, helps[sub_name]


def _usage(parser: argparse.ArgumentParser) -> str:
    # One line whatever the terminal width; the help option goes without saying.
    formatter = argparse.HelpFormatter(parser.prog, width=10_000)
    formatter.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups, "")
    return formatter.format_help().strip().replace(" [-h]", "")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_table(parser: argparse.ArgumentParser, exit_codes: dict[str, str]) -> str:
    """The table, markers included; ``exit_codes`` by command name."""
    rows = [
        f"| `{_cell(_usage(sub))}` | {_cell(help_text)} | {_cell(exit_codes.get(name, ''))} |"
        for name, sub, help_text in _commands(parser)
    ]
    header = ["| commando | wat het doet | exitcodes |", "|---|---|---|"]
    return "\n".join([BEGIN, *header, *rows, END]) + "\n"


def _replaced(text: str, table: str) -> str:
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"{README} mist de markeringen {BEGIN} en {END}")
    return text[:start] + table + text[end + len(END) :].removeprefix("\n")


def check_readme(root: Path, table: str) -> str | None:
    """None when README.md holds ``table``, else what is wrong and how to fix it."""
    text = (root / README).read_text(encoding="utf-8")
    try:
        if _replaced(text, table) == text:
            return None
    except ValueError as error:
        return f"{error}."
    return f"de commandotabel in {README} is verouderd. Voer `datapedia readme` uit en commit."


def write_readme(root: Path, table: str) -> Path:
    path = root / README
    atomic_write(path, _replaced(path.read_text(encoding="utf-8"), table).encode())
    return path
