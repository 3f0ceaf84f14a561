"""Checks on a fiche the model accepted: what the URL type allows but a public,
secret-free catalogue must not hold, and what each protocol's URL must ask for the
fields the fiche names (``datapedia.model.protocols``).
"""

from __future__ import annotations

import functools
import re
import typing
from typing import Any
from urllib.parse import parse_qsl

from pydantic import AnyUrl, BaseModel
from yaml.nodes import MappingNode

from datapedia.load.messages import locate
from datapedia.load.parsed import Parsed
from datapedia.model.fiche import Fiche
from datapedia.model.protocols import url_needs

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
_NEVER = "zet nooit een geheim in een fiche: gebruik auth.env"

Found = list[tuple[tuple[Any, ...], str]]


def check_fiche(parsed: Parsed, root: MappingNode, fiche: Fiche) -> None:
    """Every problem of a valid ``fiche``, added to ``parsed`` at its place in ``root``."""
    found = _url_secrets(fiche) + _param_secrets(fiche) + _protocol_problems(fiche)
    link = _BAD_MARKDOWN_LINK.search(fiche.description)
    if link:
        message = f"link met '{link.group(1)}:' is niet toegelaten; enkel http(s)"
        found.append((("description",), message))
    # Locating is done for problems only: most fiches have none.
    for loc, message in found:
        node, path, _ = locate(root, loc)
        parsed.add_at(node, path, message)


def _url_secrets(fiche: Fiche) -> Found:
    found: Found = []
    for loc, url in _urls(fiche, ()):
        if url.username or url.password:
            found.append((loc, f"URL bevat inloggegevens (gebruiker:wachtwoord@); {_NEVER}"))
        for name, _ in parse_qsl(url.query or ""):
            if _SECRET_PARAM.match(name):
                message = f"URL bevat een sleutel in parameter '{name}'; {_NEVER} met auth.param"
                found.append((loc, message))
    return found


def _param_secrets(fiche: Fiche) -> Found:
    message = "zet nooit een sleutel in params: gebruik auth.env met auth.param"
    return [
        (("distributions", i, "params", name), message)
        for i, distribution in enumerate(fiche.distributions)
        for name, value in distribution.params.items()
        if value and _SECRET_PARAM.match(name)
    ]


def _protocol_problems(fiche: Fiche) -> Found:
    """Fields the fiche names that its own request can never return."""
    return [
        (("distributions", i, field), message)
        for i, distribution in enumerate(fiche.distributions)
        for field, message in url_needs(distribution)
    ]


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
