"""The JSON Schema of a fiche, exported from the pydantic model.

Data owners' editors read ``schema/fiche.schema.json`` (through the
``# yaml-language-server: $schema=...`` comment on line 1 of every fiche) for
completion and inline errors. The file is generated, committed, and checked in CI
so it can never drift from ``datapedia/model/fiche.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from datapedia.load.one_file import SCHEMA_RELATIVE
from datapedia.model.fiche import Fiche

__all__ = ["SCHEMA_RELATIVE", "check_schema_file", "fiche_json_schema", "write_schema_file"]

SCHEMA_ID = "urn:datapedia-vlaanderen:schema:fiche"
# The model accepts http(s) only; saying so in the schema lets an editor flag a
# javascript: or ftp: URL while the owner types it.
HTTP_PATTERN = "^[Hh][Tt][Tt][Pp][Ss]?://"


def fiche_json_schema() -> dict[str, Any]:
    """The schema as a dict; the same model always gives the same schema."""
    schema = Fiche.model_json_schema()
    _restrict_urls(schema)
    schema.update(
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": SCHEMA_ID,
            "title": "Fiche van Datapedia Vlaanderen",
            "description": (
                "Eén dataset over water of mobiliteit in Vlaanderen: wie de eigenaar is, waar "
                "de data staat (distributies die elke nacht gemeten worden) en wat er bekend is "
                "over problemen, blokkades en prioritaire partners. Gegenereerd uit "
                "datapedia/model/ (fiche.py, distribution.py) met `datapedia schema`; niet met de "
                "hand aanpassen."
            ),
        }
    )
    return schema


def _restrict_urls(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("format") == "uri" and node.get("type") == "string":
            node["pattern"] = HTTP_PATTERN
        for value in node.values():
            _restrict_urls(value)
    elif isinstance(node, list):
        for value in node:
            _restrict_urls(value)


def schema_text() -> str:
    return json.dumps(fiche_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schema_file(root: Path) -> Path:
    target = root / SCHEMA_RELATIVE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(schema_text(), encoding="utf-8")
    return target


def check_schema_file(root: Path) -> str | None:
    """None when the committed schema matches the model, else what to do about it."""
    target = root / SCHEMA_RELATIVE
    fix = "Voer `datapedia schema` uit en commit het resultaat."
    if not target.is_file():
        return f"{SCHEMA_RELATIVE.as_posix()} ontbreekt. {fix}"
    if target.read_text(encoding="utf-8") != schema_text():
        return (
            f"{SCHEMA_RELATIVE.as_posix()} is verouderd: het verschilt van het model in "
            f"datapedia/model/fiche.py. {fix}"
        )
    return None
