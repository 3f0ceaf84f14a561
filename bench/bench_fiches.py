"""Synthetic but valid fiches for the benchmark, pointing at the local feed server.

Half are ``water`` (KiWIS, sometimes with a CSV export), half ``mobiliteit``
(Opendatasoft, Telraam, or a JSON + CSV download). Consecutive fiches use
consecutive host names so the per-host limit never becomes the bottleneck.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import yaml

SCHEMA_COMMENT = "# yaml-language-server: $schema=../../schema/fiche.schema.json\n"
# The probe reads the Telraam key from this variable; the bench sets a dummy value.
TELRAAM_KEY_ENV = "BENCH_TELRAAM_KEY"
LICENCE = {
    "uri": "https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0",
    "name": "Modellicentie Gratis Hergebruik v1.0",
}
FLANDERS = {"name": "Vlaanderen", "bbox": [2.5, 50.6, 5.95, 51.55]}


def fiche_id(number: int) -> str:
    return f"bench-{number:04d}"


def _owner(theme: str) -> dict:
    if theme == "water":
        return {
            "name": "Vlaamse Milieumaatschappij",
            "uri": "https://www.vmm.be",
            "contact": {"name": "Dienst Hydrometrie", "email": "hydrometrie@vmm.be"},
            "github": "@datapedia-vlaanderen/vmm",
        }
    return {
        "name": "Stad Gent",
        "uri": "https://stad.gent",
        "contact": {"name": "Mobiliteitsbedrijf", "email": "mobiliteit@stad.gent"},
        "github": "@datapedia-vlaanderen/gent",
    }


def _kiwis(base: str, number: int) -> dict:
    return {
        "title": "KiWIS waardenlaag",
        "protocol": "kiwis",
        "url": f"{base}/tsmdownload/KiWIS/KiWIS?service=kisters&type=queryServices&datasource=1"
        f"&request=getTimeseriesValueLayer&timeseriesgroup_id={156000 + number}"
        "&format=json&metadata=true&md_returnfields=station_no,station_latitude,station_longitude",
        "format": "application/json",
        "documentation": f"{base}/doc/kiwis",
        "params": {"timeseriesgroup_id": 156000 + number},
        "timestamp_field": "timestamp",
        "id_field": "station_no",
        "columns": [
            {"name": "station_no", "not_null": True},
            {"name": "ts_value", "not_null": True, "min": -10, "max": 100},
        ],
    }


def _csv(base: str, number: int) -> dict:
    return {
        "title": "Tellingen als CSV",
        "protocol": "csv",
        "url": f"{base}/bench/data/tellingen-{number:04d}.csv",
        "format": "text/csv",
        "download": True,
        "delimiter": ";",
        "timestamp_field": "tijdstip",
        "id_field": "meetpunt",
        "columns": [
            {"name": "meetpunt", "not_null": True},
            {"name": "aantal", "min": 0},
            {"name": "richting", "values": ["in", "uit"]},
        ],
    }


def _json(base: str, number: int) -> dict:
    return {
        "title": "Tellingen als JSON",
        "protocol": "json",
        "url": f"{base}/bench/data/tellingen-{number:04d}.json",
        "format": "application/json",
        "download": True,
        "timestamp_field": "tijdstip",
        "id_field": "meetpunt",
        "columns": [{"name": "meetpunt", "not_null": True}, {"name": "aantal", "min": 0}],
    }


def _opendatasoft(base: str, number: int) -> dict:
    dataset = f"bench-fietstellingen-{number:04d}"
    return {
        "title": "Opendatasoft Explore API v2.1",
        "protocol": "opendatasoft",
        "url": f"{base}/api/explore/v2.1/catalog/datasets/{dataset}/records?limit=100",
        "format": "application/json",
        "documentation": f"{base}/doc/opendatasoft",
        "params": {"dataset": dataset},
        "timestamp_field": "datum",
        "id_field": "meetpunt",
        "columns": [{"name": "meetpunt", "not_null": True}, {"name": "aantal", "min": 0}],
    }


def _telraam(base: str, number: int) -> dict:
    return {
        "title": "Telraam live snapshot",
        "protocol": "telraam",
        "url": f"{base}/v1/reports/traffic_snapshot_live",
        "format": "application/json",
        "documentation": f"{base}/doc/telraam",
        "auth": {"kind": "api-key", "env": TELRAAM_KEY_ENV, "header": "X-Api-Key"},
        "timestamp_field": "last_data_package",
        "id_field": "segment_id",
    }


def make_fiche(number: int, base: str, units: int = 8) -> dict:
    """One fiche as a plain dict; odd numbers are water, even ones mobiliteit."""
    fid = fiche_id(number)
    if number % 2:
        theme, unit_kind, frequency = "water", "stations", "PT15M"
        distributions = [_kiwis(base, number)]
        if number % 4 == 1:
            distributions.append(_csv(base, number))
        title = f"Waterstanden meetnet {number}"
        standards = [
            {
                "name": "OSLO Observaties en Metingen",
                "uri": "https://data.vlaanderen.be/doc/applicatieprofiel/observaties-en-metingen",
            },
            {"name": "INSPIRE Environmental Monitoring Facilities"},
        ]
    else:
        theme, unit_kind, frequency = "mobiliteit", "tellers", "PT1H"
        variant = (number // 2) % 3
        if variant == 0:
            distributions = [_opendatasoft(base, number)]
        elif variant == 1:
            distributions = [_telraam(base, number)]
            unit_kind = "segmenten"
        else:
            distributions = [_json(base, number), _csv(base, number)]
        title = f"Verkeerstellingen {number}"
        standards = [
            {
                "name": "OSLO Verkeersmetingen",
                "uri": "https://data.vlaanderen.be/doc/applicatieprofiel/verkeersmetingen",
                "evidence": f"{base}/doc/oslo-{number:04d}",
            }
        ]
    fiche = {
        "id": fid,
        "title": title,
        "description": f"Synthetische fiche {fid} voor de benchmark: {title.lower()}, "
        "elk kwartier of uur bijgewerkt.",
        "theme": theme,
        "keywords": ["benchmark", theme],
        "status": "beschikbaar",
        "owner": _owner(theme),
        "licence": LICENCE,
        "landing_page": f"{base}/doc/{fid}",
        "update_frequency": frequency,
        "spatial": FLANDERS,
        "expected_units": {"count": units, "kind": unit_kind, "source": "synthetisch"},
        "standards": standards,
        "distributions": distributions,
    }
    if number % 5 == 0:
        fiche["problems"] = ["Synthetisch gekend probleem: de CSV mist soms een uur."]
    return fiche


def _dump(data: dict) -> str:
    # libyaml's dumper: the pure-Python one takes seconds for 10,000 fiches.
    return yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=100)


def fiche_path(root: Path, number: int) -> Path:
    theme = "water" if number % 2 else "mobiliteit"
    return root / "fiches" / theme / f"{fiche_id(number)}.yml"


def write_fiches(root: Path, n: int, base_urls: list[str], units: int = 8) -> list[Path]:
    """Write ``n`` fiches under ``root/fiches``; fiche i uses host i modulo the hosts."""
    paths = []
    for number in range(1, n + 1):
        path = fiche_path(root, number)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = make_fiche(number, base_urls[(number - 1) % len(base_urls)], units)
        text = _dump(data)
        path.write_text(SCHEMA_COMMENT + text, encoding="utf-8")
        paths.append(path)
    # The maintainers' map: the bench key may go to the bench servers (config/geheimen.yml).
    hosts = sorted({urlsplit(url).hostname or "" for url in base_urls})
    secrets = root / "config" / "geheimen.yml"
    secrets.parent.mkdir(parents=True, exist_ok=True)
    secrets.write_text(f"{TELRAAM_KEY_ENV}: [{', '.join(hosts)}]\n", encoding="utf-8")
    return paths


def distribution_count(n: int) -> int:
    return sum(len(make_fiche(i, "http://127.0.0.1")["distributions"]) for i in range(1, n + 1))


def touch_description(root: Path, number: int, suffix: str) -> Path:
    """The one-fiche change for the incremental build: append text to the description."""
    path = fiche_path(root, number)
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["description"] = f"{data['description']} {suffix}"
    path.write_text(
        SCHEMA_COMMENT + _dump(data),
        encoding="utf-8",
    )
    return path
