"""Decoding untrusted bodies with structural limits: JSON, XML (defused) and text.

What one body may make us build in memory is bounded while it is parsed (depth,
elements, values), so a hostile body is refused with ``TooComplex`` before it takes
the memory; large bodies are parsed under a CPU and memory budget as well
(``datapedia.probe.parsing``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element, TreeBuilder
from xml.etree.ElementTree import ParseError as XMLSyntaxError

import defusedxml
import defusedxml.ElementTree

from datapedia.model.words import number

# A tree element costs some hundreds of bytes and a parsed, flattened JSON value about
# a kilobyte; the largest real feed (the Telraam snapshot) has 125,000 values.
MAX_XML_DEPTH = 256
MAX_XML_ELEMENTS = 500_000
MAX_JSON_VALUES = 1_000_000
_XML_PIECE = 1024 * 1024


class ParseError(Exception):
    """The body is not what the protocol promises (message in Dutch)."""


class TooComplex(ParseError):
    """The body is over a structural limit: too deep, too many elements or values."""


def load_json(body: bytes) -> Any:
    # Every value but the last is followed by a comma: an upper bound on what
    # json.loads would build, counted in C before it builds anything.
    if body.count(b",") >= MAX_JSON_VALUES:
        raise TooComplex(f"te complexe JSON: meer dan {number(MAX_JSON_VALUES)} waarden")
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ParseError(f"geen geldige JSON: {error}") from error
    except RecursionError:
        raise TooComplex("geen bruikbare JSON: te diep genest") from None


class _BoundedTree(TreeBuilder):
    """A tree builder that stops at a depth or element count, before memory runs out."""

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0
        self._elements = 0

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self._depth += 1
        self._elements += 1
        if self._depth > MAX_XML_DEPTH:
            raise TooComplex(f"XML te diep genest: meer dan {MAX_XML_DEPTH} niveaus")
        if self._elements > MAX_XML_ELEMENTS:
            raise TooComplex(f"te complexe XML: meer dan {number(MAX_XML_ELEMENTS)} elementen")
        return super().start(tag, attrs)

    def end(self, tag: str) -> Element:
        self._depth -= 1
        return super().end(tag)


def load_xml(body: bytes) -> Element:
    """Parse untrusted XML: entities, DTDs and external references are refused, and
    depth and element count are bounded while parsing."""
    parser = defusedxml.ElementTree.DefusedXMLParser(target=_BoundedTree())
    view = memoryview(body)
    try:
        # In pieces: expat buffers what it is fed, and a refusal stops the reading early.
        for start in range(0, len(view), _XML_PIECE):
            parser.feed(view[start : start + _XML_PIECE])
        return parser.close()
    except defusedxml.DefusedXmlException as error:
        raise ParseError(f"XML geweigerd om veiligheidsredenen: {error}") from error
    except XMLSyntaxError as error:
        raise ParseError(f"geen geldige XML: {error}") from error


def local(tag: str) -> str:
    """Element name without its namespace: '{http://..}peil_mtaw' -> 'peil_mtaw'."""
    return tag.rsplit("}", 1)[-1]


def iter_local(root: Element, name: str) -> Iterator[Element]:
    return (element for element in root.iter() if local(element.tag) == name)


def text_of(element: Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    text = element.text.strip()
    return text or None


def decode_text(body: bytes) -> str:
    """Text of a body: UTF-8 (with or without BOM), else Latin-1 as Belgian exports often are."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return body.decode("latin-1")
