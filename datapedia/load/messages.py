"""Pydantic's errors as Dutch messages on the line and column of the YAML they are about.

Each error's ``loc`` is followed down the node tree to the value (or key) it names, so
a data owner sees ``file:line:column: field: message`` with the fix where there is one
(the expected form, the closest known field name for a typo).
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from datapedia.load.parsed import Parsed, show
from datapedia.model.fiche import (
    ENV_VAR_PATTERN,
    GITHUB_HANDLE_PATTERN,
    HEADER_NAME_PATTERN,
    ID_PATTERN,
    NO_CONTROL_PATTERN,
    Fiche,
)

_PATTERN_HELP = {
    ID_PATTERN: "kleine letters, cijfers en koppeltekens (2 tot 80 tekens), bv. vmm-debieten",
    ENV_VAR_PATTERN: "de naam van een omgevingsvariabele (HOOFDLETTERS, cijfers en _), "
    "bv. TELRAAM_API_KEY; nooit de sleutel zelf",
    GITHUB_HANDLE_PATTERN: "een GitHub-gebruiker of -team, bv. @gebruiker of @organisatie/team",
    HEADER_NAME_PATTERN: "een naam zonder spaties, dubbelpunt of regeleinde, bv. X-Api-Key",
    NO_CONTROL_PATTERN: "tekst op één regel, zonder regeleinden of stuurtekens",
}


def locate(root: MappingNode, loc: tuple[Any, ...], at_key: bool = False) -> tuple[Node, str, bool]:
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
    shown = "" if secret else f" '{show(value)}'"
    if kind == "missing":
        return "verplicht veld ontbreekt"
    if kind == "enum":
        options = ", ".join(re.findall(r"'([^']*)'", ctx.get("expected", "")))
        return f"onbekende waarde '{show(value)}'; verwacht een van: {options}"
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


def report_validation(parsed: Parsed, root: MappingNode, error: ValidationError) -> None:
    grouped: dict[tuple[int, int, str], list[tuple[dict[str, Any], bool]]] = {}
    for item in error.errors(include_url=False):
        node, path, cut = locate(root, item["loc"], item["type"] == "extra_forbidden")
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
