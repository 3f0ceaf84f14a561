"""Throw-away repositories with fiches and checks/ for the site tests.

Both copy the real mkdocs.yml and hand-written site/ pages (not site/generated/) so
the tests build the site exactly as published.

- ``make_repo``: three fiches with diagnoses written directly (one never checked, one
  with hostile text, one with 60 days of history), for the renderer's unit tests.
- ``make_measured_repo``: fifteen nights measured by the real probes (``run_check``)
  against local HTTP servers that serve the recorded real responses of tests/data/real/
  (Telraam, KiWIS, DOV WFS), plus a feed that is down every night, a missing dataset and
  one never checked: what the browser test and the screenshots show.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import io
import os
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from factories import write_fiche_data

from datapedia.model.results import (
    Diagnosis,
    Dimension,
    DimensionResult,
    EndpointObservation,
    Status,
)
from datapedia.store.checks import ChecksStore

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


def make_repo(tmp_path: Path, history_days: int = 60) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "site", root / "site", ignore=shutil.ignore_patterns("generated"))
    for rel, data in FICHES.items():
        write_fiche_data(root, data, rel)

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


# --- several nights measured by the real probes against local servers ------------------
# The morning of the Telraam recording (its newest report is 2023-12-10 05:31 UTC): the
# live snapshot is fresh on the last night, the KiWIS (2017) and DOV (2003) ones are not.
MEASURED_NOW = datetime(2023, 12, 10, 6, 0, tzinfo=UTC)
MEASURED_NIGHTS = 15
# The night (0 = first) on which each fiche joins the catalogue: the worklist's order then
# follows from how long a problem stands, not from the alphabet.
JOINS = {
    "fietstellingen": 0,
    "telraam-verkeerstellingen": 0,
    "voetgangerstellingen-vlaanderen": 0,
    "vmm-stations": 3,
    "dov-grondwatermeetnetten": 5,
}
KIWIS_DOWN_NIGHTS = {7, 10}  # the KiWIS server answers 404 on these nights
WORST = "fietstellingen"  # down on every night since the first
MISSING = "voetgangerstellingen-vlaanderen"
NEVER_CHECKED = "regen-gent"


def _real_fiche(rel: str, base: str) -> dict:
    """A fiche of this repository, its feeds moved to the local server (same path and query)."""
    data = yaml.safe_load((REPO / "fiches" / rel).read_text(encoding="utf-8"))
    data["related"] = []  # the related fiches are not part of this small catalogue
    for dist in data.get("distributions", []):
        url = dist["url"]
        dist["url"] = base + url[url.index("/", url.index("//") + 2) :]
    return data


def _measured_fiches(base: str) -> dict[str, tuple[str, dict]]:
    hostile = dict(FICHES["mobiliteit/fietstellingen.yml"])
    hostile["distributions"] = [_dist("CSV per maand", f"{base}/fiets.csv", "text/csv")]
    # The recording is a value layer asked with metadata=true (station positions), like
    # the VMM fiches but for its own station group: a fiche of its own that asks exactly that.
    stations = dict(FICHES["water/waterpeil.yml"], id="vmm-stations", related=[])
    stations["title"] = "Meteostations VMM (laatste waarde)"
    stations["expected_units"] = {"count": 10, "kind": "stations"}
    stations["partners"] = [{"name": "Stad Gent", "role": "meetpunten in de stad doorgeven"}]
    stations["distributions"] = [
        dict(
            _dist(
                "KiWIS value layer",
                f"{base}/tsmdownload/KiWIS/KiWIS?request=getTimeseriesValueLayer&metadata=true",
            ),
            protocol="kiwis",
            download=True,
        )
    ]
    return {
        "fietstellingen": ("mobiliteit/fietstellingen.yml", hostile),
        "vmm-stations": ("water/vmm-stations.yml", stations),
        "telraam-verkeerstellingen": (
            "mobiliteit/telraam-verkeerstellingen.yml",
            _real_fiche("mobiliteit/telraam-verkeerstellingen.yml", base),
        ),
        "dov-grondwatermeetnetten": (
            "water/dov-grondwatermeetnetten.yml",
            _real_fiche("water/dov-grondwatermeetnetten.yml", base),
        ),
        MISSING: (
            "mobiliteit/voetgangerstellingen-vlaanderen.yml",
            _real_fiche("mobiliteit/voetgangerstellingen-vlaanderen.yml", base),
        ),
    }


def _routes(night: int) -> dict:
    from localserver import Route, real_payload

    kiwis = Route(
        body=real_payload("waterinfo/getTimeseriesValueLayer.json"),
        content_type="application/json;charset=utf-8",
    )
    return {
        "/fiets.csv": Route(status=404, body=b"not found", content_type="text/plain"),
        "/tsmdownload/KiWIS/KiWIS": (
            Route(status=404, body=b"not found", content_type="text/plain")
            if night in KIWIS_DOWN_NIGHTS
            else kiwis
        ),
        "/v1/reports/traffic_snapshot_live": Route(
            body=real_payload("telraam/traffic_snapshot_live.json"),
            content_type="application/json",
        ),
        "/geoserver/wfs": Route(
            body=real_payload("dov/wfsgetfeature.xml"), content_type="text/xml; subtype=gml/3.2"
        ),
    }


@functools.cache
def _measured_template() -> Path:
    """Built once per test process (15 nights of real probing), copied for each test."""
    from localserver import LocalServer

    from datapedia.cli.check import check_and_print
    from datapedia.pipeline import CheckOptions

    folder = Path(tempfile.mkdtemp(prefix="datapedia-measured-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    root = folder / "repo"
    root.mkdir(parents=True)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "site", root / "site", ignore=shutil.ignore_patterns("generated"))
    # the maintainers' map: the Telraam key may go to the local server that plays Telraam
    (root / "config").mkdir()
    (root / "config" / "geheimen.yml").write_text("TELRAAM_API_KEY: [127.0.0.1]\n", "utf-8")
    saved = os.environ.get("TELRAAM_API_KEY")
    os.environ["TELRAAM_API_KEY"] = "sleutel-voor-de-test"
    try:
        for night in range(MEASURED_NIGHTS):
            now = MEASURED_NOW - timedelta(days=MEASURED_NIGHTS - 1 - night)
            with LocalServer(_routes(night)) as server:
                for fid, (rel, data) in _measured_fiches(server.base).items():
                    if JOINS[fid] <= night:
                        write_fiche_data(root, data, rel)
                options = CheckOptions(
                    root=root,
                    checks_dir=root / "checks",
                    only=[],
                    now=now,
                    allow_private=True,
                )
                quiet = io.StringIO()
                with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
                    assert check_and_print(options, bar=False) in (0, 1)
    finally:
        if saved is None:
            os.environ.pop("TELRAAM_API_KEY", None)
        else:
            os.environ["TELRAAM_API_KEY"] = saved
    # Added after the last night: on the site it has never been checked.
    write_fiche_data(root, FICHES["water/regen-gent.yml"], "water/regen-gent.yml")
    return root


def make_measured_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(_measured_template(), root)
    return root
