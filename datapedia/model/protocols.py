"""What each protocol's URL must ask for the fields a fiche names (checked by ``validate``).

A rule is a function of the distribution that returns ``(field, Dutch message with the
fix)`` for a request that can never return what the fiche names. The load step checks
them on every fiche; each probe adapter carries its own protocol's rule, so both read
the one declaration here.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

from datapedia.model.distribution import Distribution, Protocol

# (field of the distribution, Dutch message with the fix)
UrlProblem = tuple[str, str]
UrlNeeds = Callable[[Distribution], list[UrlProblem]]

# Fields a value layer returns only with metadata=true and the field in md_returnfields
# (as pywaterinfo and wateRinfo ask them); without, a row is ts_id, timestamp, ts_value.
_KIWIS_METADATA_PREFIXES = (
    "station_",
    "stationparameter_",
    "parametertype_",
    "catchment_",
    "site_",
)
_KIWIS_METADATA_FIELDS = {"ts_name", "ts_shortname", "ts_unitname", "ts_unitsymbol", "dataprovider"}


def query_of(distribution: Distribution) -> dict[str, str]:
    """The URL's query parameters, names in lower case (services treat them so)."""
    query = urlsplit(str(distribution.url)).query
    return {name.lower(): value for name, value in parse_qsl(query, keep_blank_values=True)}


def no_url_needs(distribution: Distribution) -> list[UrlProblem]:
    return []


def kiwis_url_needs(distribution: Distribution) -> list[UrlProblem]:
    """A value layer field the fiche names needs metadata=true and md_returnfields."""
    query = query_of(distribution)
    if query.get("request", "").lower() != "gettimeseriesvaluelayer":
        return []
    metadata = query.get("metadata", "").lower() == "true"
    returned = (
        {f.strip() for f in query.get("md_returnfields", "").split(",")} if metadata else set()
    )
    named = [("id_field", distribution.id_field), ("timestamp_field", distribution.timestamp_field)]
    named += [("columns", column.name) for column in distribution.columns]
    problems = []
    for field, name in named:
        if name and _is_kiwis_metadata(name) and name not in returned:
            problems.append(
                (
                    field,
                    f"'{name}' staat enkel in een getTimeseriesValueLayer-antwoord met "
                    f"metadata=true en '{name}' in md_returnfields; voeg aan de URL toe: "
                    f"&metadata=true&md_returnfields={name} (naast de andere velden die je "
                    "nodig hebt)",
                )
            )
    return problems


def _is_kiwis_metadata(name: str) -> bool:
    return name.startswith(_KIWIS_METADATA_PREFIXES) or name in _KIWIS_METADATA_FIELDS


def wfs_url_needs(distribution: Distribution) -> list[UrlProblem]:
    """A GetFeature names the layer it asks (typeName in WFS 1.1, typeNames in 2.0)."""
    query = query_of(distribution)
    if query.get("request", "").lower() != "getfeature":
        return []
    if query.get("typename") or query.get("typenames"):
        return []
    return [
        (
            "url",
            "een WFS GetFeature zonder typeName levert geen features; voeg aan de URL "
            "toe: &typeName=<werkruimte:laag>",
        )
    ]


def opendatasoft_url_needs(distribution: Distribution) -> list[UrlProblem]:
    """Records come from .../records or .../exports/json; other paths describe a dataset."""
    path = urlsplit(str(distribution.url)).path.rstrip("/")
    if path.endswith("/records") or "/exports/" in path:
        return []
    return [
        (
            "url",
            "een Opendatasoft-URL levert enkel records via .../records of .../exports/json; "
            "bv. https://data.stad.gent/api/explore/v2.1/catalog/datasets/<dataset>/records",
        )
    ]


def brussels_mobility_url_needs(distribution: Distribution) -> list[UrlProblem]:
    """``cnt_time`` (the time of the latest count) exists only in ``request=live``."""
    if distribution.timestamp_field != "cnt_time":
        return []
    if query_of(distribution).get("request") == "live":
        return []
    return [
        (
            "timestamp_field",
            "'cnt_time' staat enkel in het antwoord op request=live; gebruik "
            "https://data.mobility.brussels/bike/api/counts/?request=live",
        )
    ]


def html_url_needs(distribution: Distribution) -> list[UrlProblem]:
    """Nothing of a landing page is read, so a field naming its content never is."""
    named = [
        ("timestamp_field", distribution.timestamp_field),
        ("id_field", distribution.id_field),
        ("columns", distribution.columns),
    ]
    return [
        (
            field,
            "protocol html leest de inhoud niet: dit veld wordt nooit gelezen; kies het "
            "protocol dat het formaat leest (csv, json, wfs, ...) of laat het veld weg",
        )
        for field, value in named
        if value
    ]


URL_NEEDS: dict[Protocol, UrlNeeds] = {
    Protocol.kiwis: kiwis_url_needs,
    Protocol.wfs: wfs_url_needs,
    Protocol.opendatasoft: opendatasoft_url_needs,
    Protocol.brussels_mobility: brussels_mobility_url_needs,
    Protocol.html: html_url_needs,
}


def url_needs(distribution: Distribution) -> list[UrlProblem]:
    """What ``distribution``'s own protocol needs of its URL; [] when it needs nothing."""
    return URL_NEEDS.get(distribution.protocol, no_url_needs)(distribution)
