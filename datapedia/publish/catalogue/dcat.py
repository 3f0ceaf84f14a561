"""The catalogue as DCAT-AP 2.1.1/3.0.1 with DQV quality measurements (rdflib).

Every resource a DCAT-AP range shape asks a class of carries that class here (agents,
licences, media types, frequencies, documents, themes), so the catalogue conforms to
the official SHACL shapes without the harvester's background knowledge
(``tests/test_catalogue.py`` checks it with pyshacl). DCAT-AP Vlaanderen 2.0 additions
applied: organisations and licences of data.vlaanderen.be in their ``/id/`` form with the
OVO code as ``dct:identifier``; ``dct:identifier`` on every dataset; ``dct:accessRights``
from the EU access-right table; an owner's own record as ``adms:identifier``.

A dataset that does not exist yet (``status: ontbrekend``) is not published: it has no
distribution and no owner who confirmed it, so a harvester must not list it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

from datapedia.model.fiche import Distribution, Fiche, Protocol
from datapedia.model.results import Diagnosis, Dimension, Status
from datapedia.publish.catalogue import vocab
from datapedia.publish.catalogue.facts import (
    access_right,
    data_distributions,
    is_page,
    licence_uri,
    modified,
    published,
)
from datapedia.publish.catalogue.measures import MEASURES, measured_values
from datapedia.publish.catalogue.text import plain_text
from datapedia.publish.paths import dataset_page, slug

DQV = Namespace("http://www.w3.org/ns/dqv#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
OA = Namespace("http://www.w3.org/ns/oa#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
# Fallback when neither DATAPEDIA_SITE_URL nor mkdocs' site_url is set: the local preview.
DEFAULT_SITE_URL = "http://127.0.0.1:8000/"
# Protocols that answer queries rather than serve a file: published as dcat:DataService.
SERVICES = {
    Protocol.kiwis,
    Protocol.wfs,
    Protocol.opendatasoft,
    Protocol.telraam,
    Protocol.brussels_mobility,
}
CATALOG_FILE = "catalog.ttl"
DATASET_FOLDER = "catalogus"  # catalogus/<id>.ttl and .jsonld: one dataset each


def site_base(site_url: str | None = None) -> str:
    url = os.environ.get("DATAPEDIA_SITE_URL") or site_url or DEFAULT_SITE_URL
    return url if url.endswith("/") else url + "/"


def dataset_uri(base: str, fiche_id: str) -> URIRef:
    return URIRef(f"{base}{dataset_page(fiche_id)}#dataset")


def dataset_document(base: str, fiche_id: str) -> str:
    """The dataset's own Turtle file: distributions, services and measurements are
    fragments of it, so their URIs dereference to the file that describes them."""
    return f"{base}{DATASET_FOLDER}/{fiche_id}.ttl"


def new_graph() -> Graph:
    g = Graph()
    for prefix, ns in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("dqv", DQV),
        ("vcard", VCARD),
        ("prov", PROV),
        ("skos", SKOS),
        ("adms", ADMS),
        ("oa", OA),
        ("gsp", GSP),
    ):
        g.bind(prefix, ns)
    return g


def _typed(g: Graph, uri: str | URIRef, *classes: URIRef) -> URIRef:
    node = URIRef(str(uri))
    for cls in classes:
        g.add((node, RDF.type, cls))
    return node


def _document(g: Graph, url: object) -> URIRef:
    return _typed(g, str(url), FOAF.Document)


def catalog_graph(
    fiches: Iterable[Fiche],
    diagnoses: dict[str, Diagnosis],
    site_url: str | None,
    parts: dict[str, Graph] | None = None,
) -> Graph:
    """The whole catalogue: the catalogue node, the quality model and every dataset.

    ``parts``, when given, receives each dataset's own graph (fiche id -> graph).
    """
    base = site_base(site_url)
    g = new_graph()
    catalog = add_catalog(g, base, diagnoses.values())
    add_quality_model(g, base)
    for fiche in fiches:
        if published(fiche):
            part = dataset_graph(base, fiche, diagnoses.get(fiche.id))
            g += part
            g.add((catalog, DCAT.dataset, dataset_uri(base, fiche.id)))
            for service in part.subjects(RDF.type, DCAT.DataService):
                g.add((catalog, DCAT.service, service))
            if parts is not None:
                parts[fiche.id] = part
    return g


def add_catalog(g: Graph, base: str, diagnoses: Iterable[Diagnosis]) -> URIRef:
    catalog = URIRef(f"{base}{CATALOG_FILE}#catalogus")
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
    g.add((catalog, FOAF.homepage, _document(g, base)))
    g.add((catalog, DCTERMS.language, _typed(g, vocab.LANGUAGE_NL, DCTERMS.LinguisticSystem)))
    publisher = _typed(g, f"{base}{CATALOG_FILE}#uitgever", FOAF.Agent, FOAF.Organization)
    g.add((publisher, FOAF.name, Literal("Datapedia Vlaanderen", lang="nl")))
    g.add((catalog, DCTERMS.publisher, publisher))
    scheme = _typed(g, vocab.EU + "data-theme", SKOS.ConceptScheme)
    g.add((scheme, DCTERMS.title, Literal("Data theme", lang="en")))
    g.add((catalog, DCAT.themeTaxonomy, scheme))
    checked = [d.checked_at for d in diagnoses]
    if checked:
        g.add((catalog, DCTERMS.modified, Literal(max(checked).isoformat(), datatype=XSD.dateTime)))
    return catalog


# --- DQV: our six dimensions and one metric per measured number ----------------------
def dimension_uri(base: str, dimension: Dimension) -> URIRef:
    return URIRef(f"{base}{CATALOG_FILE}#dimensie-{dimension.value}")


def metric_uri(base: str, key: str) -> URIRef:
    return URIRef(f"{base}{CATALOG_FILE}#metriek-{key}")


def add_quality_model(g: Graph, base: str) -> None:
    for dimension in Dimension:
        dim = dimension_uri(base, dimension)
        g.add((dim, RDF.type, DQV.Dimension))
        g.add((dim, SKOS.prefLabel, Literal(dimension.label, lang="nl")))
    for measure in MEASURES:
        metric = metric_uri(base, measure.key)
        g.add((metric, RDF.type, DQV.Metric))
        g.add((metric, SKOS.prefLabel, Literal(measure.label, lang="nl")))
        g.add(
            (
                metric,
                SKOS.definition,
                Literal(f"Eenheid: {measure.unit}. Beoordeling: {measure.threshold}.", lang="nl"),
            )
        )
        g.add((metric, DQV.expectedDataType, XSD[measure.datatype]))
        g.add((metric, DQV.inDimension, dimension_uri(base, measure.dimension)))


# --- one dataset ----------------------------------------------------------------------
def dataset_graph(base: str, fiche: Fiche, diagnosis: Diagnosis | None) -> Graph:
    """One fiche's dataset, distributions, services, agents and quality, as its own graph."""
    g = new_graph()
    ds = dataset_uri(base, fiche.id)
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.identifier, Literal(fiche.id)))
    g.add((ds, DCTERMS.title, Literal(fiche.title, lang="nl")))
    g.add((ds, DCTERMS.description, Literal(plain_text(fiche.description), lang="nl")))
    theme = _typed(g, vocab.THEMES[fiche.theme.value], SKOS.Concept)
    g.add((theme, SKOS.inScheme, URIRef(vocab.EU + "data-theme")))
    g.add((theme, SKOS.prefLabel, Literal(vocab.THEME_LABELS[fiche.theme.value], lang="nl")))
    g.add((ds, DCAT.theme, theme))
    for keyword in fiche.keywords:
        g.add((ds, DCAT.keyword, Literal(keyword, lang="nl")))
    _add_agents(g, base, ds, fiche)
    if fiche.landing_page:
        g.add((ds, DCAT.landingPage, _document(g, fiche.landing_page)))
    if fiche.documentation:
        g.add((ds, FOAF.page, _document(g, fiche.documentation)))
    if fiche.catalogue_record:
        record = BNode()
        g.add((ds, ADMS.identifier, record))
        g.add((record, RDF.type, ADMS.Identifier))
        g.add((record, SKOS.notation, Literal(str(fiche.catalogue_record), datatype=XSD.anyURI)))
        g.add((ds, RDFS.seeAlso, URIRef(str(fiche.catalogue_record))))
    g.add((ds, DCTERMS.accessRights, _access_rights(g, fiche.distributions)))
    _add_frequency(g, ds, fiche.update_frequency)
    _add_extent(g, ds, fiche)
    for standard in fiche.standards:
        spec = URIRef(str(standard.uri)) if standard.uri else BNode()
        g.add((ds, DCTERMS.conformsTo, spec))
        g.add((spec, RDF.type, DCTERMS.Standard))
        g.add((spec, DCTERMS.title, Literal(standard.name)))
    for dist in fiche.distributions:
        if is_page(dist):
            g.add((ds, FOAF.page, _document(g, dist.url)))
    for index, dist in data_distributions(fiche):
        _add_distribution(g, base, ds, fiche, index, dist, diagnosis)
    changed = modified(diagnosis)
    if changed:
        g.add((ds, DCTERMS.modified, Literal(changed, datatype=XSD.dateTime)))
    if diagnosis:
        add_quality(g, base, ds, fiche.id, diagnosis)
    return g


def _add_agents(g: Graph, base: str, ds: URIRef, fiche: Fiche) -> None:
    owner = fiche.owner
    # One node per organisation across fiches: its own URI, else its page on the site.
    uri = (
        vocab.vlaanderen_id(str(owner.uri))
        if owner.uri
        else f"{base}generated/eigenaars/{slug(owner.name)}.html#organisatie"
    )
    publisher = _typed(g, uri, FOAF.Agent, FOAF.Organization)
    g.add((ds, DCTERMS.publisher, publisher))
    g.add((publisher, FOAF.name, Literal(owner.name, lang="nl")))
    ovo = vocab.ovo_code(uri)
    if ovo:
        g.add((publisher, DCTERMS.identifier, Literal(ovo)))

    contact = BNode()
    g.add((ds, DCAT.contactPoint, contact))
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{owner.contact.email}")))
    g.add((contact, VCARD.fn, Literal(owner.contact.name or owner.name)))
    if owner.contact.url:
        g.add((contact, VCARD.hasURL, URIRef(str(owner.contact.url))))


def _licence(g: Graph, fiche: Fiche) -> URIRef | None:
    uri = licence_uri(fiche)
    if uri is None or fiche.licence is None:
        return None
    node = _typed(g, uri, DCTERMS.LicenseDocument)
    g.add((node, RDFS.label, Literal(fiche.licence.name)))
    return node


def _access_rights(g: Graph, distributions: list[Distribution]) -> URIRef:
    return _typed(g, vocab.ACCESS_RIGHTS + access_right(distributions), DCTERMS.RightsStatement)


def _add_frequency(g: Graph, ds: URIRef, duration: str | None) -> None:
    if not duration:
        return
    uri = vocab.frequency_uri(duration)
    g.add(
        (ds, DCTERMS.accrualPeriodicity, _typed(g, uri or vocab.OTHER_FREQUENCY, DCTERMS.Frequency))
    )
    if uri is None:
        # No exact EU term: keep the declared step itself.
        g.add((ds, DCAT.temporalResolution, Literal(duration, datatype=XSD.duration)))


def _add_extent(g: Graph, ds: URIRef, fiche: Fiche) -> None:
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
            g.add((place, DCAT.bbox, Literal(wkt, datatype=GSP.wktLiteral)))
    if fiche.temporal and (fiche.temporal.start or fiche.temporal.end):
        period = BNode()
        g.add((ds, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if fiche.temporal.start:
            g.add((period, DCAT.startDate, Literal(fiche.temporal.start, datatype=XSD.date)))
        if fiche.temporal.end:
            g.add((period, DCAT.endDate, Literal(fiche.temporal.end, datatype=XSD.date)))


def endpoint_url(url: str) -> str:
    """A service's root: the request URL without its query."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _add_distribution(
    g: Graph,
    base: str,
    ds: URIRef,
    fiche: Fiche,
    index: int,
    dist: Distribution,
    diagnosis: Diagnosis | None,
) -> None:
    doc = dataset_document(base, fiche.id)
    node = URIRef(f"{doc}#distributie-{index}")
    g.add((ds, DCAT.distribution, node))
    g.add((node, RDF.type, DCAT.Distribution))
    g.add((node, DCTERMS.title, Literal(dist.title, lang="nl")))
    g.add((node, DCAT.accessURL, URIRef(str(dist.url))))
    if dist.download:
        g.add((node, DCAT.downloadURL, URIRef(str(dist.url))))
    media = vocab.iana_uri(dist.format)
    if media:
        g.add((node, DCAT.mediaType, _typed(g, media, DCTERMS.MediaType)))
    code = vocab.file_type(dist.format)
    if code:
        file_type = _typed(g, f"{vocab.EU}file-type/{code}", DCTERMS.MediaTypeOrExtent)
        g.add((node, DCTERMS.format, file_type))
    licence = _licence(g, fiche)
    if licence is not None:
        g.add((node, DCTERMS.license, licence))
    if dist.documentation:
        g.add((node, FOAF.page, _document(g, dist.documentation)))
    # No dcat:byteSize: DCAT-AP 2.1.1 wants it as xsd:decimal, 3.0.1 as
    # xsd:nonNegativeInteger, and one literal cannot conform to both.
    if dist.protocol in SERVICES:
        service = URIRef(f"{doc}#dienst-{index}")
        g.add((service, RDF.type, DCAT.DataService))
        g.add((service, DCTERMS.title, Literal(dist.title, lang="nl")))
        g.add((service, DCAT.endpointURL, URIRef(endpoint_url(str(dist.url)))))
        g.add((service, DCAT.servesDataset, ds))
        g.add((service, DCTERMS.accessRights, _access_rights(g, [dist])))
        if licence is not None:
            g.add((service, DCTERMS.license, licence))
        if dist.documentation:
            g.add((service, DCAT.endpointDescription, URIRef(str(dist.documentation))))
        g.add((node, DCAT.accessService, service))


# --- DQV: the measured numbers and the verdict per dimension --------------------------
def add_quality(g: Graph, base: str, ds: URIRef, fiche_id: str, diagnosis: Diagnosis) -> None:
    doc = dataset_document(base, fiche_id)
    checked = Literal(diagnosis.checked_at.isoformat(), datatype=XSD.dateTime)
    values = measured_values(diagnosis)
    by_dimension: dict[Dimension, list[URIRef]] = {}
    for measure in MEASURES:
        if measure.key not in values:
            continue
        node = URIRef(f"{doc}#meting-{measure.key}")
        g.add((ds, DQV.hasQualityMeasurement, node))
        g.add((node, RDF.type, DQV.QualityMeasurement))
        g.add((node, DQV.computedOn, ds))
        g.add((node, DQV.isMeasurementOf, metric_uri(base, measure.key)))
        g.add((node, DQV.value, Literal(values[measure.key], datatype=XSD[measure.datatype])))
        g.add((node, PROV.generatedAtTime, checked))
        by_dimension.setdefault(measure.dimension, []).append(node)
    for dimension, result in diagnosis.dimensions.items():
        # The verdict is an annotation on the dataset, kept apart from the numbers; an
        # unknown dimension says "niet gemeten" and why.
        node = URIRef(f"{doc}#oordeel-{dimension.value}")
        body = BNode()
        g.add((ds, DQV.hasQualityAnnotation, node))
        g.add((node, RDF.type, DQV.QualityAnnotation))
        g.add((node, OA.hasTarget, ds))
        g.add((node, OA.motivatedBy, DQV.qualityAssessment))
        g.add((node, DQV.inDimension, dimension_uri(base, dimension)))
        g.add((node, PROV.generatedAtTime, checked))
        g.add((node, OA.hasBody, body))
        g.add((body, RDF.type, OA.TextualBody))
        g.add((body, RDF.value, Literal(result.status.value)))
        label = "niet gemeten" if result.status == Status.unknown else result.status.label
        g.add((body, SKOS.prefLabel, Literal(label, lang="nl")))
        g.add((body, SKOS.note, Literal(plain_text(result.summary), lang="nl")))
        for measurement in by_dimension.get(dimension, []):
            g.add((node, PROV.wasDerivedFrom, measurement))
