"""Toegankelijkheid, judged from the fiche alone: licence, format, key, bulk, documentation."""

from __future__ import annotations

import re

from datapedia.judge.common import NOT_APPLICABLE, judged, media_family, say
from datapedia.model.fiche import AuthKind, DatasetStatus, Fiche
from datapedia.model.results import DimensionResult, Status

FINDINGS = (
    "TOE-01",
    "TOE-02",
    "TOE-03",
    "TOE-04",
    "TOE-05",
    "TOE-06",
    "TOE-07",
    "TOE-08",
    "TOE-09",
)

# Licences that allow reuse without conditions beyond attribution/share-alike,
# matched on the URI without scheme, "www." and trailing slash.
OPEN_LICENCES = (
    "data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik",
    "data.vlaanderen.be/doc/licentie/modellicentie-gratis-hergebruik",
    "creativecommons.org/publicdomain/zero/1.0",
    "creativecommons.org/licenses/by/4.0",
    "creativecommons.org/licenses/by-sa/4.0",
    "opendatacommons.org/licenses/odbl",
    "opendatacommons.org/licenses/pddl",
    "etalab.gouv.fr",
)
_RESTRICTED_LICENCE = re.compile(r"by-nc|-nd\b|by-nd|noncommercial|no-derivatives")

# Open, machine-readable media types beyond the json/xml/csv families.
_OPEN_MEDIA = {
    "text/turtle",
    "application/n-triples",
    "application/n-quads",
    "application/geopackage+sqlite3",
    "application/vnd.apache.parquet",
    "application/x-ndjson",
}


def _normalise_uri(uri: str) -> str:
    text = re.sub(r"^https?://(www\.)?", "", uri.strip().lower())
    return re.sub(r"/(legalcode|deed\.[a-z-]+)?$", "", text.rstrip("/")).rstrip("/")


def licence_finding(fiche: Fiche) -> tuple[str, str] | None:
    if fiche.licence is None:
        return say("TOE-02")
    uri = _normalise_uri(str(fiche.licence.uri))
    if _RESTRICTED_LICENCE.search(uri) or _RESTRICTED_LICENCE.search(fiche.licence.name.lower()):
        return say("TOE-03", licence=fiche.licence.name)
    if not any(uri.startswith(open_uri) for open_uri in OPEN_LICENCES):
        return say("TOE-09", licence=fiche.licence.name)
    return None


def is_open_format(media_type: str) -> bool:
    family = media_family(media_type)
    return family in ("json", "xml", "csv") or family in _OPEN_MEDIA


def accessibility(fiche: Fiche) -> DimensionResult:
    if fiche.status == DatasetStatus.ontbrekend:
        return DimensionResult(status=Status.unknown, summary=NOT_APPLICABLE)
    texts: list[tuple[str, str]] = []
    licence = licence_finding(fiche)
    if licence:
        texts.append(licence)
    formats = [d.format for d in fiche.distributions]
    open_formats = [f for f in formats if is_open_format(f)]
    if not open_formats:
        texts.append(say("TOE-06", formats=", ".join(dict.fromkeys(formats))))
    keyed = [d for d in fiche.distributions if d.auth.kind != AuthKind.none]
    for d in keyed:
        texts.append(say("TOE-04" if d.auth.documentation else "TOE-05", title=d.title))
    bulk = any(d.download for d in fiche.distributions)
    if not bulk:
        texts.append(say("TOE-07"))
    documented = fiche.documentation or any(d.documentation for d in fiche.distributions)
    if not documented:
        texts.append(say("TOE-08"))
    if not texts:
        texts.append(say("TOE-01"))
    evidence = {
        "licence": {"name": fiche.licence.name, "uri": str(fiche.licence.uri)}
        if fiche.licence
        else None,
        "licence_open": licence is None,
        "formats": formats,
        "open_formats": open_formats,
        "auth": {d.title: d.auth.kind.value for d in keyed},
        "bulk_download": bulk,
        "documentation": bool(documented),
    }
    return judged(texts, evidence)
