"""DCAT-AP/DQV catalogue, status JSON and badges written next to the built site."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import defusedxml.ElementTree as ET
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib import namespace as ns
from rdflib.compare import isomorphic
from site_fixtures import NOW, make_repo

from datapedia.model.results import Status
from datapedia.publish.badge import COLOURS, status_badge
from datapedia.publish.build import write_machine_outputs
from datapedia.publish.render import render_site

# rdflib's closed namespaces are used as ns.X: as module globals pytest's probing warns.
DQV = Namespace("http://www.w3.org/ns/dqv#")
OA = Namespace("http://www.w3.org/ns/oa#")
# Measured (not unknown) dimensions per fiche in site_fixtures (regen-gent: never checked).
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


def test_one_dataset_per_fiche_and_one_verdict_per_dimension(built):
    _, out = built
    for g in graphs(out):
        datasets = set(g.subjects(ns.RDF.type, ns.DCAT.Dataset))
        assert len(datasets) == 3
        ids = {str(g.value(ds, ns.DCTERMS.identifier)): ds for ds in datasets}
        assert set(ids) == set(MEASURED)
        # The fixtures' evidence holds one number the judge stores (waterpeil's uptime
        # over 30 days), and a verdict per dimension, "niet gemeten" for the unknown ones.
        measurements = [str(m) for m in g.subjects(ns.RDF.type, DQV.QualityMeasurement)]
        assert all(m.endswith("waterpeil.ttl#meting-uptime-30d") for m in measurements)
        for fid, ds in ids.items():
            bodies = [g.value(a, OA.hasBody) for a in g.objects(ds, DQV.hasQualityAnnotation)]
            assert len(bodies) == (6 if fid != "regen-gent" else 0), fid
            measured = [b for b in bodies if str(g.value(b, ns.SKOS.prefLabel)) != "niet gemeten"]
            assert len(measured) == MEASURED[fid], fid
        assert len(set(g.subjects(ns.RDF.type, DQV.Metric))) == 7
        assert len(set(g.subjects(ns.RDF.type, DQV.Dimension))) == 6


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
    eu = "http://publications.europa.eu/resource/authority/"
    licences = {str(g.value(d, ns.DCTERMS.license)) for d in g.objects(ds, ns.DCAT.distribution)}
    assert licences == {eu + "licence/CC_BY_4_0"}
    assert {str(k) for k in g.objects(ds, ns.DCAT.keyword)} == {"waterpeil", "KiWIS"}
    assert str(g.value(ds, ns.DCTERMS.accrualPeriodicity)) == eu + "frequency/15MIN"
    fiets = next(s for s in g.subjects(ns.DCTERMS.identifier, Literal("fietstellingen")))
    assert str(g.value(fiets, ns.DCTERMS.accrualPeriodicity)) == eu + "frequency/DAILY"
    assert g.value(ds, ns.DCTERMS.spatial) is not None and g.value(ds, ns.DCTERMS.conformsTo)
    # The HTML portal is a page of the dataset; only the KiWIS feed is a distribution.
    urls = {str(g.value(d, ns.DCAT.accessURL)) for d in g.objects(ds, ns.DCAT.distribution)}
    assert urls == {"https://hicws.vlaanderen.be/KiWIS/KiWIS"}
    assert URIRef("https://www.waterinfo.be/") in set(g.objects(ds, ns.FOAF.page))
    evil = next(s for s in g.subjects(ns.DCTERMS.identifier, Literal("fietstellingen")))
    assert "<script>" in str(g.value(evil, ns.DCTERMS.title))  # data, kept verbatim


def test_per_dataset_files_history_and_page_links(built):
    root, out = built
    g, _ = graphs(out)
    for fid in MEASURED:
        ttl = Graph().parse(out / "catalogus" / f"{fid}.ttl", format="turtle")
        ld = Graph().parse(out / "catalogus" / f"{fid}.jsonld", format="json-ld")
        assert len(ttl) == len(ld)
        datasets = list(ttl.subjects(ns.RDF.type, ns.DCAT.Dataset))
        assert [str(ttl.value(d, ns.DCTERMS.identifier)) for d in datasets] == [fid]
        assert all(
            t in g for t in ttl if not isinstance(t[0], BNode) and not isinstance(t[2], BNode)
        )
    history = json.loads((out / "historiek" / "waterpeil.json").read_text())
    # Two nightly checks and the latest, all within 90 days of the newest.
    assert history["days"] == 90 and len(history["checks"]) == 3
    assert history["to"].startswith(NOW.date().isoformat())
    assert json.loads((out / "historiek" / "regen-gent.json").read_text())["checks"] == []


def test_page_gets_alternate_links_and_inline_json_ld(built, tmp_path):
    root, _ = built
    out = tmp_path / "public"
    page = out / "generated" / "datasets" / "fietstellingen.html"
    page.parent.mkdir(parents=True)
    page.write_text("<html><head><title>x</title></head><body></body></html>")
    write_machine_outputs(root, root / "checks", out, "https://datapedia.example/")
    html = page.read_text()
    head = html.split("</head>")[0]
    assert (
        '<link rel="alternate" type="text/turtle" href="../../catalogus/fietstellingen.ttl">'
        in head
    )
    assert 'type="application/ld+json" href="../../catalogus/fietstellingen.jsonld"' in head
    inline = head.split('<script type="application/ld+json">')[1].split("</script>")[0]
    # The hostile title cannot close the script: it holds no "<" at all.
    assert "<" not in inline and "\\u003cscript>" in inline
    embedded = Graph().parse(data=inline, format="json-ld")
    assert set(embedded.objects(None, ns.DCTERMS.identifier)) == {Literal("fietstellingen")}
    ds = embedded.value(None, ns.DCTERMS.identifier, Literal("fietstellingen"))
    assert "<script>" in str(embedded.value(ds, ns.DCTERMS.title))  # read back intact
    write_machine_outputs(root, root / "checks", out, "https://datapedia.example/")
    assert page.read_text() == html  # a second build does not add the links twice


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


def test_catalogue_uris_dereference_to_published_files(built):
    """Every URI on the site is a file next to the HTML or a page the build makes."""
    root, out = built
    render_site(root, root / "checks", NOW)
    g, _ = graphs(out)
    base = "https://datapedia.example/"
    paths = {
        str(term).removeprefix(base).split("#")[0]
        for triple in g
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(base)
    }
    assert {"catalog.ttl", "catalogus/waterpeil.ttl", "generated/datasets/waterpeil.html"} <= paths
    for path in paths:
        page = root / "site" / (path.removesuffix(".html") + ".md")
        assert (out / path).exists() or (path.endswith(".html") and page.exists()), path


def test_dataset_files_written_by_forked_workers_are_the_same(built, monkeypatch, single_threaded):
    from datapedia.publish.catalogue import publish
    from datapedia.util import parallel

    root, out = built

    def written(folder):
        write_machine_outputs(root, root / "checks", folder, "https://datapedia.example/")
        return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    pools = []

    class CountedPool(parallel.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            pools.append(args)
            super().__init__(*args, **kwargs)

    serial = written(out.parent / "serial")
    monkeypatch.setattr(publish, "PARALLEL_MIN_DATASETS", 1)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", CountedPool)
    forked = written(out.parent / "forked")
    assert len(pools) == 1
    assert forked.keys() == serial.keys() and Path("catalogus/waterpeil.ttl") in forked
    formats = {".ttl": "turtle", ".jsonld": "json-ld"}
    for path, data in serial.items():
        if path.suffix in formats:  # blank node labels differ from run to run
            fmt = formats[path.suffix]
            same = isomorphic(
                Graph().parse(data=forked[path], format=fmt), Graph().parse(data=data, format=fmt)
            )
            assert same, path
        else:
            assert forked[path] == data, path
