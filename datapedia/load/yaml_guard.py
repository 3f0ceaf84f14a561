"""Our own nesting limit for fiche YAML, enforced on the text before PyYAML sees it.

libyaml recurses while composing and newer releases stop deep documents with their
own (English) error at their own position; a data owner must get our Dutch message at
the place where the nesting went too deep, whatever PyYAML version is installed. This
scanner over-estimates depth rather than under-estimating it: it counts indentation
levels, compact sequence entries (``- - -``) and flow brackets, and skips comments,
quoted scalars and block scalars, which hold text, not structure.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_DEPTH = 50
TOO_DEEP = f"te diep genest (meer dan {MAX_DEPTH} niveaus)"
_BLOCK_SCALAR_INDICATORS = frozenset("|>")


@dataclass(frozen=True)
class TooDeep:
    """Where the nesting passed MAX_DEPTH (1-based line and column)."""

    line: int
    column: int
    message: str = TOO_DEEP


def find_too_deep(text: str) -> TooDeep | None:
    """The first flow bracket or compact sequence entry nested deeper than MAX_DEPTH."""
    # Indentation alone cannot reach libyaml's own limit within MAX_FILE_BYTES (1,000
    # levels need 500 KB of indentation), and below MAX_DEPTH the converter's node
    # depth check speaks; only brackets and compact entries (``- -``) need the scan.
    if text.count("[") + text.count("{") + text.count("- -") <= MAX_DEPTH:
        return None
    return _Scanner(text).scan()


class _Scanner:
    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.indents: list[int] = []  # open block levels, as in Python's tokenizer
        self.flow = 0  # open [ and { (may span lines)
        self.quote: str | None = None  # an open quoted scalar (may span lines)

    def scan(self) -> TooDeep | None:
        block_scalar_indent: int | None = None
        for number, line in enumerate(self.lines, 1):
            stripped = line.lstrip(" ")
            indent = len(line) - len(stripped)
            if block_scalar_indent is not None:
                if not stripped.strip() or indent > block_scalar_indent:
                    continue  # a line of a literal or folded block: text, not structure
                block_scalar_indent = None
            if self.quote is None and self.flow == 0:
                if not stripped or stripped.startswith("#"):
                    continue
                while self.indents and self.indents[-1] >= indent:
                    self.indents.pop()
                self.indents.append(indent)
            found, opens_block_scalar = self._scan_line(number, line, indent)
            if found:
                return found
            if opens_block_scalar:
                block_scalar_indent = indent
        return None

    def _depth(self, compact: int) -> int:
        return len(self.indents) + compact + self.flow

    def _scan_line(self, number: int, line: str, start: int) -> tuple[TooDeep | None, bool]:
        """Walk one line; return a refusal and whether it opens a block scalar."""
        at_node_start = True  # where a quote, bracket or block indicator may begin a node
        compact = 0
        column = start
        previous = ""
        while column < len(line):
            char = line[column]
            if self.quote is not None:
                column = self._skip_quoted(line, column)
                at_node_start = False
                continue
            if char == "#" and (column == 0 or line[column - 1] in " \t"):
                break
            if char in " \t":
                column += 1
                continue
            if at_node_start and char in "'\"":
                self.quote = char
                column += 1
                continue
            if char in "[{" and (at_node_start or self.flow):
                self.flow += 1
                if self._depth(compact) > MAX_DEPTH:
                    return TooDeep(number, column + 1), False
                column += 1
                at_node_start, previous = True, char
                continue
            if char in "]}" and self.flow:
                self.flow -= 1
                column += 1
                at_node_start, previous = False, char
                continue
            entry = char == "-" and line[column + 1 : column + 2] in (" ", "")
            if entry and at_node_start and not self.flow:
                if previous == "-":
                    compact += 1
                    if self._depth(compact) > MAX_DEPTH:
                        return TooDeep(number, column + 1), False
                column += 1
                previous = "-"
                continue
            if char in ",?" or (char == ":" and line[column + 1 : column + 2] in (" ", "")):
                column += 1
                at_node_start, previous = True, char
                continue
            if at_node_start and char in "!&":
                while column < len(line) and line[column] not in " \t":
                    column += 1  # a tag or an anchor before the node
                continue
            if at_node_start and not self.flow and char in _BLOCK_SCALAR_INDICATORS:
                rest = line[column + 1 :].split(" #", 1)[0].strip()
                if all(c in "+-0123456789" for c in rest):
                    return None, True
            at_node_start = False
            previous = char
            column += 1
        return None, False

    def _skip_quoted(self, line: str, column: int) -> int:
        """Advance inside an open quoted scalar; close it where its quote ends."""
        quote = self.quote
        while column < len(line):
            char = line[column]
            if quote == '"' and char == "\\":
                column += 2
                continue
            if char == quote:
                if quote == "'" and line[column + 1 : column + 2] == "'":
                    column += 2  # '' is an escaped quote inside single quotes
                    continue
                self.quote = None
                return column + 1
            column += 1
        return column
