"""DCAT-AP/DQV catalogue, status JSON and badges written next to the built site."""

from __future__ import annotations

import json
import shutil

import defusedxml.ElementTree as ET
import pytest
from rdflib import Graph, Literal, Namespace
from rdflib import namespace as ns
from site_fixtures import NOW, make_repo

from datapedia.badge import COLOURS, status_badge
from datapedia.build import write_machine_outputs
from datapedia.results import Status

# rdflib's closed namespaces are used as ns.X: as module globals pytest's probing warns.
DQV = Namespace("http://www.w3.org/ns/dqv#")
# Measured (not unknown) dimensions per fiche in site_fixtures.
MEASURED = {"waterpeil": 5, "fietstellingen": 2, "regen-gent": 0}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = make_repo(tmp_path_factory.mktemp("rdf"), history_days=2)
    out = root / "public"
    write_machine_outputs(root, root / "checks", out, "https://datapedia.example/")
    return root, out


def graphs(out):
    ttl = Graph().parse(out / "catalog.ttl", format="turtle")
    jsonld = Graph().parse(out / "catalog.jsonld", format="json-ld")
    return ttl, jsonld


def test_one_dataset_per_fiche_and_one_measurement_per_measured_dimension(built):
    _, out = built
    for g in graphs(out):
        datasets = set(g.subjects(ns.RDF.type, ns.DCAT.Dataset))
        assert len(datasets) == 3
        ids = {str(g.value(ds, ns.DCTERMS.identifier)): ds for ds in datasets}
        assert set(ids) == set(MEASURED)
        measurements = list(g.subjects(ns.RDF.type, DQV.QualityMeasurement))
        assert len(measurements) == sum(MEASURED.values())
        for fid, ds in ids.items():
            assert len(list(g.subjects(DQV.computedOn, ds))) == MEASURED[fid], fid
        for m in measurements:
            metric = g.value(m, DQV.isMeasurementOf)
            assert (metric, ns.RDF.type, DQV.Metric) in g
            assert g.value(metric, ns.SKOS.prefLabel).language == "nl"
            assert (g.value(metric, DQV.inDimension), ns.RDF.type, DQV.Dimension) in g
            assert str(g.value(m, DQV.value)) in {"ok", "warn", "fail"}
            assert g.value(m, ns.PROV.generatedAtTime) is not None
        assert len(set(g.subjects(ns.RDF.type, DQV.Metric))) == 6


def test_dataset_metadata(built):
    _, out = built
    g, jsonld = graphs(out)
    assert len(g) == len(jsonld)  # both serialisations carry the same triples
    ds = next(s for s in g.subjects(ns.DCTERMS.identifier, Literal("waterpeil")))
    assert str(ds).startswith("https://datapedia.example/generated/datasets/waterpeil.html")
    assert g.value(ds, ns.DCTERMS.title) == Literal("Waterpeilen HIC", lang="nl")
    publisher = g.value(ds, ns.DCTERMS.publisher)
    assert (publisher, ns.RDF.type, ns.FOAF.Organization) in g
    assert (
        str(
            g.value(
                g.value(ds, ns.DCAT.contactPoint),
                Namespace("http://www.w3.org/2006/vcard/ns#").hasEmail,
            )
        )
        == "mailto:hic@vmm.be"
    )
    assert str(g.value(ds, ns.DCTERMS.license)) == "https://creativecommons.org/licenses/by/4.0/"
    assert {str(k) for k in g.objects(ds, ns.DCAT.keyword)} == {"waterpeil", "KiWIS"}
    frequency = g.value(ds, ns.DCTERMS.accrualPeriodicity)
    assert (frequency, ns.RDF.type, ns.DCTERMS.Frequency) in g
    assert str(g.value(frequency, ns.RDF.value)) == "PT15M"
    fiets = next(s for s in g.subjects(ns.DCTERMS.identifier, Literal("fietstellingen")))
    daily = "http://publications.europa.eu/resource/authority/frequency/DAILY"
    assert str(g.value(fiets, ns.DCTERMS.accrualPeriodicity)) == daily
    assert g.value(ds, ns.DCTERMS.spatial) is not None and g.value(ds, ns.DCTERMS.conformsTo)
    urls = {str(g.value(d, ns.DCAT.accessURL)) for d in g.objects(ds, ns.DCAT.distribution)}
    assert urls == {"https://hicws.vlaanderen.be/KiWIS/KiWIS", "https://www.waterinfo.be/"}
    evil = next(s for s in g.subjects(ns.DCTERMS.identifier, Literal("fietstellingen")))
    assert "<script>" in str(g.value(evil, ns.DCTERMS.title))  # data, kept verbatim


def test_site_url_from_environment(tmp_path, monkeypatch, built):
    root, _ = built
    monkeypatch.setenv("DATAPEDIA_SITE_URL", "https://elders.example/datapedia")
    write_machine_outputs(root, root / "checks", tmp_path, None)
    g = Graph().parse(tmp_path / "catalog.ttl", format="turtle")
    assert all(
        str(ds).startswith("https://elders.example/datapedia/generated/datasets/")
        for ds in g.subjects(ns.RDF.type, ns.DCAT.Dataset)
    )


def test_status_json_and_badges(built):
    _, out = built
    status = json.loads((out / "status" / "waterpeil.json").read_text())
    assert status["overall"] == "fail" and status["dimensions"]["timeliness"] == "fail"
    assert status["checked_at"].startswith(NOW.date().isoformat())
    never = json.loads((out / "status" / "regen-gent.json").read_text())
    assert never["overall"] == "unknown" and never["checked_at"] is None
    badge = ET.fromstring((out / "badges" / "waterpeil.svg").read_text())
    texts = [t.text for t in badge.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["datapedia", "probleem"]


def test_deleted_fiche_loses_status_and_badge(built, tmp_path):
    root, _ = built
    copy = tmp_path / "repo"
    shutil.copytree(root, copy)
    (copy / "fiches" / "mobiliteit" / "fietstellingen.yml").unlink()
    write_machine_outputs(copy, copy / "checks", copy / "public", None)
    assert not (copy / "public" / "status" / "fietstellingen.json").exists()
    assert not (copy / "public" / "badges" / "fietstellingen.svg").exists()


@pytest.mark.parametrize("status", list(Status))
def test_badge_escapes_text_and_colours_by_status(status):
    svg = status_badge('<b>"x"</b> & y', status)
    tree = ET.fromstring(svg)  # well-formed despite the hostile label
    assert [t.text for t in tree.iter("{http://www.w3.org/2000/svg}text")][0] == '<b>"x"</b> & y'
    assert COLOURS[status] in svg and status.label in svg
