"""The catalogue as DCAT-AP with DQV quality measurements (rdflib).

One ``dcat:Dataset`` per fiche; per measured dimension a ``dqv:QualityMeasurement``
whose ``dqv:isMeasurementOf`` is one ``dqv:Metric`` per dimension, defined in the
same graph so the file stands on its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, SKOS, XSD

from datapedia.fiche import Fiche
from datapedia.render import dataset_page, slug
from datapedia.results import Diagnosis, Dimension, Status

DQV = Namespace("http://www.w3.org/ns/dqv#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
# Fallback when neither DATAPEDIA_SITE_URL nor mkdocs' site_url is set: the local preview.
DEFAULT_SITE_URL = "http://127.0.0.1:8000/"
THEME_URIS = {
    "water": URIRef("http://publications.europa.eu/resource/authority/data-theme/ENVI"),
    "mobiliteit": URIRef("http://publications.europa.eu/resource/authority/data-theme/TRAN"),
}

EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
FREQUENCIES = {
    "PT1H": "HOURLY",
    "P1D": "DAILY",
    "P1W": "WEEKLY",
    "P1M": "MONTHLY",
    "P3M": "QUARTERLY",
    "P1Y": "ANNUAL",
}


def site_base(site_url: str | None = None) -> str:
    url = os.environ.get("DATAPEDIA_SITE_URL") or site_url or DEFAULT_SITE_URL
    return url if url.endswith("/") else url + "/"


def dataset_uri(base: str, fiche_id: str) -> URIRef:
    return URIRef(f"{base}{dataset_page(fiche_id)}#dataset")


def metric_uri(base: str, dimension: Dimension) -> URIRef:
    return URIRef(f"{base}handboek/dimensies.html#metric-{dimension.value}")


def catalog_graph(
    fiches: Iterable[Fiche], diagnoses: dict[str, Diagnosis], site_url: str | None
) -> Graph:
    base = site_base(site_url)
    g = Graph()
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("dqv", DQV)):
        g.bind(prefix, ns)
    g.bind("vcard", VCARD)
    g.bind("prov", PROV)
    g.bind("skos", SKOS)

    catalog = URIRef(f"{base}catalog")
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal("Datapedia Vlaanderen", lang="nl")))
    g.add(
        (
            catalog,
            DCTERMS.description,
            Literal(
                "Data voor water en mobiliteit in Vlaamse steden, met een gemeten diagnose.",
                lang="nl",
            ),
        )
    )
    g.add((catalog, FOAF.homepage, URIRef(base)))

    for dimension in Dimension:
        dim = URIRef(f"{base}handboek/dimensies.html#dimension-{dimension.value}")
        metric = metric_uri(base, dimension)
        g.add((dim, RDF.type, DQV.Dimension))
        g.add((dim, SKOS.prefLabel, Literal(dimension.label, lang="nl")))
        g.add((metric, RDF.type, DQV.Metric))
        g.add((metric, SKOS.prefLabel, Literal(f"status {dimension.label}", lang="nl")))
        g.add((metric, DQV.inDimension, dim))
        g.add((metric, DQV.expectedDataType, XSD.string))

    for fiche in fiches:
        ds = dataset_uri(base, fiche.id)
        g.add((catalog, DCAT.dataset, ds))
        _add_dataset(g, base, ds, fiche)
        diagnosis = diagnoses.get(fiche.id)
        if diagnosis:
            _add_measurements(g, base, ds, diagnosis)
    return g


def _add_dataset(g: Graph, base: str, ds: URIRef, fiche: Fiche) -> None:
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.identifier, Literal(fiche.id)))
    g.add((ds, DCTERMS.title, Literal(fiche.title, lang="nl")))
    g.add((ds, DCTERMS.description, Literal(fiche.description, lang="nl")))
    g.add((ds, DCAT.theme, THEME_URIS[fiche.theme.value]))
    for keyword in fiche.keywords:
        g.add((ds, DCAT.keyword, Literal(keyword, lang="nl")))

    # One node per organisation across fiches: its own URI, else its page on the site.
    publisher = URIRef(
        str(fiche.owner.uri)
        if fiche.owner.uri
        else f"{base}generated/eigenaars/{slug(fiche.owner.name)}.html#organisatie"
    )
    g.add((ds, DCTERMS.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Organization))
    g.add((publisher, FOAF.name, Literal(fiche.owner.name, lang="nl")))

    contact = BNode()
    g.add((ds, DCAT.contactPoint, contact))
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{fiche.owner.contact.email}")))
    if fiche.owner.contact.name:
        g.add((contact, VCARD.fn, Literal(fiche.owner.contact.name)))
    if fiche.owner.contact.url:
        g.add((contact, VCARD.hasURL, URIRef(str(fiche.owner.contact.url))))

    if fiche.licence:
        g.add((ds, DCTERMS.license, URIRef(str(fiche.licence.uri))))
    if fiche.landing_page:
        g.add((ds, DCAT.landingPage, URIRef(str(fiche.landing_page))))
    if fiche.documentation:
        g.add((ds, FOAF.page, URIRef(str(fiche.documentation))))
    if fiche.update_frequency:
        g.add((ds, DCTERMS.accrualPeriodicity, _frequency(g, fiche.update_frequency)))
    if fiche.spatial:
        place = URIRef(str(fiche.spatial.uri)) if fiche.spatial.uri else BNode()
        g.add((ds, DCTERMS.spatial, place))
        g.add((place, RDF.type, DCTERMS.Location))
        g.add((place, SKOS.prefLabel, Literal(fiche.spatial.name, lang="nl")))
        if fiche.spatial.bbox:
            west, south, east, north = fiche.spatial.bbox
            wkt = (
                f"POLYGON(({west} {south},{east} {south},{east} {north},"
                f"{west} {north},{west} {south}))"
            )
            g.add((place, DCAT.bbox, Literal(wkt)))
    for standard in fiche.standards:
        spec = URIRef(str(standard.uri)) if standard.uri else BNode()
        g.add((ds, DCTERMS.conformsTo, spec))
        g.add((spec, RDF.type, DCTERMS.Standard))
        g.add((spec, DCTERMS.title, Literal(standard.name)))

    for index, dist in enumerate(fiche.distributions):
        node = URIRef(f"{ds}-distributie-{index}")
        g.add((ds, DCAT.distribution, node))
        g.add((node, RDF.type, DCAT.Distribution))
        g.add((node, DCTERMS.title, Literal(dist.title, lang="nl")))
        g.add((node, DCAT.accessURL, URIRef(str(dist.url))))
        if dist.download:
            g.add((node, DCAT.downloadURL, URIRef(str(dist.url))))
        g.add((node, DCAT.mediaType, Literal(dist.format)))
        if fiche.licence:
            g.add((node, DCTERMS.license, URIRef(str(fiche.licence.uri))))


def _frequency(g: Graph, duration: str) -> URIRef | BNode:
    """The EU frequency authority term when one fits exactly, else a dct:Frequency node."""
    if duration in FREQUENCIES:
        return URIRef(EU_FREQUENCY + FREQUENCIES[duration])
    node = BNode()
    g.add((node, RDF.type, DCTERMS.Frequency))
    g.add((node, RDF.value, Literal(duration, datatype=XSD.duration)))
    return node


def _add_measurements(g: Graph, base: str, ds: URIRef, diagnosis: Diagnosis) -> None:
    checked = Literal(diagnosis.checked_at.isoformat(), datatype=XSD.dateTime)
    for dimension, result in diagnosis.dimensions.items():
        if result.status == Status.unknown:
            continue  # not measured: no measurement to publish
        node = URIRef(f"{ds}-meting-{dimension.value}")
        g.add((ds, DQV.hasQualityMeasurement, node))
        g.add((node, RDF.type, DQV.QualityMeasurement))
        g.add((node, DQV.computedOn, ds))
        g.add((node, DQV.isMeasurementOf, metric_uri(base, dimension)))
        g.add((node, DQV.value, Literal(result.status.value)))
        g.add((node, PROV.generatedAtTime, checked))
        g.add((node, SKOS.note, Literal(result.summary, lang="nl")))
