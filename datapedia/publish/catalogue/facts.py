"""What the catalogue states about a fiche, shared by the RDF and the MQA score.

Kept free of rdflib so the site's render step can score fiches without importing it.
"""

from __future__ import annotations

from datapedia.model.fiche import AuthKind, DatasetStatus, Distribution, Fiche
from datapedia.model.results import Diagnosis, Dimension, EndpointObservation
from datapedia.publish.catalogue import vocab


def published(fiche: Fiche) -> bool:
    """A dataset that does not exist yet is not offered to harvesters."""
    return fiche.status != DatasetStatus.ontbrekend


def is_page(dist: Distribution) -> bool:
    """An HTML page for people: DCAT-AP calls that a page (foaf:page), not a distribution."""
    return vocab.base_media_type(dist.format) == "text/html"


def data_distributions(fiche: Fiche) -> list[tuple[int, Distribution]]:
    """(index, distribution) of the distributions that carry data."""
    return [(i, d) for i, d in enumerate(fiche.distributions) if not is_page(d)]


def licence_uri(fiche: Fiche) -> str | None:
    """The EU licence term when one is known, else the fiche's URI (data.vlaanderen.be: /id/)."""
    if not fiche.licence:
        return None
    uri = str(fiche.licence.uri)
    return vocab.eu_licence(uri) or vocab.vlaanderen_id(uri)


def access_right(distributions: list[Distribution]) -> str:
    """PUBLIC, or RESTRICTED when an endpoint needs a key, token or registration."""
    keyed = any(d.auth.kind != AuthKind.none for d in distributions)
    return "RESTRICTED" if keyed else "PUBLIC"


def endpoint(diagnosis: Diagnosis | None, index: int) -> EndpointObservation | None:
    found = [e for e in diagnosis.endpoints if e.distribution == index] if diagnosis else []
    return found[0] if found else None


def reachable(diagnosis: Diagnosis | None, index: int) -> bool | None:
    """Did the URL answer 2xx at the last check; None when it was not asked."""
    seen = endpoint(diagnosis, index)
    if seen is None or seen.skipped or (seen.attempts == 0 and not seen.reachable):
        return None
    return bool(seen.reachable and seen.status_code and 200 <= seen.status_code < 300)


def modified(diagnosis: Diagnosis | None) -> str | None:
    """When the data last changed: the newest observation the last check read."""
    if diagnosis is None:
        return None
    newest = diagnosis.dimensions[Dimension.timeliness].evidence.get("newest")
    return str(newest) if newest else None
