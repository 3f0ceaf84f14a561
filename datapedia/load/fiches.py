"""Load and validate fiches (first step of the data flow).

Fiches arrive through pull requests, so the YAML is treated as hostile: it is
*composed* into a node tree (never constructed by PyYAML), and the tree is turned
into plain Python values here, refusing tags, aliases and duplicate keys. The
node tree also gives every problem its line, so a data owner sees
``file:line:column: field: message`` for each mistake, all in one run.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import hashlib
import json
import os
import re
import sys
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import yaml
from pydantic import AnyUrl, BaseModel, ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from datapedia.load.geheimen import SECRETS_FILE, SecretHosts, load_secret_hosts, refusal
from datapedia.load.unique import Claim, blame
from datapedia.load.yaml_errors import describe as describe_yaml_error
from datapedia.load.yaml_guard import MAX_DEPTH, TOO_DEEP, find_too_deep
from datapedia.model import words
from datapedia.model.fiche import (
    ENV_VAR_PATTERN,
    FROM_CACHE,
    GITHUB_HANDLE_PATTERN,
    HEADER_NAME_PATTERN,
    ID_PATTERN,
    NO_CONTROL_PATTERN,
    Fiche,
)
from datapedia.util.files import atomic_write
from datapedia.util.parallel import fork_map

_T = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (f"{_T}{t}" for t in ("str", "int", "float", "bool", "null"))
_TIMESTAMP, _SEQ, _MAP, _MERGE = (f"{_T}{t}" for t in ("timestamp", "seq", "map", "merge"))


@functools.lru_cache(maxsize=4096)
def _plain_scalar_tag(value: str) -> str:
    return yaml.resolver.Resolver().resolve(ScalarNode, value, (True, False))


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml (an order of magnitude faster than pure Python) with a cached resolver.

    Composing calls back into Python to tag every node; fiches repeat the same keys
    and values, so caching that step makes up a good part of the time for 1,000 fiches.
    """

    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            return _plain_scalar_tag(value) if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """No path resolvers are registered: nothing to track."""

    def ascend_resolver(self) -> None:
        """No path resolvers are registered: nothing to track."""


MAX_FILE_BYTES = 256 * 1024
SCHEMA_RELATIVE = Path("schema") / "fiche.schema.json"
SCHEMA_COMMENT_PREFIX = "# yaml-language-server: $schema="
FICHE_SUFFIXES = (".yml", ".yaml")
# Below this many files to parse, forking workers costs more than it saves.
PARALLEL_MIN_FICHES = 200

# Plain values only; a date stays text and pydantic parses it.
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_SCALARS = {
    _STR: lambda node: node.value,
    _TIMESTAMP: lambda node: node.value,
    _INT: _CONSTRUCTOR.construct_yaml_int,
    _FLOAT: _CONSTRUCTOR.construct_yaml_float,
    _BOOL: _CONSTRUCTOR.construct_yaml_bool,
    _NULL: _CONSTRUCTOR.construct_yaml_null,
}

_PATTERN_HELP = {
    ID_PATTERN: "kleine letters, cijfers en koppeltekens (2 tot 80 tekens), bv. vmm-debieten",
    ENV_VAR_PATTERN: "de naam van een omgevingsvariabele (HOOFDLETTERS, cijfers en _), "
    "bv. TELRAAM_API_KEY; nooit de sleutel zelf",
    GITHUB_HANDLE_PATTERN: "een GitHub-gebruiker of -team, bv. @gebruiker of @organisatie/team",
    HEADER_NAME_PATTERN: "een naam zonder spaties, dubbelpunt of regeleinde, bv. X-Api-Key",
    NO_CONTROL_PATTERN: "tekst op één regel, zonder regeleinden of stuurtekens",
}
# Query parameters that carry a secret: a key belongs in an environment variable.
_SECRET_PARAM = re.compile(
    r"^(api[_-]?key|apikey|key|token|access[_-]?token|secret|password|passwd|pwd|"
    r"subscription[_-]?key|client[_-]?secret)$",
    re.IGNORECASE,
)
# Markdown links and autolinks whose scheme is not http(s) or mailto (javascript:, data:, ...).
_BAD_MARKDOWN_LINK = re.compile(
    r"(?:\]\(\s*<?|<)\s*(?!https?:|mailto:)([a-z][a-z0-9+.-]*):", re.IGNORECASE
)
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
        return _escape_controls(
            f"{self.file}:{self.line}:{self.column}: {self.field}: {self.message}"
        )


def _escape_controls(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@dataclass(frozen=True)
class LoadedFiche:
    path: Path
    fiche: Fiche
    digest: str = ""  # sha256 of the file as read: what the fiche's outputs depend on


@dataclass
class LoadResult:
    fiches: list[LoadedFiche] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files_read: int = 0


class _Refused(Exception):
    """The file is refused as a whole (alias, too deep): no point validating further."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


@dataclass
class _Parsed:
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
        self.add(*_position(node), field_path, message)


def print_problems(problems: list[Problem] | list[str], consequence: str) -> None:
    """Every problem on its own line, then what happens to those fiches (to stderr)."""
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        found = words.count(len(problems), "probleem")
        print(f"{found} in de fiches; {consequence}.", file=sys.stderr)


def load_fiches(
    paths: list[Path], root: Path | None = None, cache: FicheCache | None = None
) -> LoadResult:
    """Validate every fiche under ``paths``; a bad file never stops the others.

    With a ``cache`` (the CLI's commands pass ``FicheCache.for_root``), a file whose
    content passed every check before is not parsed again; the checks across files
    (unique ids, related fiches that exist, ...) always run.
    """
    result = LoadResult()
    root = Path(os.path.abspath(root)) if root is not None else None
    missing: list[Problem] = []
    files: set[Path] = set()
    for path in paths:
        if path.is_dir():
            files.update(f for f in path.rglob("*") if f.suffix in FICHE_SUFFIXES and f.is_file())
        elif path.is_file():
            files.add(path)
        else:
            shown = _relative(path, root) or path
            missing.append(Problem(shown, 1, 1, "-", "bestand of map bestaat niet"))
    parsed: list[_Parsed] = []
    todo: list[tuple[_Parsed, str, Path | None]] = []  # read, but not in the cache
    at: list[int] = []  # where each of those goes in ``parsed``
    for file in sorted(files):
        result.files_read += 1
        relative = _relative(file, root)
        read, text = _read_file(file, relative, cache)
        if text is not None:
            at.append(len(parsed))
            todo.append((read, text, relative))
        parsed.append(read)
    # Parsing is pure Python (~1.3 ms a fiche), so it runs on every core from
    # PARALLEL_MIN_FICHES on; a worker sends back the parsed file, fiche model included.
    for index, done in zip(at, fork_map(_parse_read, todo, PARALLEL_MIN_FICHES), strict=True):
        parsed[index] = done
    secrets = load_secret_hosts(root) if root is not None else None
    _cross_checks(parsed, root, secrets)
    problems = [*missing]
    if secrets is not None:
        problems += [Problem(SECRETS_FILE, 1, 1, "-", why) for why in secrets.problems]
    for item in parsed:
        problems.extend(item.problems)
        if item.fiche is not None and not item.problems:
            result.fiches.append(LoadedFiche(item.path, item.fiche, item.digest))
            if cache is not None and not item.cached and not item.shown.is_absolute():
                cache.put(item)
    if cache is not None:
        cache.save()
    result.problems = sorted(problems, key=lambda p: (str(p.file), p.line, p.column))
    return result


def load_repository(root: Path) -> LoadResult:
    """Every fiche of the repository at ``root``, with the parse cache."""
    return load_fiches([Path(root) / "fiches"], root, FicheCache.for_root(root))


def _relative(path: Path, root: Path | None) -> Path | None:
    """``path`` relative to the (absolute) root, or None when it lies outside it."""
    if root is None:
        return None
    # abspath, not resolve(): no file-system calls, which add up over 1,000 fiches.
    absolute = Path(os.path.abspath(path))
    return absolute.relative_to(root) if absolute.is_relative_to(root) else None


# --- the parse cache ------------------------------------------------------------------
def _cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


class FicheCache:
    """Fiches that passed every check of their own file before, by path and content.

    ``validate``, ``check`` and ``build`` each load every fiche, and the nightly job
    runs all three on the same files: parsing 1,000 fiches costs ~1 s, validating
    their cached models 0.15 s. An entry is used only for the same path, the same
    bytes (sha256) and the same loader (the source of load.py and fiche.py); the model
    is validated again from it. It lives in the user's cache folder, never in the
    repository: a cache file committed in a pull request would make datapedia read a
    fiche other than the one its reviewers read.
    """

    def __init__(self, path: Path):
        self.path = path
        self._changed = False
        self._entries: dict[str, dict[str, Any]] = {}
        try:
            stored = json.loads(path.read_bytes())
            if stored.get("loader") == _loader_version():
                self._entries = dict(stored["fiches"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass  # no cache, or one from another version: parse everything

    @classmethod
    def for_root(cls, root: Path) -> FicheCache:
        key = hashlib.sha256(os.path.abspath(root).encode()).hexdigest()[:16]
        return cls(_cache_home() / "datapedia" / key / "fiches.json")

    def fill(self, parsed: _Parsed, relative: Path) -> bool:
        """Complete ``parsed`` from the cache; False when there is no usable entry."""
        entry = self._entries.get(relative.as_posix())
        if not entry or entry.get("digest") != parsed.digest:
            return False
        try:
            # From JSON text: pydantic builds the model without an intermediate dict per
            # fiche, which at 10,000 fiches left the heap full of holes (+70 MB).
            parsed.fiche = Fiche.model_validate_json(entry["fiche"], context={FROM_CACHE: True})
            parsed.places = {tuple(loc): (line, col) for loc, line, col in entry["places"]}
        except (ValidationError, KeyError, TypeError, ValueError):
            parsed.fiche, parsed.places = None, {}
            return False
        parsed.data = {"id": parsed.fiche.id, "theme": parsed.fiche.theme.value}
        parsed.cached = True
        return True

    def put(self, parsed: _Parsed) -> None:
        assert parsed.fiche is not None
        self._entries[parsed.shown.as_posix()] = {
            "digest": parsed.digest,
            "fiche": parsed.fiche.model_dump_json(),
            "places": [[list(loc), line, col] for loc, (line, col) in parsed.places.items()],
        }
        self._changed = True

    def save(self) -> None:
        if not self._changed:
            return
        document = {"loader": _loader_version(), "fiches": self._entries}
        # A cache that cannot be written only costs speed next time.
        with contextlib.suppress(OSError):
            atomic_write(self.path, json.dumps(document).encode())
        self._changed = False


@functools.cache
def _loader_version() -> str:
    # The adapters' url_needs are validation rules too.
    package = Path(__file__).parents[1]
    sources = sorted((package / "load").glob("*.py")) + [package / "model" / "fiche.py"]
    sources += sorted((package / "probe" / "adapters").glob("*.py"))
    return hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()


# --- one file -------------------------------------------------------------------------


def _read_file(
    path: Path, relative: Path | None, cache: FicheCache | None
) -> tuple[_Parsed, str | None]:
    """The file read and, when the cache has it, complete; else its text still to parse."""
    parsed = _Parsed(path, relative or path)
    if path.is_symlink():
        # A link could make the validator read (and echo parts of) any file on the runner.
        parsed.add(1, 1, "-", "een fiche mag geen symbolische link zijn")
        return parsed, None
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        parsed.add(1, 1, "-", f"bestand is te groot ({size} bytes; hoogstens {MAX_FILE_BYTES})")
        return parsed, None
    raw = path.read_bytes()
    parsed.digest = hashlib.sha256(raw).hexdigest()
    if cache is not None and relative is not None and cache.fill(parsed, relative):
        return parsed, None
    try:
        return parsed, raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        parsed.add(line, column, "-", "bestand is geen geldige UTF-8-tekst; sla het op als UTF-8")
        return parsed, None


def _parse_read(item: tuple[_Parsed, str, Path | None]) -> _Parsed:
    """``_parse_text`` for ``fork_map``: one argument, and the result to send back."""
    parsed, text, relative = item
    _parse_text(parsed, text, relative)
    return parsed


def _parse_text(parsed: _Parsed, text: str, relative: Path | None) -> None:
    _check_schema_comment(parsed, text, relative)
    try:
        _check_flow_depth(text)
        node = yaml.compose(text, Loader=_Loader)
        if node is None:
            parsed.add(1, 1, "-", "bestand bevat geen fiche (leeg document)")
            return
        if not isinstance(node, MappingNode):
            parsed.add_at(node, "-", "een fiche moet een mapping zijn (sleutel: waarde per regel)")
            return
        converter = _Converter(parsed, text)
        data = converter.convert(node, "", 0)
    except yaml.MarkedYAMLError as error:
        line, column, message = describe_yaml_error(error, text)
        parsed.add(line, column, "-", message)
        return
    except yaml.YAMLError as error:
        parsed.add(1, 1, "-", f"YAML-fout: {error}")
        return
    except _Refused as refused:
        parsed.add(refused.line, refused.column, "-", refused.message)
        return
    # The checks across fiches need only these; the whole tree would cross a pipe.
    parsed.data = {"id": data.get("id"), "theme": data.get("theme")}
    related = data.get("related")
    keyed = [
        i
        for i, d in enumerate(data.get("distributions") or [])
        if isinstance(d, dict) and isinstance(d.get("auth"), dict) and d["auth"].get("env")
    ]
    for loc in [
        ("id",),
        ("theme",),
        *(("related", i) for i in range(_length(related))),
        *(("distributions", i, "auth", "env") for i in keyed),
    ]:
        parsed.places[loc] = _position(_locate(node, loc)[0])
    if converter.refused_tag:
        return  # validating the stand-in value would only add noise
    try:
        parsed.fiche = Fiche.model_validate(data)
    except ValidationError as error:
        _report_validation(parsed, node, error)
        return
    _check_urls(parsed, node, parsed.fiche)


def _position(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _length(value: Any) -> int:
    return len(value) if isinstance(value, list) else 0


def _check_schema_comment(parsed: _Parsed, text: str, relative: Path | None) -> None:
    """Line 1 tells the editor (yaml-language-server) which schema to use.

    Inside the repository the reference must lead from the file to the schema; elsewhere
    (a fiche being drafted) it must at least be a relative path to the schema file.
    """
    depth = len(relative.parent.parts) if relative is not None else 2
    expected = "../" * depth + SCHEMA_RELATIVE.as_posix()
    first = text.split("\n", 1)[0].rstrip("\r")
    hint = (
        f"de eerste regel moet '{SCHEMA_COMMENT_PREFIX}{expected}' zijn "
        "(zo kent uw editor het schema)"
    )
    if not first.startswith(SCHEMA_COMMENT_PREFIX):
        parsed.add(1, 1, "-", hint)
        return
    ref = first.removeprefix(SCHEMA_COMMENT_PREFIX).strip()
    # Outside the repository any relative path to the schema will do.
    relative_ok = "://" not in ref and not ref.startswith("/")
    fits = ref == expected if relative is not None else ref.endswith(SCHEMA_RELATIVE.as_posix())
    if not (relative_ok and fits):
        parsed.add(1, len(SCHEMA_COMMENT_PREFIX) + 1, "-", hint)


def _check_flow_depth(text: str) -> None:
    """Refuse deep nesting on the text, before libyaml composes (and recurses)."""
    too_deep = find_too_deep(text)
    if too_deep is not None:
        raise _Refused(too_deep.line, too_deep.column, too_deep.message)


def _tag_name(tag: str) -> str:
    return "!!" + tag.removeprefix(_T) if tag.startswith(_T) else tag


class _Converter:
    """Node tree to plain Python values, refusing what a fiche never needs."""

    def __init__(self, parsed: _Parsed, text: str) -> None:
        self.parsed, self.text = parsed, text
        self.refused_tag = False
        # libyaml returns the anchored node object again for each alias: seeing a node
        # twice means an alias, found without ever expanding it ("billion laughs").
        self.seen: set[int] = set()

    def convert(self, node: Node, path: str, depth: int) -> Any:
        if id(node) in self.seen:
            raise self._alias_refusal(node)
        self.seen.add(id(node))
        if depth > MAX_DEPTH:
            mark = node.start_mark
            raise _Refused(mark.line + 1, mark.column + 1, TOO_DEEP)
        if isinstance(node, ScalarNode):
            if node.tag in _SCALARS:
                try:
                    return _SCALARS[node.tag](node)
                except (ValueError, KeyError):  # an explicit `!!int abc`
                    self._refuse_tag(node, path, f"'{_show(node.value)}' past niet bij de tag")
                    return None
        elif isinstance(node, SequenceNode):
            if node.tag == _SEQ:
                return [
                    self.convert(item, f"{path}[{i}]", depth + 1)
                    for i, item in enumerate(node.value)
                ]
        elif node.tag == _MAP:
            return self._mapping(node, path, depth)
        self._refuse_tag(node, path, f"tag '{_tag_name(node.tag)}' is niet toegelaten")
        return None

    def _refuse_tag(self, node: Node, path: str, message: str) -> None:
        self.refused_tag = True
        self.parsed.add_at(node, path or "-", f"{message}; schrijf gewone YAML zonder tags")

    def _mapping(self, node: MappingNode, path: str, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if id(key_node) in self.seen:
                raise self._alias_refusal(key_node)
            self.seen.add(id(key_node))
            if key_node.tag == _MERGE:
                self._refuse_tag(key_node, path, "samenvoegsleutel '<<' is niet toegelaten")
                continue
            if not isinstance(key_node, ScalarNode) or key_node.tag not in _SCALARS:
                self._refuse_tag(key_node, path, "een sleutel moet gewone tekst zijn")
                continue
            # The key as written: `on:` or `no:` must not turn into a boolean.
            key = key_node.value
            child = f"{path}.{key}" if path else key
            if key in first_line:
                self.parsed.add_at(
                    key_node,
                    child,
                    f"dubbele sleutel '{key}' (al op regel {first_line[key]}); "
                    "enkel de eerste wordt gelezen",
                )
                continue
            first_line[key] = key_node.start_mark.line + 1
            result[key] = self.convert(value_node, child, depth + 1)
        return result

    def _alias_refusal(self, node: Node) -> _Refused:
        # The composed tree forgets where the alias was written; the events remember.
        mark, name = node.start_mark, ""
        for event in yaml.parse(self.text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                mark, name = event.start_mark, event.anchor
                break
        return _Refused(
            mark.line + 1,
            mark.column + 1,
            f"alias '*{name}' is niet toegelaten: YAML-ankers (&) en -aliassen (*) worden "
            "geweigerd; schrijf de waarde voluit",
        )


# --- pydantic errors to lines and Dutch -----------------------------------------------


def _locate(
    root: MappingNode, loc: tuple[Any, ...], at_key: bool = False
) -> tuple[Node, str, bool]:
    """The YAML node for a pydantic ``loc``, its dotted path, and whether the tail was cut.

    The node is the value when it is a non-empty scalar (unless ``at_key``), else its key. A
    missing key points at its parent mapping (at the parent's key when there is one); a
    loc that goes on past a scalar (union member names like 'int') is cut there.
    """
    node: Node = root
    anchor: Node = root.value[0][0] if root.value else root
    path = ""
    for i, part in enumerate(loc):
        if part == "[key]":
            continue
        if isinstance(part, int) and isinstance(node, SequenceNode) and part < len(node.value):
            node = node.value[part]
            anchor = node
            path += f"[{part}]"
            continue
        if isinstance(part, str) and isinstance(node, MappingNode):
            path = f"{path}.{part}" if path else part
            match = next((kv for kv in node.value if kv[0].value == part), None)
            if match is None:
                return anchor, _append_rest(path, loc[i + 1 :]), False
            key, node = match
            scalar = isinstance(node, ScalarNode) and node.value != ""
            anchor = node if scalar and not at_key else key
            continue
        return anchor, path, True
    return anchor, path, False


def _append_rest(path: str, rest: tuple[Any, ...]) -> str:
    for part in rest:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _show(value: Any) -> str:
    text = _escape_controls(str(value))
    text = _CREDENTIALS.sub(r"\1***@", text)
    return text if len(text) <= 60 else text[:57] + "..."


_EXPECTED = {
    "string_type": "tekst",
    "int_type": "een geheel getal",
    "int_parsing": "een geheel getal",
    "int_from_float": "een geheel getal",
    "float_type": "een getal",
    "float_parsing": "een getal",
    "bool_type": "true of false",
    "bool_parsing": "true of false",
    "list_type": "een lijst (regels die met '- ' beginnen)",
    "dict_type": "een mapping (sleutel: waarde)",
    "model_type": "een mapping (sleutel: waarde)",
    "model_attributes_type": "een mapping (sleutel: waarde)",
    "date_type": "een datum JJJJ-MM-DD",
    "date_parsing": "een datum JJJJ-MM-DD",
    "date_from_datetime_parsing": "een datum JJJJ-MM-DD",
    "date_from_datetime_inexact": "een datum JJJJ-MM-DD zonder tijdstip",
    "url_type": "een volledige URL, bv. https://voorbeeld.be/pad",
}


def _message(error: dict[str, Any], secret: bool) -> str:
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    shown = "" if secret else f" '{_show(value)}'"
    if kind == "missing":
        return "verplicht veld ontbreekt"
    if kind == "enum":
        options = ", ".join(re.findall(r"'([^']*)'", ctx.get("expected", "")))
        return f"onbekende waarde '{_show(value)}'; verwacht een van: {options}"
    if kind in _EXPECTED:
        hint = ""
        if value is None:
            hint = " (het veld is leeg)"
        elif kind == "string_type" and isinstance(value, bool | int | float):
            hint = " (zet de waarde tussen aanhalingstekens)"
        return f"verwacht {_EXPECTED[kind]}{hint}"
    if kind == "url_scheme":
        return f"alleen http:// of https:// is toegelaten, niet{shown}"
    if kind.startswith("url_"):
        return (
            f"geen geldige URL{shown}; verwacht een volledige http(s)-URL, bv. https://voorbeeld.be"
        )
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        expected = _PATTERN_HELP.get(pattern, f"het patroon {pattern}")
        return f"ongeldige waarde{shown}; verwacht {expected}"
    if kind == "string_too_short":
        return f"te kort: minstens {ctx.get('min_length')} teken(s)"
    if kind == "string_too_long":
        return f"te lang: hoogstens {ctx.get('max_length')} teken(s)"
    if kind == "too_short":
        return f"te weinig elementen: minstens {ctx.get('min_length')}"
    if kind == "too_long":
        return f"te veel elementen: hoogstens {ctx.get('max_length')}"
    bounds = {"greater_than_equal": "minstens", "greater_than": "groter dan"}
    bounds |= {"less_than_equal": "hoogstens", "less_than": "kleiner dan"}
    if kind in bounds:
        limit = next(iter(ctx.values()), "")
        return f"moet {bounds[kind]} {limit} zijn"
    if kind == "value_error" and "email" in str(error.get("msg", "")):
        return f"geen geldig e-mailadres{shown}; verwacht bv. naam@organisatie.be"
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    return str(error["msg"])


def _report_validation(parsed: _Parsed, root: MappingNode, error: ValidationError) -> None:
    grouped: dict[tuple[int, int, str], list[tuple[dict[str, Any], bool]]] = {}
    for item in error.errors(include_url=False):
        node, path, cut = _locate(root, item["loc"], item["type"] == "extra_forbidden")
        mark = node.start_mark
        grouped.setdefault((mark.line + 1, mark.column + 1, path or "-"), []).append((item, cut))
    for (line, column, path), items in grouped.items():
        # A value under auth may be a pasted key: never echo it into a CI log.
        secret = ".auth." in f".{path}."
        if len(items) > 1 and all(cut for _, cut in items):
            # One value failed every member of a union (str | int | float | bool).
            options = [_EXPECTED.get(item["type"], item["type"]) for item, _ in items]
            parsed.add(line, column, path, "verwacht " + " of ".join(dict.fromkeys(options)))
            continue
        for item, _ in items:
            message = _message(item, secret)
            if item["type"] == "extra_forbidden":
                message = _unknown_field(item["loc"])
            parsed.add(line, column, path, message)


def _unknown_field(loc: tuple[Any, ...]) -> str:
    message = "onbekend veld (tikfout?)"
    model = _model_at(loc[:-1])
    if model is not None:
        close = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1)
        if close:
            message += f"; bedoelt u '{close[0]}'?"
    return message


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model that validates the mapping at ``loc`` (for typo suggestions)."""
    model: type[BaseModel] = Fiche
    for part in loc:
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        found = _find_model(info.annotation) if info else None
        if found is None:
            return None
        model = found
    return model


def _find_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _find_model(arg)
            if found is not None:
                return found
    return None


# --- checks on a valid fiche and across fiches ----------------------------------------


@functools.cache
def _url_bearing_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """Fields that are, or may contain, a URL: the walk below skips all others."""
    return tuple(
        name
        for name, info in model.model_fields.items()
        if _annotation_has(info.annotation, lambda t: issubclass(t, AnyUrl | BaseModel))
    )


def _annotation_has(annotation: Any, test: typing.Callable[[type], bool]) -> bool:
    if isinstance(annotation, type):
        return test(annotation)
    return any(_annotation_has(arg, test) for arg in typing.get_args(annotation))


def _urls(value: Any, loc: tuple[Any, ...]) -> typing.Iterator[tuple[tuple[Any, ...], AnyUrl]]:
    if isinstance(value, AnyUrl):
        yield loc, value
    elif isinstance(value, BaseModel):
        for name in _url_bearing_fields(type(value)):
            yield from _urls(getattr(value, name), (*loc, name))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _urls(item, (*loc, i))


def _check_urls(parsed: _Parsed, root: MappingNode, fiche: Fiche) -> None:
    """What the URL type allows but a public, secret-free catalogue must not hold."""
    never = "zet nooit een geheim in een fiche: gebruik auth.env"
    found: list[tuple[tuple[Any, ...], str]] = []
    for loc, url in _urls(fiche, ()):
        if url.username or url.password:
            found.append((loc, f"URL bevat inloggegevens (gebruiker:wachtwoord@); {never}"))
        for name, _ in parse_qsl(url.query or ""):
            if _SECRET_PARAM.match(name):
                message = f"URL bevat een sleutel in parameter '{name}'; {never} met auth.param"
                found.append((loc, message))
    for i, distribution in enumerate(fiche.distributions):
        for name, value in distribution.params.items():
            if value and _SECRET_PARAM.match(name):
                message = "zet nooit een sleutel in params: gebruik auth.env met auth.param"
                found.append((("distributions", i, "params", name), message))
    found += _protocol_problems(fiche)
    link = _BAD_MARKDOWN_LINK.search(fiche.description)
    if link:
        message = f"link met '{link.group(1)}:' is niet toegelaten; enkel http(s)"
        found.append((("description",), message))
    # Locating is done for problems only: most fiches have none.
    for loc, message in found:
        node, path, _ = _locate(root, loc)
        parsed.add_at(node, path, message)


def _check_secret_hosts(item: _Parsed, secrets: SecretHosts) -> None:
    """A key goes only where the maintainers' file allows (``datapedia.load.geheimen``)."""
    if item.fiche is None:
        return
    for i, distribution in enumerate(item.fiche.distributions):
        name = distribution.auth.env
        why = refusal(name, str(distribution.url), secrets) if name else None
        if why is not None:
            loc = ("distributions", i, "auth", "env")
            item.add(*item.places.get(loc, (1, 1)), f"distributions[{i}].auth.env", why)


def _protocol_problems(fiche: Fiche) -> list[tuple[tuple[Any, ...], str]]:
    """Fields the fiche names that its own request can never return (each adapter knows)."""
    from datapedia.probe.adapters import adapter_for  # only validation needs the adapters

    return [
        (("distributions", i, field), message)
        for i, distribution in enumerate(fiche.distributions)
        for field, message in adapter_for(distribution.protocol).url_needs(distribution)
    ]


def _cross_checks(parsed: list[_Parsed], root: Path | None, secrets: SecretHosts | None) -> None:
    """Unique ids, file names and folders that match, related ids that exist, keys
    that go only where ``config/geheimen.yml`` allows.

    Ids are unique across the repository even when only some files are validated:
    a fiche not read here counts with its file name as id (that they match is
    checked whenever it is read).
    """
    known: set[str] = set()
    repository: list[Path] = []
    if root is not None and (root / "fiches").is_dir():
        repository = [f for f in (root / "fiches").rglob("*") if f.suffix in FICHE_SUFFIXES]
        known.update(f.stem for f in repository)
    claims: dict[Claim, _Parsed] = {}
    for item in parsed:
        fiche_id = item.data.get("id") if item.data else None
        if isinstance(fiche_id, str):
            known.add(fiche_id)
            claims[Claim(fiche_id, Path(os.path.abspath(item.path)), item.shown)] = item
    read = {Path(os.path.abspath(item.path)) for item in parsed}
    unread: set[Claim] = set()
    for file in repository:
        if (absolute := Path(os.path.abspath(file))) not in read:
            claim = Claim(file.stem, absolute, _relative(file, root) or file)
            claims[claim] = _Parsed(file, claim.shown)
            unread.add(claim)
    for found in blame(list(claims)):
        item = claims[found.claim]
        if found.claim in unread:  # a file not asked for: its id line, without parsing it
            item.add(_id_line(item.path), 1, "id", found.message)
            parsed.append(item)
        else:
            item.add(*item.places[("id",)], "id", found.message)
    for item in parsed:
        if item.data is None:
            continue
        if secrets is not None:
            _check_secret_hosts(item, secrets)
        fiche_id, theme = item.data.get("id"), item.data.get("theme")
        if isinstance(fiche_id, str):
            at_id = item.places[("id",)]
            if item.path.stem != fiche_id:
                item.add(
                    *at_id,
                    "id",
                    f"id '{fiche_id}' verschilt van de bestandsnaam '{item.path.name}'; "
                    f"noem het bestand {fiche_id}{item.path.suffix}",
                )
        folder = item.path.parent
        if folder.parent.name == "fiches" and isinstance(theme, str) and folder.name != theme:
            item.add(
                *item.places[("theme",)],
                "theme",
                f"theme '{theme}' past niet bij de map '{folder.name}'; "
                f"zet het bestand in fiches/{theme}/",
            )
        elif folder.name == "fiches":
            item.add(1, 1, "-", "een fiche hoort in een themamap: fiches/<theme>/<id>.yml")
        if item.fiche is not None:
            for i, related in enumerate(item.fiche.related):
                if related not in known:
                    item.add(
                        *item.places[("related", i)],
                        f"related[{i}]",
                        f"verwante fiche '{related}' bestaat niet",
                    )


def _id_line(path: Path) -> int:
    """The line of ``id:`` in a fiche, 1 when there is none."""
    with contextlib.suppress(OSError, UnicodeDecodeError):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("id:"):
                return number
    return 1
