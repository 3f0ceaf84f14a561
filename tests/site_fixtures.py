"""A throw-away repository with fiches and checks/ for the site tests.

It copies the real mkdocs.yml and hand-written site/ pages (not site/generated/) so
the tests build the site exactly as published, then adds three fiches: one never
checked, one with hostile text, one with 60 days of history.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from datapedia.results import (
    Diagnosis,
    Dimension,
    DimensionResult,
    EndpointObservation,
    Status,
)
from datapedia.store import ChecksStore

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
PAYLOAD_DESCRIPTION = (
    "Tellingen van fietsers. <script>window.__pwned = 1</script> "
    '<img src=x onerror="window.__pwned = 2"> {: onclick="window.__pwned=3" }'
)
# The loader already refuses non-http links in descriptions; the renderer must not rely
# on that, so the same payload sits in a field the loader does not inspect.
PAYLOAD_LINK = (
    "Klik [x](javascript:alert(1)) of ![y](data:text/html,boo) <a href=javascript:alert(2)>a</a>"
)
PAYLOAD_TITLE = "Fietstellingen <script>window.__pwned = 4</script>"


def _owner(name: str, email: str) -> dict:
    return {"name": name, "contact": {"email": email, "name": "Datateam"}}


def _dist(title: str, url: str, fmt: str = "application/json") -> dict:
    return {"title": title, "protocol": "json", "url": url, "format": fmt}


FICHES = {
    "water/regen-gent.yml": {
        "id": "regen-gent",
        "title": "Regenmeters Gent",
        "description": "Neerslag per kwartier op de regenmeters van Stad Gent.",
        "theme": "water",
        "owner": _owner("Stad Gent", "data@stad.gent"),
        "licence": {
            "uri": "https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0",
            "name": "Modellicentie Gratis Hergebruik v1.0",
        },
        "update_frequency": "PT15M",
        "distributions": [_dist("Explore API", "https://data.stad.gent/api/regen")],
    },
    "mobiliteit/fietstellingen.yml": {
        "id": "fietstellingen",
        "title": PAYLOAD_TITLE,
        "description": PAYLOAD_DESCRIPTION,
        "theme": "mobiliteit",
        "owner": _owner("Wegen & Verkeer <b>AWV</b>", "fiets@wegenenverkeer.be"),
        "landing_page": "https://www.wegenenverkeer.be/fietstellingen",
        "problems": ["Telpaal 12 <em>hapert</em> sinds mei.", PAYLOAD_LINK],
        "blockers": [
            {"kind": "technisch", "level": "rood", "note": "Geen API, enkel CSV per maand."},
            {"kind": "privacy", "level": "groen", "note": "Geen persoonsgegevens."},
        ],
        "partners": [{"name": "Stad Gent", "role": "telpalen doorgeven"}],
        "update_frequency": "P1D",
        "distributions": [
            _dist("CSV per maand", "https://opendata.wegenenverkeer.be/fiets.csv", "text/csv")
        ],
    },
    "water/waterpeil.yml": {
        "id": "waterpeil",
        "title": "Waterpeilen HIC",
        "description": "Waterstanden van het Hydrologisch Informatiecentrum via KiWIS.",
        "theme": "water",
        "keywords": ["waterpeil", "KiWIS"],
        "owner": _owner("Vlaamse Milieumaatschappij", "hic@vmm.be"),
        "licence": {"uri": "https://creativecommons.org/licenses/by/4.0/", "name": "CC BY 4.0"},
        "update_frequency": "PT15M",
        "spatial": {"name": "Vlaanderen", "bbox": [2.5, 50.6, 5.9, 51.5]},
        "standards": [{"name": "OSLO", "uri": "https://data.vlaanderen.be/ns"}],
        "related": ["regen-gent"],
        "distributions": [
            _dist("KiWIS", "https://hicws.vlaanderen.be/KiWIS/KiWIS"),
            _dist("Portaal", "https://www.waterinfo.be", "text/html"),
        ],
    },
}


def diagnosis(
    fiche_id: str,
    when: datetime,
    statuses: dict[Dimension, Status],
    judged: dict[Dimension, dict] | None = None,
    **endpoint,
):
    """``judged``: evidence the judge stored per dimension (uptime, stale_since, ...)."""
    dimensions = {
        d: DimensionResult(
            status=s,
            summary=f"{d.label}: {s.label}",
            evidence={"gemeten": 1.5, "detail": {"a": 1}, **(judged or {}).get(d, {})},
            findings=["ACT-03"] if d == Dimension.timeliness and s == Status.fail else [],
        )
        for d, s in statuses.items()
    }
    obs = EndpointObservation(
        distribution=0,
        title="eindpunt",
        protocol="json",
        url="https://example.org",
        reachable=endpoint.get("reachable", True),
        status_code=200,
        latency_ms=120.0,
        newest=endpoint.get("newest"),
    )
    return Diagnosis.build(fiche_id, when, dimensions, [obs])


WATERPEIL_LATEST = {
    Dimension.availability: Status.ok,
    Dimension.accessibility: Status.ok,
    Dimension.timeliness: Status.fail,
    Dimension.completeness: Status.warn,
    Dimension.coverage: Status.unknown,
    Dimension.standards: Status.ok,
}
FIETS_LATEST = {
    Dimension.availability: Status.fail,
    Dimension.accessibility: Status.warn,
}


def write_fiche(root: Path, rel: str, data: dict) -> Path:
    path = root / "fiches" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "# yaml-language-server: $schema=../../schema/fiche.schema.json\n"
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(header + body, encoding="utf-8")
    return path


def make_repo(tmp_path: Path, history_days: int = 60) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "site", root / "site", ignore=shutil.ignore_patterns("generated"))
    for rel, data in FICHES.items():
        write_fiche(root, rel, data)

    store = ChecksStore(root / "checks")
    # One transaction per night, as `datapedia check` does: history grows a line each time.
    for day in range(history_days, 0, -1):
        when = NOW - timedelta(days=day)
        tx = store.begin()
        statuses = dict(WATERPEIL_LATEST)
        statuses[Dimension.timeliness] = Status.ok if day > 10 else Status.fail
        tx.add(
            diagnosis(
                "waterpeil",
                when,
                statuses,
                reachable=day % 7 != 0,
                newest=when - timedelta(minutes=30 if day > 10 else 60 * 24 * day),
            )
        )
        tx.commit()
    tx = store.begin()
    judged = {
        Dimension.availability: {"uptime_7d": 85.7, "uptime_30d": 86.7, "uptime_90d": 86.9},
        Dimension.timeliness: {"stale_since": (NOW - timedelta(days=10)).isoformat()},
    }
    tx.add(diagnosis("waterpeil", NOW - timedelta(hours=1), WATERPEIL_LATEST, judged, newest=NOW))
    tx.add(diagnosis("fietstellingen", NOW - timedelta(days=2), FIETS_LATEST, reachable=False))
    tx.commit()
    return root
