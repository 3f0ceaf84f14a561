"""The few controlled vocabularies the catalogue needs, as small mapping tables.

Only terms we know exist are listed; anything else is left out of the RDF (and costs
MQA points, which the score then names) rather than guessed.
"""

from __future__ import annotations

import re

EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"

# Registered IANA media types the fiches use, with the EU file-type term for dct:format.
MEDIA_TYPES: dict[str, str] = {
    "application/json": "JSON",
    "application/geo+json": "GEOJSON",
    "application/xml": "XML",
    "text/xml": "XML",
    "application/gml+xml": "GML",
    "text/csv": "CSV",
    "text/html": "HTML",
}
# Formats data.europa.eu's MQA counts as machine-readable and non-proprietary
# (all of the above except HTML, which is a page for people).
MACHINE_READABLE = {"JSON", "GEOJSON", "XML", "GML", "CSV"}
NON_PROPRIETARY = {"JSON", "GEOJSON", "XML", "GML", "CSV", "HTML"}

# ISO 8601 durations as fiches write them -> the EU frequency authority table.
FREQUENCIES: dict[str, str] = {
    "PT1M": "1MIN",
    "PT5M": "5MIN",
    "PT10M": "10MIN",
    "PT15M": "15MIN",
    "PT30M": "30MIN",
    "PT1H": "HOURLY",
    "PT2H": "BIHOURLY",
    "PT3H": "TRIHOURLY",
    "PT12H": "12HRS",
    "P1D": "DAILY",
    "P1W": "WEEKLY",
    "P1M": "MONTHLY",
    "P3M": "QUARTERLY",
    "P1Y": "ANNUAL",
}
OTHER_FREQUENCY = EU + "frequency/OTHER"

# Licence URIs (as normalised by ``licence_key``) -> the EU licence authority table.
EU_LICENCES: dict[str, str] = {
    "creativecommons.org/licenses/by/4.0": "CC_BY_4_0",
    "creativecommons.org/licenses/by-sa/4.0": "CC_BYSA_4_0",
    "creativecommons.org/licenses/by-nc/4.0": "CC_BYNC_4_0",
    "creativecommons.org/publicdomain/zero/1.0": "CC0",
}

ACCESS_RIGHTS = EU + "access-right/"
LANGUAGE_NL = EU + "language/NLD"
THEMES = {"water": EU + "data-theme/ENVI", "mobiliteit": EU + "data-theme/TRAN"}
THEME_LABELS = {"water": "Milieu", "mobiliteit": "Vervoer"}  # the table's Dutch labels

# data.vlaanderen.be serves /doc/ pages about the things named /id/ (organisations,
# licences); DCAT-AP Vlaanderen wants the /id/ form.
_VLAANDEREN_DOC = re.compile(r"^https?://data\.vlaanderen\.be/doc/(organisatie|licentie)/")
_OVO = re.compile(r"/organisatie/(OVO\d{6})$")


def base_media_type(text: str) -> str:
    """``application/gml+xml; version=3.2`` -> ``application/gml+xml``."""
    return text.split(";", 1)[0].strip().lower()


def iana_uri(media_type: str) -> str | None:
    base = base_media_type(media_type)
    return IANA + base if base in MEDIA_TYPES else None


def file_type(media_type: str) -> str | None:
    """The EU file-type code (``JSON``) of a media type, or None when we do not know it."""
    return MEDIA_TYPES.get(base_media_type(media_type))


def frequency_uri(duration: str) -> str | None:
    code = FREQUENCIES.get(duration)
    return f"{EU}frequency/{code}" if code else None


def licence_key(uri: str) -> str:
    text = re.sub(r"^https?://(www\.)?", "", uri.strip())
    return re.sub(r"/(legalcode(\.[a-z]+)?|deed\.[a-z-]+)?$", "", text.rstrip("/")).rstrip("/")


def eu_licence(uri: str) -> str | None:
    code = EU_LICENCES.get(licence_key(uri))
    return f"{EU}licence/{code}" if code else None


def vlaanderen_id(uri: str) -> str:
    """The /id/ URI of a data.vlaanderen.be organisation or licence given as its /doc/ page."""
    return _VLAANDEREN_DOC.sub(r"https://data.vlaanderen.be/id/\1/", uri)


def ovo_code(uri: str) -> str | None:
    match = _OVO.search(vlaanderen_id(uri))
    return match.group(1) if match else None
