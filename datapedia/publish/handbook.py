"""The handbook's generated fragments: fiche fields and thresholds, from the code itself.

The handbook includes them (``--8<--``), so what it says about the fiche schema and the
thresholds can never drift from what the code validates and judges with.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from datapedia.model.fiche import Fiche
from datapedia.model.results import Dimension
from datapedia.model.thresholds import EXPLANATIONS, THRESHOLD_DIMENSION, THRESHOLDS
from datapedia.model.words import duration, percent, show
from datapedia.probe.settings import EXPLANATIONS as TRANSPORT_EXPLANATIONS
from datapedia.probe.settings import TRANSPORT

# Thresholds that no dimension owns: the probes' own limits.
ALL_DIMENSIONS = "alle dimensies (de probes)"
_FORMATS = {"uri": "URL", "email": "e-mail", "date": "datum"}
_TYPES = {"string": "tekst", "integer": "geheel getal", "number": "getal", "boolean": "true/false"}


def _schema_type(prop: dict, defs: dict) -> str:
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        target = defs[name]
        if "enum" in target:
            return " / ".join(str(v) for v in target["enum"])
        return name
    if "anyOf" in prop:
        return " / ".join(_schema_type(p, defs) for p in prop["anyOf"] if p.get("type") != "null")
    if prop.get("type") == "array":
        return f"lijst van {_schema_type(prop.get('items', {}), defs)}"
    if prop.get("type") == "object":
        return "sleutel: waarde"
    kind = prop.get("type", "string")
    return _FORMATS.get(prop.get("format", ""), _TYPES.get(kind, kind))


def _is_list(prop: dict) -> bool:
    return prop.get("type") == "array" or any(
        p.get("type") == "array" for p in prop.get("anyOf", [])
    )


def _ref_name(prop: dict) -> str | None:
    candidates = [prop, prop.get("items", {}), *prop.get("anyOf", [])]
    candidates += [c.get("items", {}) for c in prop.get("anyOf", [])]
    for candidate in candidates:
        if "$ref" in candidate:
            return candidate["$ref"].rsplit("/", 1)[-1]
    return None


def _walk(model: dict, defs: dict, prefix: str, seen: tuple[str, ...], rows: list) -> None:
    required = set(model.get("required", []))
    for name, prop in model.get("properties", {}).items():
        path = f"{prefix}{name}"
        rows.append(
            {
                "field": path,
                "type": _schema_type(prop, defs),
                "required": "ja" if name in required else "nee",
                "description": prop.get("description")
                or defs.get(_ref_name(prop) or "", {}).get("description", ""),
            }
        )
        ref = _ref_name(prop)
        if ref and ref not in seen and "properties" in defs.get(ref, {}):
            nested = path + ("[]." if _is_list(prop) else ".")
            _walk(defs[ref], defs, nested, (*seen, ref), rows)


def schema_rows() -> list[dict[str, str]]:
    """One row per field of the fiche, nested models as dotted paths."""
    schema = Fiche.model_json_schema()
    rows: list[dict[str, str]] = []
    _walk(schema, schema.get("$defs", {}), "", (), rows)
    return rows


def threshold_value(name: str, value: Any) -> str:
    """A threshold as a reader says it: "10 seconden", "50 MB", "99%", "2×", "25%"."""
    if name.endswith("_s"):
        return duration(timedelta(seconds=value))
    if name.endswith("_pct"):
        return percent(value)
    if name.endswith("_ratio"):
        return percent(100 * value)
    if name.endswith("_factor"):
        return f"{show(value)}×"
    if name.endswith("_bytes"):
        return f"{show(value / 1024 / 1024)} MB"
    return show(value)


def thresholds_inputs() -> str:
    """Everything the thresholds' fragment is made of, for its key."""
    explanations = json.dumps([EXPLANATIONS, TRANSPORT_EXPLANATIONS])
    return f"{explanations}\0{THRESHOLDS!r}\0{TRANSPORT!r}"


def threshold_groups() -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(group label, [(name, value, explanation)]): the probes' limits (the transport's
    settings first), then per dimension."""
    groups: dict[str, list[tuple[str, str, str]]] = {ALL_DIMENSIONS: []}
    for name, explanation in TRANSPORT_EXPLANATIONS.items():
        value = threshold_value(name, getattr(TRANSPORT, name))
        groups[ALL_DIMENSIONS].append((name, value, explanation))
    groups.update({d.label: [] for d in Dimension})
    for name, explanation in EXPLANATIONS.items():
        dimension = THRESHOLD_DIMENSION.get(name)
        label = dimension.label if dimension else ALL_DIMENSIONS
        value = threshold_value(name, getattr(THRESHOLDS, name))
        groups[label].append((name, value, explanation))
    return [(label, rows) for label, rows in groups.items() if rows]
