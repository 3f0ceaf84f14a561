"""Every real fiche against a recording of its own request (issue #14, item 8).

A local server answers exactly each distribution's path and query (parameters included;
anything else is a 404), and the probe must read every field the fiche names. Where a
recording comes from and whether it was recorded or built from the service's documented
format is in tests/data/real/README.md.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from localserver import LocalServer, Route, real_payload

from datapedia.judge import diagnose
from datapedia.load.fiches import load_repository
from datapedia.model.fiche import Fiche, Protocol
from datapedia.model.results import Dimension, Verdict
from datapedia.probe.runner import probe_fiche
from datapedia.probe.transport import Fetcher, FetchPolicy

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
ENV = {"TELRAAM_API_KEY": "test-sleutel", "HIC_KIWIS_TOKEN": "test-token"}
JSON, XML = "application/json;charset=utf-8", "application/xml"
VALUE_LAYER = ("waterinfo/getTimeseriesValueLayer.json", JSON)

# (fiche id, distribution index) -> (recording under tests/data/real, or None for a page
# whose body is never read, and the content type the service sends)
RECORDINGS: dict[tuple[str, int], tuple[str | None, str]] = {
    ("awv-fietstellingen", 0): ("fiches/awv-fietstellingen-0.csv", "text/csv"),
    ("awv-fietstellingen", 1): ("fiches/awv-fietstellingen-1.csv", "text/csv"),
    ("awv-fietstellingen", 2): (None, "text/html; charset=utf-8"),
    ("awv-miv-verkeersmetingen", 0): (None, XML),
    ("awv-miv-verkeersmetingen", 1): (None, XML),
    ("brussel-fietstellers", 0): ("fiches/brussel-fietstellers-0.json", JSON),
    ("brussel-fietstellers", 1): ("fiches/brussel-fietstellers-1.json", JSON),
    ("gent-fietstelpalen", 0): ("fiches/gent-fietstelpalen-0.json", JSON),
    ("gent-fietstelpalen", 1): ("fiches/gent-fietstelpalen-1.json", JSON),
    ("gent-parkeergarages-bezetting", 0): ("fiches/gent-parkeergarages-bezetting-0.json", JSON),
    ("telraam-verkeerstellingen", 0): ("telraam/traffic_snapshot_live.json", "application/json"),
    ("dov-grondwatermeetnetten", 0): ("dov/wfsgetfeature.xml", "text/xml; subtype=gml/3.2"),
    ("dov-grondwaterpeilmetingen", 0): ("dov/grondwaterfilter.xml", XML),
    ("hic-waterstanden", 0): VALUE_LAYER,
    ("hic-waterstanden", 1): ("waterinfo/getTimeseriesValues.json", JSON),
    ("vmm-afvoer", 0): VALUE_LAYER,
    ("vmm-neerslag", 0): VALUE_LAYER,
    ("vmm-waterstanden", 0): VALUE_LAYER,
    ("vmm-waterstand-sint-joris-weert", 0): ("fiches/vmm-waterstand-sint-joris-weert-0.json", JSON),
}


def real_fiches() -> dict[str, Fiche]:
    result = load_repository(ROOT)
    assert result.problems == []
    return {loaded.fiche.id: loaded.fiche for loaded in result.fiches}


def own_request(url: str) -> str:
    """The path and query a request to ``url`` sends, exactly."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def served(fiche: Fiche, server: LocalServer) -> Fiche:
    """The fiche with each probed URL moved to the local server, path and query kept."""
    moved = []
    for index, distribution in enumerate(fiche.distributions):
        if distribution.probe:
            path = own_request(str(distribution.url))
            recording, content_type = RECORDINGS[(fiche.id, index)]
            body = real_payload(recording) if recording else b"<html></html>"
            server.add(path, Route(body=body, content_type=content_type))
            distribution = distribution.model_copy(update={"url": server.base + path})
        moved.append(distribution)
    return fiche.model_copy(update={"distributions": moved})


def probe_real(fiche: Fiche):
    with LocalServer() as server, Fetcher(FetchPolicy(allow_private=True)) as fetcher:
        observation = probe_fiche(served(fiche, server), fetcher, NOW, ENV)
        asked = [r.path for r in server.requests]
    return observation, asked


def test_every_probed_distribution_of_every_real_fiche_has_a_recording():
    probed = {
        (fid, index)
        for fid, fiche in real_fiches().items()
        for index, distribution in enumerate(fiche.distributions)
        if distribution.probe
    }
    assert probed == set(RECORDINGS)


@pytest.mark.parametrize("fiche_id", sorted({fid for fid, _ in RECORDINGS}))
def test_a_real_fiche_reads_every_field_it_names_from_its_own_request(fiche_id):
    fiche = real_fiches()[fiche_id]
    observation, asked = probe_real(fiche)
    wanted = {own_request(str(d.url)) for d in fiche.distributions if d.probe}
    assert set(asked) == wanted  # exactly the fiche's own requests, parameters included
    for e in observation.endpoints:
        distribution = fiche.distributions[e.distribution]
        assert e.status_code == 200 and e.error is None, (e.title, e.error_detail)
        if distribution.protocol == Protocol.html:
            continue  # a page: only whether it answers is measured
        assert e.parsed, (e.title, e.parse_error)
        assert e.records, e.title
        if distribution.timestamp_field:
            assert e.newest is not None, (e.title, distribution.timestamp_field, e.notes)
        if distribution.id_field:
            assert e.units and all(u.id for u in e.units), (e.title, distribution.id_field)
        seen = {name for row in e.sample or [] for name in row}
        for column in distribution.columns:
            assert column.name in seen, (e.title, column.name)


def test_dov_grondwatermeetnetten_with_its_real_payload_is_not_in_orde_and_the_page_says_why(
    tmp_path,
):
    from datapedia.publish.render import render_site
    from datapedia.store.checks import ChecksStore

    fiches = real_fiches()
    fiche = fiches["dov-grondwatermeetnetten"]
    observation, _ = probe_real(fiche)
    diagnosis = diagnose(fiche, observation, [], NOW, None)
    timeliness = diagnosis.dimensions[Dimension.timeliness]
    assert diagnosis.verdict == Verdict.fail
    assert timeliness.findings == ["ACT-09"]  # no frequency declared, older than the ceiling
    assert "(2003-07-20)" in timeliness.summary

    root = tmp_path / "repo"
    (root / "fiches" / "water").mkdir(parents=True)
    for fid in ("dov-grondwatermeetnetten", "dov-grondwaterpeilmetingen"):
        shutil.copy(ROOT / "fiches" / "water" / f"{fid}.yml", root / "fiches" / "water")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "site", root / "site", ignore=shutil.ignore_patterns("generated"))
    transaction = ChecksStore(root / "checks").begin()
    transaction.add(diagnosis)
    transaction.commit()
    render_site(root, root / "checks", NOW)
    page = (root / "site" / "generated" / "datasets" / "dov-grondwatermeetnetten.md").read_text()
    assert "in orde</span>" not in page.split("## ")[0]  # the headline verdict
    assert "probleem" in page
    assert "ouder dan het plafond van 4 maanden voor thema water" in page
    assert "Verouderd sinds 20-07-2003" in page  # Dutch date format


def test_telraam_counts_only_the_segments_in_flanders():
    fiche = real_fiches()["telraam-verkeerstellingen"]
    observation, _ = probe_real(fiche)
    coverage = diagnose(fiche, observation, [], NOW, None).dimensions[Dimension.coverage]
    assert coverage.evidence["units_listed"] == 5000
    assert 0 < coverage.evidence["units_total"] < 5000  # the segments inside the box
    assert coverage.evidence["units_outside_area"] == 5000 - coverage.evidence["units_total"]
    assert "Buiten 'Vlaanderen', niet meegeteld" in coverage.summary
