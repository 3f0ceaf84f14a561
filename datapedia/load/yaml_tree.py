"""YAML with positions: a fiche's text composed into a node tree, then into plain values.

Fiches arrive through pull requests, so the YAML is treated as hostile: it is
*composed* into a node tree (never constructed by PyYAML), and the tree is turned
into plain Python values here, refusing tags, aliases, merge keys and duplicate keys.
The nodes keep every value's line and column for the messages.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from datapedia.load.parsed import Parsed, show
from datapedia.load.yaml_errors import describe as describe_yaml_error
from datapedia.load.yaml_guard import MAX_DEPTH, TOO_DEEP, find_too_deep

_T = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (f"{_T}{t}" for t in ("str", "int", "float", "bool", "null"))
_TIMESTAMP, _SEQ, _MAP, _MERGE = (f"{_T}{t}" for t in ("timestamp", "seq", "map", "merge"))


@functools.lru_cache(maxsize=4096)
def _plain_scalar_tag(value: str) -> str:
    return yaml.resolver.Resolver().resolve(ScalarNode, value, (True, False))


class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml (an order of magnitude faster than pure Python) with a cached resolver.

    Composing calls back into Python to tag every node; fiches repeat the same keys
    and values, so that step is cached.
    """

    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            return _plain_scalar_tag(value) if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """No path resolvers are registered: nothing to track."""

    def ascend_resolver(self) -> None:
        """No path resolvers are registered: nothing to track."""


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


class Refused(Exception):
    """The file is refused as a whole (alias, too deep): no point validating further."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


@dataclass
class Tree:
    """A fiche's mapping node, its plain values, and whether a tag was refused in it."""

    node: MappingNode
    data: dict[str, Any]
    refused_tag: bool


def read_tree(parsed: Parsed, text: str) -> Tree | None:
    """The fiche's tree and values; None (the problem added to ``parsed``) when the
    text is no YAML mapping a fiche may be."""
    try:
        _check_flow_depth(text)
        node = yaml.compose(text, Loader=Loader)
        if node is None:
            parsed.add(1, 1, "-", "bestand bevat geen fiche (leeg document)")
            return None
        if not isinstance(node, MappingNode):
            parsed.add_at(node, "-", "een fiche moet een mapping zijn (sleutel: waarde per regel)")
            return None
        converter = Converter(parsed, text)
        data = converter.convert(node, "", 0)
    except yaml.MarkedYAMLError as error:
        line, column, message = describe_yaml_error(error, text)
        parsed.add(line, column, "-", message)
        return None
    except yaml.YAMLError as error:
        parsed.add(1, 1, "-", f"YAML-fout: {error}")
        return None
    except Refused as refused:
        parsed.add(refused.line, refused.column, "-", refused.message)
        return None
    return Tree(node, data, converter.refused_tag)


def _check_flow_depth(text: str) -> None:
    """Refuse deep nesting on the text, before libyaml composes (and recurses)."""
    too_deep = find_too_deep(text)
    if too_deep is not None:
        raise Refused(too_deep.line, too_deep.column, too_deep.message)


def _tag_name(tag: str) -> str:
    return "!!" + tag.removeprefix(_T) if tag.startswith(_T) else tag


class Converter:
    """Node tree to plain Python values, refusing what a fiche never needs."""

    def __init__(self, parsed: Parsed, text: str) -> None:
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
            raise Refused(mark.line + 1, mark.column + 1, TOO_DEEP)
        if isinstance(node, ScalarNode):
            if node.tag in _SCALARS:
                try:
                    return _SCALARS[node.tag](node)
                except (ValueError, KeyError):  # an explicit `!!int abc`
                    self._refuse_tag(node, path, f"'{show(node.value)}' past niet bij de tag")
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

    def _alias_refusal(self, node: Node) -> Refused:
        # The composed tree forgets where the alias was written; the events remember.
        mark, name = node.start_mark, ""
        for event in yaml.parse(self.text, Loader=Loader):
            if isinstance(event, yaml.AliasEvent):
                mark, name = event.start_mark, event.anchor
                break
        return Refused(
            mark.line + 1,
            mark.column + 1,
            f"alias '*{name}' is niet toegelaten: YAML-ankers (&) en -aliassen (*) worden "
            "geweigerd; schrijf de waarde voluit",
        )
