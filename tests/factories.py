"""Shared test factories: a valid fiche, endpoint observations, a fiche on disk, check options.

Test modules import these from here, never from each other.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from datapedia.model.fiche import Fiche
from datapedia.model.results import EndpointObservation, Observation
from datapedia.pipeline import CheckOptions
from datapedia.store.checks import LOCK

SCHEMA_COMMENT = "# yaml-language-server: $schema=../../schema/fiche.schema.json"
SCHEMA_LINE = SCHEMA_COMMENT + "\n"

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


def fiche_data(**overrides: Any) -> dict[str, Any]:
    """A valid fiche as plain data (open licence, documented, a standard with evidence)."""
    data: dict[str, Any] = {
        "id": "test-dataset",
        "title": "Testdataset",
        "description": "Een dataset om de diagnose mee te testen.",
        "theme": "water",
        "owner": {"name": "Testorganisatie", "contact": {"email": "data@example.org"}},
        "licence": {
            "uri": "https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0",
            "name": "Modellicentie Gratis Hergebruik v1.0",
        },
        "documentation": "https://example.org/docs",
        "update_frequency": "P1D",
        "standards": [{"name": "DCAT-AP Vlaanderen", "evidence": "https://example.org/dcat"}],
        "distributions": [
            {
                "title": "API",
                "protocol": "json",
                "url": "https://example.org/api",
                "format": "application/json",
                "download": True,
            }
        ],
    }
    data.update(overrides)
    return data


def make_fiche(**overrides: Any) -> Fiche:
    """A valid fiche with one JSON distribution."""
    return Fiche.model_validate(fiche_data(**overrides))


def endpoint(**values: Any) -> EndpointObservation:
    base: dict[str, Any] = {
        "distribution": 0,
        "title": "API",
        "protocol": "json",
        "url": "https://example.org/api",
        "reachable": True,
        "status_code": 200,
        "content_type": "application/json; charset=utf-8",
        "latency_ms": 120.0,
        "attempts": 1,
        "method": "GET",
        "parsed": True,
    }
    base.update(values)
    if base.get("error") and "error_reason" not in values:
        from datapedia.probe.transport import ERRORS

        base["error_reason"] = ERRORS[base["error"]]  # as datapedia.probe.runner fills it in
    return EndpointObservation(**base)


def observe(fiche: Fiche, *endpoints: EndpointObservation) -> Observation:
    return Observation(fiche_id=fiche.id, checked_at=NOW, endpoints=list(endpoints))


def run(fiche: Fiche, observation: Observation | None, history=None, quality=None):
    from datapedia.judge import diagnose

    return diagnose(fiche, observation, history or [], NOW, quality)


def files_in(checks):
    """Files a reader would see in checks/ (the writers' empty lock file is none)."""
    return sorted(p.name for p in checks.rglob("*") if p.is_file() and p.name != LOCK)


def write_fiche(root: Path, **overrides) -> str:
    """A valid fiche written where the repository keeps it; returns its id."""
    fiche = make_fiche(**overrides)
    write_fiche_data(root, fiche.model_dump(mode="json", exclude_none=True, exclude_defaults=True))
    return fiche.id


def write_fiche_data(root: Path, data: dict[str, Any], rel: str | None = None) -> Path:
    """Fiche data as is (valid or not) at ``fiches/<rel>``, by default ``<theme>/<id>.yml``."""
    path = root / "fiches" / (rel or f"{data['theme']}/{data['id']}.yml")
    path.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(SCHEMA_LINE + body, encoding="utf-8")
    return path


def options(root: Path, **values) -> CheckOptions:
    base = {
        "root": root,
        "checks_dir": root / "checks",
        "only": [],
        "now": NOW,
    }
    base.update(values)
    return CheckOptions(**base)


def bash_step(script: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    """A `run:` script the way GitHub runs it on Linux: bash -eo pipefail, no rc files."""
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )


# Line numbers below are the file's: line 1 is the schema comment.
VALID = f"""{SCHEMA_COMMENT}
id: gent-parkings
title: Bezetting parkings Gent
description: Vrije plaatsen in de parkeergarages van Gent, elke minuut.
theme: mobiliteit
owner:
  name: Stad Gent
  contact:
    email: mobiliteit@stad.gent
licence:
  uri: https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0
  name: Modellicentie Gratis Hergebruik v1.0
distributions:
  - title: Opendatasoft-dataset
    protocol: opendatasoft
    url: https://data.stad.gent/api/explore/v2.1/catalog/datasets/bezetting/records
    format: application/json
    auth:
      kind: none
"""


def write(root: Path, fiche_id: str, text: str, theme: str = "mobiliteit") -> Path:
    path = root / "fiches" / theme / f"{fiche_id}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def variant(fiche_id: str, old: str = "", new: str = "") -> str:
    text = VALID.replace("gent-parkings", fiche_id)
    if old:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text
