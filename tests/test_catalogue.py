"""The catalogue harvesters read: DCAT-AP conformance (pyshacl, official shapes), DQV
with the measured numbers, missing datasets left out, and the MQA score."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib import namespace as ns
from site_fixtures import NOW, make_repo

from datapedia.judge import diagnose
from datapedia.load.fiches import load_fiches
from datapedia.model.fiche import Fiche
from datapedia.model.results import Diagnosis, Dimension, EndpointObservation, Observation, Status
from datapedia.publish.catalogue import mqa, vocab
from datapedia.publish.catalogue.dcat import catalog_graph
from datapedia.publish.catalogue.measures import measured_values
from datapedia.publish.catalogue.text import plain_text
from datapedia.publish.entries import load_entries

REPO = Path(__file__).resolve().parents[1]
SHAPES = Path(__file__).parent / "data" / "shacl"
FIXTURE_FICHES = Path(__file__).parent / "fixtures" / "fiches"
SITE = "https://datapedia.example/"
# rdflib's closed namespaces are used as ns.X: as module globals pytest's probing warns.
DQV = Namespace("http://www.w3.org/ns/dqv#")
OA = Namespace("http://www.w3.org/ns/oa#")
SH = Namespace("http://www.w3.org/ns/shacl#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
RUN = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)

# Every official shape file we can use without the EU vocabularies loaded
# (mdr-vocabularies needs them in the data graph).
SHAPE_SETS = {
    "2.1.1": ["shapes.ttl", "range.ttl", "shapes_recommended.ttl", "deprecateduris.ttl"],
    "3.0.1": ["shapes.ttl", "range.ttl", "shapes_recommended.ttl", "deprecateduris.ttl"],
}


def observed(fiche: Fiche) -> Observation:
    """What a probe run that read every endpoint would hand the judge."""
    endpoints = [
        EndpointObservation(
            distribution=i,
            title=d.title,
            protocol=d.protocol.value,
            url=str(d.url),
            reachable=True,
            status_code=200,
            content_type=d.format,
            latency_ms=250.0 + 100 * i,
            bytes_read=2048,
            attempts=1,
            method="GET",
            parsed=True,
            newest=RUN - timedelta(minutes=5),
            records=40,
            units_reporting=36,
            units_total=40,
        )
        for i, d in enumerate(fiche.distributions)
        if d.probe
    ]
    return Observation(fiche_id=fiche.id, checked_at=RUN, endpoints=endpoints)


def real_fiches() -> list[Fiche]:
    loaded = load_fiches([REPO / "fiches", FIXTURE_FICHES])
    assert not loaded.problems
    return [f.fiche for f in loaded.fiches]


@pytest.fixture(scope="module")
def real():
    """The real fiches and the test fixtures' fiches, judged by the real judge."""
    fiches = real_fiches()
    diagnoses = {f.id: diagnose(f, observed(f), [], RUN, None) for f in fiches}
    return fiches, diagnoses


@pytest.fixture(scope="module")
def site_repo(tmp_path_factory):
    root = make_repo(tmp_path_factory.mktemp("catalogue"), history_days=3)
    entries, _, _ = load_entries(root, root / "checks")
    return [e.fiche for e in entries], {e.id: e.diagnosis for e in entries if e.diagnosis}


def violations(data: Graph, version: str) -> list[str]:
    shapes = Graph()
    for name in SHAPE_SETS[version]:
        shapes.parse(SHAPES / f"dcat-ap-{version}" / name, format="turtle")
    _, report, _ = validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    return [
        f"{report.value(r, SH.focusNode)} {report.value(r, SH.resultPath)}: "
        f"{report.value(r, SH.resultMessage)}"
        for r in report.subjects(ns.RDF.type, SH.ValidationResult)
        if report.value(r, SH.resultSeverity) == SH.Violation
    ]


@pytest.mark.parametrize("version", sorted(SHAPE_SETS))
@pytest.mark.parametrize("source", ["real", "site_repo"])
def test_catalogue_conforms_to_dcat_ap(version, source, request):
    fiches, diagnoses = request.getfixturevalue(source)
    graph = catalog_graph(fiches, diagnoses, SITE)
    assert len(set(graph.subjects(ns.RDF.type, ns.DCAT.Dataset))) >= 3
    assert violations(graph, version) == []


@pytest.mark.parametrize("version", sorted(SHAPE_SETS))
def test_shapes_catch_what_the_catalogue_used_to_publish(real, version):
    """The check bites: the old plain-literal media type and untyped agent are violations."""
    graph = catalog_graph(*real, SITE)
    dist = next(graph.subjects(ns.RDF.type, ns.DCAT.Distribution))
    graph.add((dist, ns.DCAT.mediaType, Literal("application/gml+xml; version=3.2")))
    ds = next(graph.subjects(ns.RDF.type, ns.DCAT.Dataset))
    graph.add((ds, ns.DCTERMS.publisher, URIRef("https://example.org/zonder-type")))
    found = violations(graph, version)
    assert any("mediaType" in v for v in found) and any("publisher" in v for v in found)


def test_missing_dataset_is_not_published(real):
    fiches, diagnoses = real
    missing = [f for f in fiches if f.status.value == "ontbrekend"]
    assert missing, "the real fiches include a dataset that does not exist yet"
    graph = catalog_graph(fiches, diagnoses, SITE)
    ids = {str(i) for i in graph.objects(None, ns.DCTERMS.identifier)}
    assert {f.id for f in missing}.isdisjoint(ids)
    published = {
        str(graph.value(d, ns.DCTERMS.identifier))
        for d in graph.subjects(ns.RDF.type, ns.DCAT.Dataset)
    }
    assert published == {f.id for f in fiches} - {f.id for f in missing}


def test_typed_resources_from_the_eu_vocabularies(real):
    graph = catalog_graph(*real, SITE)
    hic = next(graph.subjects(ns.DCTERMS.identifier, Literal("hic-waterstanden")))
    assert str(graph.value(hic, ns.DCTERMS.accrualPeriodicity)) == vocab.EU + "frequency/10MIN"
    assert str(graph.value(hic, ns.DCTERMS.accessRights)) == vocab.EU + "access-right/RESTRICTED"
    # Markdown backticks are gone from the description.
    description = str(graph.value(hic, ns.DCTERMS.description))
    assert "`" not in description and "getTimeseriesValueLayer" in description
    dov = next(graph.subjects(ns.DCTERMS.identifier, Literal("dov-grondwatermeetnetten")))
    dist = next(graph.objects(dov, ns.DCAT.distribution))
    # "application/gml+xml; version=3.2" -> the IANA type and the EU file type.
    assert str(graph.value(dist, ns.DCAT.mediaType)) == vocab.IANA + "application/gml+xml"
    assert str(graph.value(dist, ns.DCTERMS.format)) == vocab.EU + "file-type/GML"
    service = graph.value(dist, ns.DCAT.accessService)
    assert (service, ns.RDF.type, ns.DCAT.DataService) in graph
    assert (service, ns.DCAT.servesDataset, dov) in graph
    assert (
        str(graph.value(service, ns.DCAT.endpointURL))
        == "https://www.dov.vlaanderen.be/geoserver/wfs"
    )
    licence = graph.value(dist, ns.DCTERMS.license)
    assert str(licence).startswith("https://data.vlaanderen.be/id/licentie/")
    publisher = graph.value(dov, ns.DCTERMS.publisher)
    assert (publisher, ns.RDF.type, ns.FOAF.Agent) in graph
    assert str(graph.value(publisher, ns.DCTERMS.identifier)).startswith("OVO")
    place = graph.value(dov, ns.DCTERMS.spatial)
    bbox = graph.value(place, ns.DCAT.bbox)
    assert bbox.datatype == URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")
    record = graph.value(dov, ns.RDFS.seeAlso)
    assert str(record).startswith("https://www.dov.vlaanderen.be/geonetwork/")
    assert str(graph.value(graph.value(dov, ADMS.identifier), ns.SKOS.notation)) == str(record)
    # An HTML page is a page of the dataset, not a distribution.
    awv = next(graph.subjects(ns.DCTERMS.identifier, Literal("awv-fietstellingen")))
    urls = {
        str(graph.value(d, ns.DCAT.accessURL)) for d in graph.objects(awv, ns.DCAT.distribution)
    }
    pages = {str(p) for p in graph.objects(awv, ns.FOAF.page)}
    assert "https://opendata.apps.mow.vlaanderen.be/fietstellingen/index.html" in pages - urls


def test_dqv_holds_the_measured_numbers_and_the_verdicts(real):
    fiches, diagnoses = real
    graph = catalog_graph(fiches, diagnoses, SITE)
    vmm = next(f for f in fiches if f.id == "vmm-waterstanden")
    diagnosis = diagnoses[vmm.id]
    values = measured_values(diagnosis)
    # What the judge measured: 5 minutes old, the slowest endpoint, uptime of this run.
    assert values["ouderdom"] == 300.0 and values["uptime-30d"] == 100.0
    assert values["responstijd"] == pytest.approx(0.25 + 0.1 * (len(vmm.distributions) - 1))
    ds = next(graph.subjects(ns.DCTERMS.identifier, Literal(vmm.id)))
    published = {}
    for m in graph.objects(ds, DQV.hasQualityMeasurement):
        metric = graph.value(m, DQV.isMeasurementOf)
        assert graph.value(metric, ns.SKOS.prefLabel).language == "nl"
        assert "Beoordeling" in str(graph.value(metric, ns.SKOS.definition))
        assert (graph.value(metric, DQV.inDimension), ns.RDF.type, DQV.Dimension) in graph
        published[str(metric).rsplit("metriek-", 1)[1]] = graph.value(m, DQV.value).toPython()
    assert published == pytest.approx(values)
    annotations = list(graph.objects(ds, DQV.hasQualityAnnotation))
    assert len(annotations) == len(Dimension)
    verdicts = {}
    for a in annotations:
        body = graph.value(a, OA.hasBody)
        verdicts[str(graph.value(a, DQV.inDimension)).rsplit("-", 1)[1]] = (
            str(graph.value(body, ns.RDF.value)),
            str(graph.value(body, ns.SKOS.prefLabel)),
            str(graph.value(body, ns.SKOS.note)),
        )
    # Completeness was not assessed in this run: published as not measured, with why.
    status, label, reason = verdicts["completeness"]
    assert (status, label) == ("unknown", "niet gemeten") and reason
    assert verdicts["timeliness"][0] == diagnosis.dimensions[Dimension.timeliness].status.value


def test_measured_values_follow_the_evidence_keys():
    evidence = {
        Dimension.availability: {"uptime_30d": 96.5, "endpoints": [{"latency_s": 1.2}, {}]},
        Dimension.completeness: {"samples": [{"missing_pct": {"a": 4.0, "b": 12.5}}]},
        Dimension.coverage: {"coverage_pct": 87.5},
        Dimension.standards: {"verified": ["WFS"], "claimed": ["WFS", "OSLO"]},
    }
    from datapedia.model.results import DimensionResult

    diagnosis = Diagnosis.build(
        "x", NOW, {d: DimensionResult(status=Status.warn, evidence=e) for d, e in evidence.items()}
    )
    assert measured_values(diagnosis) == {
        "uptime-30d": 96.5,
        "responstijd": 1.2,
        "ontbrekend-aandeel": 0.125,
        "dekking": 0.875,
        "geverifieerde-standaarden": 1,
    }


def test_plain_text_strips_markdown():
    text = (
        "Gebruik `datasource=4` met **hoge** resolutie, zie [de handleiding](https://x.be/h.pdf)."
    )
    assert plain_text(text) == (
        "Gebruik datasource=4 met hoge resolutie, zie de handleiding (https://x.be/h.pdf)."
    )
    assert plain_text("station_no en ts_id blijven") == "station_no en ts_id blijven"


def test_mqa_table_is_405_points():
    assert sum(c.points for c in mqa.CRITERIA) == mqa.MAXIMUM == 405
    per_dimension = {
        k: sum(c.points for c in mqa.CRITERIA if c.dimension == k) for k in mqa.DIMENSIONS
    }
    assert per_dimension == {
        "findability": 100,
        "accessibility": 100,
        "interoperability": 110,
        "reusability": 75,
        "contextuality": 20,
    }


def test_mqa_excellent_when_the_owner_gives_everything(real):
    fiches, diagnoses = real
    base = next(f for f in fiches if f.id == "awv-fietstellingen")
    full = Fiche.model_validate(
        {
            **base.model_dump(mode="json"),
            "licence": FICHES_LICENCE,
            "temporal": {"start": "2019-01-01"},
        }
    )
    score = mqa.score(full, diagnose(full, observed(full), [], RUN, None))
    assert score.rating == ("Excellent", "uitstekend"), [
        (line.criterion.key, line.lost) for line in score.missing
    ]
    # What is left is what no fiche field can give.
    assert score.total == 390
    assert {line.criterion.key for line in score.missing} == {"rights", "issued", "byte_size"}


FICHES_LICENCE = {"uri": "https://creativecommons.org/licenses/by/4.0/", "name": "CC BY 4.0"}


def test_mqa_says_what_costs_the_most(real):
    fiches, diagnoses = real
    by_id = {f.id: f for f in fiches}
    unmeasured = mqa.score(by_id["brussel-fietstellers"], None)
    measured = mqa.score(by_id["brussel-fietstellers"], diagnoses["brussel-fietstellers"])
    # Without a check the reachability of the accessURL is unknown: 0 points, flagged.
    first = unmeasured.missing[0]
    assert first.criterion.key == "access_url" and first.unmeasured and first.lost == 50
    assert measured.total == unmeasured.total + 50 + 5  # reachable now, and dct:modified
    lost = [line.lost for line in measured.missing]
    assert lost == sorted(lost, reverse=True)
    assert "licence" in {line.criterion.key for line in measured.missing}  # no licence given
    assert mqa.score(by_id["voetgangerstellingen-vlaanderen"], None) is None


def test_mqa_on_the_dataset_page_and_in_the_handbook(tmp_path):
    from datapedia.publish.render import render_site

    root = make_repo(tmp_path, history_days=2)
    report = render_site(root, root / "checks", NOW)
    fragments = report.out_dir / "fragments"
    entries, _, _ = load_entries(root, root / "checks")
    scores = {e.id: mqa.score(e.fiche, e.diagnosis) for e in entries}
    table = (fragments / "mqa-scores.md").read_text()
    for e in entries:
        row = next(line for line in table.splitlines() if f"datasets/{e.id}.md" in line)
        assert f"| {mqa.points_text(scores[e.id].total)} | {scores[e.id].rating[1]} |" in row
    page = (report.out_dir / "datasets" / "regen-gent.md").read_text()
    # Never checked: the reachability of its URL is not measured, and it says so.
    assert f"**{mqa.points_text(scores['regen-gent'].total)} van de 405 punten: " in page
    assert "(niet gemeten)" in page
    assert "<script>" not in table  # the hostile title is escaped
    criteria = (fragments / "mqa-tabel.md").read_text()
    assert criteria.count("\n| ") == len(mqa.CRITERIA) + 1


def test_built_site_links_every_dataset_page_to_its_rdf(tmp_path):
    from datapedia.publish.build import run_build

    root = make_repo(tmp_path, history_days=2)
    assert run_build(root, root / "checks", None, NOW, render_only=False, strict=True).complete
    public = root / "public"
    for fid in ("regen-gent", "fietstellingen", "waterpeil"):
        head = (public / "generated" / "datasets" / f"{fid}.html").read_text().split("</head>")[0]
        assert f'type="text/turtle" href="../../catalogus/{fid}.ttl"' in head
        assert (public / "catalogus" / f"{fid}.ttl").exists()
        assert head.count('<script type="application/ld+json">') == 1
    # The handbook shows the score of every fiche.
    handbook = (public / "handboek" / "catalogus.html").read_text()
    assert handbook.count("generated/datasets/") >= 3 and "405" in handbook
