"""Fiche Markdown as plain text for RDF literals (harvesters show literals verbatim)."""

from __future__ import annotations

import re

_LINK = re.compile(r"!?\[([^\]]*)\]\(\s*<?([^)\s>]*)>?[^)]*\)")
_CODE = re.compile(r"(`+)(.+?)\1", re.S)
_STRONG = re.compile(r"(\*\*|__)(\S(?:.*?\S)?)\1", re.S)
_EMPHASIS = re.compile(r"(?<![\w*])\*(\S(?:.*?\S)?)\*(?![\w*])", re.S)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.M)
_QUOTE = re.compile(r"^\s{0,3}>\s?", re.M)
_BULLET = re.compile(r"^\s*[-*+]\s+", re.M)


def plain_text(markdown: str) -> str:
    """Links keep their text and address, code and emphasis lose their markers."""

    def link(match: re.Match[str]) -> str:
        text, url = match.group(1).strip(), match.group(2)
        return f"{text} ({url})" if text and url and text != url else text or url

    text = _LINK.sub(link, markdown)
    text = _CODE.sub(lambda m: m.group(2).strip(), text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(r"\1", text)
    text = _HEADING.sub("", text)
    text = _QUOTE.sub("", text)
    text = _BULLET.sub("", text)
    return re.sub(r"[ \t]+", " ", text).strip()
