"""libyaml's syntax errors in Dutch, with what to do about them.

A data owner editing a fiche reads ``did not find expected key`` as noise; what helps
is the cause in plain words and the fix: a tab where YAML wants spaces, a key indented
differently from its neighbours (and which neighbour it should line up with), a value
that needs quotes. The mistake is often noticed lines later than it was made, so the
hint names the line where it started.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from datapedia.model.words import count

PREFIX = "YAML-syntaxfout: "
_KEY = re.compile(r"^(?P<indent> *)(?P<dash>(?:- +)*)(?P<key>[^\s#:'\"\[\]{}][^:#]*?):(?:\s|$)")
_QUOTES = "zet de waarde tussen aanhalingstekens"


def describe(error: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str]:
    """(line, column, message) for a syntax error in ``text``; both 1-based."""
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    lines = text.splitlines()
    start = error.context_mark.line + 1 if error.context_mark else line
    tab = _first_tab(lines, start, line)
    if tab is not None:
        message = f"tab-teken op regel {tab}; YAML springt in met spaties: gebruik spaties"
        return tab, lines[tab - 1].index("\t") + 1, PREFIX + message
    return _explain(error, lines, _Where(line, column, start))


@dataclass(frozen=True)
class _Where:
    line: int  # where libyaml noticed the mistake
    column: int
    start: int  # where the construct it was reading began


def _explain(error: yaml.MarkedYAMLError, lines: list[str], at: _Where) -> tuple[int, int, str]:
    """The (line, column, message) for each problem libyaml names; its own words else."""
    line, column, start = at.line, at.column, at.start
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    problem = error.problem or ""
    if problem == "found character that cannot start any token":
        char = here[column - 1 : column] or "?"
        return line, column, PREFIX + f"een waarde mag niet met '{char}' beginnen; {_QUOTES}"
    if problem in ("did not find expected key", "did not find expected '-' indicator"):
        if here.lstrip().startswith("- ") and problem == "did not find expected key":
            message = (
                "een lijstelement ('- ') staat hier niet op zijn plaats; zet het onder een "
                "sleutel en laat het inspringen"
            )
            return line, column, PREFIX + message
        return line, column, PREFIX + _indentation(lines, line)
    if problem == "mapping values are not allowed in this context":
        previous = _previous_content(lines, line)
        if previous is not None and _indent(here) > _indent(lines[previous - 1]):
            return line, _indent(here) + 1, PREFIX + _indentation(lines, line)
        return line, column, PREFIX + f"een waarde met ': ' erin: {_QUOTES}"
    if problem == "could not find expected ':'":
        return start, 1, PREFIX + f"regel {start} is geen 'sleutel: waarde': er staat geen ':'"
    if problem == "found unexpected end of stream" and "quoted" in (error.context or ""):
        message = f"het aanhalingsteken op regel {start} wordt nergens gesloten"
        return start, error.context_mark.column + 1, PREFIX + message
    closing = re.fullmatch(r"did not find expected ',' or '([\]}])'", problem)
    if closing:
        message = (
            f"verwacht ',' of '{closing.group(1)}': de {_bracket(closing.group(1))} "
            f"van regel {start} is niet gesloten"
        )
        return line, column, PREFIX + message
    if problem == "but found another document":
        return line, column, PREFIX + "een fiche is één document: verwijder '---' op deze regel"
    if problem == "found unknown escape character":
        message = "onbekende '\\' tussen dubbele aanhalingstekens; gebruik enkele aanhalingstekens"
        return line, column, PREFIX + message
    return line, column, PREFIX + f"{_context(error)}de tekst is hier geen geldige YAML ({problem})"


def _context(error: yaml.MarkedYAMLError) -> str:
    return f"sinds regel {error.context_mark.line + 1}: " if error.context_mark else ""


def _bracket(closing: str) -> str:
    return "lijst tussen [ ]" if closing == "]" else "mapping tussen { }"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _first_tab(lines: list[str], start: int, end: int) -> int | None:
    """The first line from ``start`` to ``end`` whose indentation holds a tab."""
    for number in range(max(start, 1), min(end, len(lines)) + 1):
        leading = lines[number - 1][: len(lines[number - 1]) - len(lines[number - 1].lstrip())]
        if "\t" in leading:
            return number
    return None


def _previous_content(lines: list[str], line: int) -> int | None:
    for number in range(line - 1, 0, -1):
        stripped = lines[number - 1].strip()
        if stripped and not stripped.startswith("#"):
            return number
    return None


def _indentation(lines: list[str], line: int) -> str:
    """Which keys above ``line`` it could line up with: the open ones, nearest first."""
    here = lines[line - 1] if line <= len(lines) else ""
    match = _KEY.match(here)
    name = f"'{match.group('key').strip()}'" if match else "deze regel"
    spaces = _indent(here)
    deeper = ""
    same: list[str] = []
    levels: set[int] = set()
    for number in range(line - 1, 0, -1):
        above = _KEY.match(lines[number - 1])
        if not above:
            continue
        level = len(above.group("indent")) + len(above.group("dash"))
        key = f"'{above.group('key').strip()}' (regel {number}, {level} spaties)"
        if not levels and not lines[number - 1][above.end() :].split("#")[0].strip():
            # The line just above opens a block ('contact:'): this may belong in it.
            deeper = f"dieper dan {key} als onderdeel ervan, of "
        if not levels or level < min(levels):
            levels.add(level)
            same.append(key)
            if level == 0 or len(same) == 2:
                break
    where = f"verkeerde inspringing: {name} staat op {count(spaces, 'spatie')}"
    if not same:
        return where
    return f"{where}; zet het {deeper}op dezelfde hoogte als " + " of ".join(same)
