"""One file's outcome: its problems as ``file:line:column: field: message``, and what the
checks across files need of it (id, theme, the places they point at, the model).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yaml.nodes import Node

from datapedia.model.fiche import Fiche

FICHE_SUFFIXES = (".yml", ".yaml")
_CREDENTIALS = re.compile(r"(//)[^/@\s]*@")
# Control characters and the Unicode line breaks a terminal or log viewer honours.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class Problem:
    file: Path
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        # One line per problem, whatever the fiche holds: a CR, LF or escape sequence in
        # an echoed value could otherwise forge lines (or a CI `::error::` command).
        return escape_controls(
            f"{self.file}:{self.line}:{self.column}: {self.field}: {self.message}"
        )


def escape_controls(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def show(value: Any) -> str:
    """A value from the fiche as a message may echo it: one line, no password, short."""
    text = escape_controls(str(value))
    text = _CREDENTIALS.sub(r"\1***@", text)
    return text if len(text) <= 60 else text[:57] + "..."


def position(node: Node) -> tuple[int, int]:
    """The (line, column) where ``node`` starts, counted from 1 as editors do."""
    return node.start_mark.line + 1, node.start_mark.column + 1


def relative(path: Path, root: Path | None) -> Path | None:
    """``path`` relative to the (absolute) root, or None when it lies outside it."""
    if root is None:
        return None
    # abspath, not resolve(): no file-system calls, which add up over 1,000 fiches.
    absolute = Path(os.path.abspath(path))
    return absolute.relative_to(root) if absolute.is_relative_to(root) else None


@dataclass
class Parsed:
    """One file after YAML parsing; ``fiche`` is set only when it is fully valid."""

    path: Path
    shown: Path
    data: dict[str, Any] | None = None
    # (line, column) of what the cross-fiche checks point at. The node tree is not
    # kept: holding 1,000 of them makes the garbage collector's passes dominate.
    places: dict[tuple[Any, ...], tuple[int, int]] = field(default_factory=dict)
    digest: str = ""
    cached: bool = False  # read from the FicheCache: every check on the file passed before
    fiche: Fiche | None = None
    problems: list[Problem] = field(default_factory=list)

    def add(self, line: int, column: int, field_path: str, message: str) -> None:
        self.problems.append(Problem(self.shown, line, column, field_path, message))

    def add_at(self, node: Node, field_path: str, message: str) -> None:
        self.add(*position(node), field_path, message)
