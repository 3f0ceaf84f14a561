"""The data.europa.eu Metadata Quality Assessment (MQA) score of each fiche, offline.

We follow the MQA methodology's 405-point table (data.europa.eu/mqa/methodology):
findability 100, accessibility 100, interoperability 110, reusability 75, contextuality
20; rating Excellent 351-405, Good 221-350, Sufficient 121-220, Bad 0-120. Properties of
distributions count by the share of distributions that have them; interoperability counts
the best distribution only, as the MQA does. What the MQA measures online (does the
accessURL/downloadURL answer 2xx) comes from our last check; without one it scores 0 and
says "niet gemeten". DCAT-AP compliance is scored as the test suite checks it (pyshacl
against the official shapes, 0 violations), not per build.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from datapedia.model.fiche import Distribution, Fiche
from datapedia.model.results import Diagnosis
from datapedia.publish.catalogue import vocab
from datapedia.publish.catalogue.facts import (
    data_distributions,
    licence_uri,
    modified,
    published,
    reachable,
)
from datapedia.publish.catalogue.measures import nl_number

MAXIMUM = 405
# (lowest points, MQA band, Dutch label), best first.
RATINGS = (
    (351, "Excellent", "uitstekend"),
    (221, "Good", "goed"),
    (121, "Sufficient", "voldoende"),
    (0, "Bad", "onvoldoende"),
)
DIMENSIONS = {
    "findability": "vindbaarheid",
    "accessibility": "toegankelijkheid",
    "interoperability": "interoperabiliteit",
    "reusability": "herbruikbaarheid",
    "contextuality": "context",
}

# A check on the dataset or one distribution: True/False, or None when it needs a check
# (a probe run) that has not happened.
DistCheck = Callable[[Fiche, Diagnosis | None, int, Distribution], bool | None]
DatasetCheck = Callable[[Fiche, Diagnosis | None], bool | None]


@dataclass(frozen=True)
class Criterion:
    key: str
    dimension: str  # key of DIMENSIONS
    prop: str  # the DCAT-AP property the MQA looks at
    points: int
    how: str  # Dutch: how we decide it (the handbook shows it)
    advice: str = ""  # Dutch, Markdown: what the owner can do; empty when always met
    dataset: DatasetCheck | None = None
    distribution: DistCheck | None = None


def _media(d: Distribution) -> bool:
    return vocab.iana_uri(d.format) is not None


def _format(d: Distribution) -> bool:
    return vocab.file_type(d.format) is not None


def _always(fiche: Fiche, diagnosis: Diagnosis | None) -> bool:
    return True


def _never(fiche: Fiche, diagnosis: Diagnosis | None, index: int, dist: Distribution) -> bool:
    return False


_MEDIA_ADVICE = "geef in `format` een geregistreerd mediatype (bv. `text/csv`, `application/json`)"
_OPEN_FORMATS = "CSV, JSON, GeoJSON, XML of GML"
CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "keyword",
        "findability",
        "dcat:keyword",
        30,
        "uit `keywords`",
        "vul `keywords` in",
        dataset=lambda f, d: bool(f.keywords),
    ),
    Criterion(
        "theme", "findability", "dcat:theme", 30, "het thema (EU-lijst data-theme)", dataset=_always
    ),
    Criterion(
        "spatial",
        "findability",
        "dct:spatial",
        20,
        "uit `spatial`",
        "vul `spatial` in (gebied en bbox)",
        dataset=lambda f, d: f.spatial is not None,
    ),
    Criterion(
        "temporal",
        "findability",
        "dct:temporal",
        20,
        "uit `temporal`",
        "vul `temporal.start` in (eerste dag met data)",
        dataset=lambda f, d: bool(f.temporal and (f.temporal.start or f.temporal.end)),
    ),
    Criterion(
        "access_url",
        "accessibility",
        "dcat:accessURL antwoordt (2xx)",
        50,
        "gemeten bij de laatste controle; zonder controle niet gemeten (0 punten)",
        "laat elk eindpunt zonder fout antwoorden (zie beschikbaarheid)",
        distribution=lambda f, d, i, dist: reachable(d, i),
    ),
    Criterion(
        "download_url",
        "accessibility",
        "dcat:downloadURL",
        20,
        "distributies met `download: true`",
        "bied de volledige data als bestand aan en zet `download: true` bij die distributie",
        distribution=lambda f, d, i, dist: dist.download,
    ),
    Criterion(
        "download_url_ok",
        "accessibility",
        "dcat:downloadURL antwoordt (2xx)",
        30,
        "gemeten bij de laatste controle; zonder controle niet gemeten (0 punten)",
        "bied een bulkbestand aan dat zonder fout antwoordt",
        distribution=lambda f, d, i, dist: reachable(d, i) if dist.download else False,
    ),
    Criterion(
        "format",
        "interoperability",
        "dct:format",
        20,
        "EU-lijst file-type, afgeleid uit `format`",
        _MEDIA_ADVICE,
        distribution=lambda f, d, i, dist: _format(dist),
    ),
    Criterion(
        "media_type",
        "interoperability",
        "dcat:mediaType",
        10,
        "IANA-mediatype uit `format` (zonder parameters)",
        _MEDIA_ADVICE,
        distribution=lambda f, d, i, dist: _media(dist),
    ),
    Criterion(
        "vocabulary",
        "interoperability",
        "dct:format en dcat:mediaType uit een vocabularium",
        10,
        "beide uit de EU- en IANA-lijsten",
        _MEDIA_ADVICE,
        distribution=lambda f, d, i, dist: _format(dist) and _media(dist),
    ),
    Criterion(
        "non_proprietary",
        "interoperability",
        "niet-propriëtair formaat",
        20,
        _OPEN_FORMATS + " of HTML",
        f"publiceer ook in een open formaat ({_OPEN_FORMATS})",
        distribution=lambda f, d, i, dist: vocab.file_type(dist.format) in vocab.NON_PROPRIETARY,
    ),
    Criterion(
        "machine_readable",
        "interoperability",
        "machineleesbaar formaat",
        20,
        _OPEN_FORMATS,
        f"publiceer in een machineleesbaar formaat ({_OPEN_FORMATS})",
        distribution=lambda f, d, i, dist: vocab.file_type(dist.format) in vocab.MACHINE_READABLE,
    ),
    Criterion(
        "dcat_ap",
        "interoperability",
        "DCAT-AP-conform",
        30,
        "de testsuite valideert de catalogus met pyshacl tegen de officiële SHACL-vormen "
        "van DCAT-AP 2.1.1 en 3.0.1 (0 overtredingen); niet bij elke opbouw",
        dataset=_always,
    ),
    Criterion(
        "licence",
        "reusability",
        "dct:license",
        20,
        "uit `licence`",
        "vul `licence` in",
        distribution=lambda f, d, i, dist: f.licence is not None,
    ),
    Criterion(
        "licence_vocabulary",
        "reusability",
        "dct:license uit een vocabularium",
        10,
        "licenties waarvan we de term in de EU-lijst kennen (CC BY 4.0, CC BY-SA 4.0, "
        "CC BY-NC 4.0, CC0); de Modellicentie Gratis Hergebruik hoort daar (nog) niet bij",
        "een licentie uit de EU-lijst (bv. CC BY 4.0) telt hier mee",
        distribution=lambda f, d, i, dist: (licence_uri(f) or "").startswith(vocab.EU),
    ),
    Criterion(
        "access_rights",
        "reusability",
        "dct:accessRights",
        10,
        "PUBLIC, of RESTRICTED als een eindpunt een sleutel, token of registratie vraagt",
        dataset=_always,
    ),
    Criterion(
        "access_rights_vocabulary",
        "reusability",
        "dct:accessRights uit een vocabularium",
        5,
        "EU-lijst access-right",
        dataset=_always,
    ),
    Criterion(
        "contact_point",
        "reusability",
        "dcat:contactPoint",
        20,
        "uit `owner.contact` (verplicht in de fiche)",
        dataset=_always,
    ),
    Criterion(
        "publisher",
        "reusability",
        "dct:publisher",
        10,
        "uit `owner` (verplicht in de fiche)",
        dataset=_always,
    ),
    Criterion(
        "rights",
        "contextuality",
        "dct:rights",
        5,
        "niet gepubliceerd",
        "geen veld in de fiche: de catalogus publiceert geen aparte rechtenverklaring",
        distribution=_never,
    ),
    Criterion(
        "byte_size",
        "contextuality",
        "dcat:byteSize",
        5,
        "niet gepubliceerd: DCAT-AP 2.1.1 eist xsd:decimal, 3.0.1 xsd:nonNegativeInteger",
        "geen veld in de fiche: de twee versies van DCAT-AP eisen een ander datatype",
        distribution=_never,
    ),
    Criterion(
        "issued",
        "contextuality",
        "dct:issued",
        5,
        "niet gepubliceerd",
        "geen veld in de fiche: de datum van eerste publicatie is onbekend",
        dataset=lambda f, d: False,
    ),
    Criterion(
        "modified",
        "contextuality",
        "dct:modified",
        5,
        "de nieuwste waarneming die de laatste controle las; zonder controle niet gemeten",
        "de controle vond geen tijdstip in de data (zie actualiteit)",
        dataset=lambda f, d: (modified(d) is not None) if d else None,
    ),
)
assert sum(c.points for c in CRITERIA) == MAXIMUM


@dataclass(frozen=True)
class Line:
    criterion: Criterion
    share: float  # 0..1 of the population that meets it
    unmeasured: bool  # part of it could not be known without a check

    @property
    def points(self) -> float:
        return self.criterion.points * self.share

    @property
    def lost(self) -> float:
        return self.criterion.points - self.points


@dataclass(frozen=True)
class Score:
    fiche_id: str
    lines: tuple[Line, ...]

    @cached_property
    def total(self) -> float:
        return sum(line.points for line in self.lines)

    def dimension(self, key: str) -> float:
        return sum(line.points for line in self.lines if line.criterion.dimension == key)

    @property
    def rating(self) -> tuple[str, str]:
        """(MQA band, Dutch label)."""
        points = round(self.total)
        return next((en, nl) for low, en, nl in RATINGS if points >= low)

    @cached_property
    def missing(self) -> list[Line]:
        """What costs points, the most expensive first."""
        lost = [line for line in self.lines if line.lost > 0.005]
        return sorted(lost, key=lambda line: (-line.lost, line.criterion.key))

    @cached_property
    def table(self) -> list[tuple[str, str, int]]:
        """(part, its points in Dutch, its maximum) per MQA dimension, for a dataset page."""
        return [
            (label, points_text(self.dimension(key)), maximum(key))
            for key, label in DIMENSIONS.items()
        ]


def _share(values: list[bool | None]) -> tuple[float, bool]:
    if not values:
        return 0.0, False
    return sum(1 for v in values if v) / len(values), any(v is None for v in values)


def score(fiche: Fiche, diagnosis: Diagnosis | None) -> Score | None:
    """The MQA score of a published fiche; None for a dataset that does not exist yet."""
    if not published(fiche):
        return None
    dists = data_distributions(fiche)
    lines = []
    for c in CRITERIA:
        if c.dataset is not None:
            value = c.dataset(fiche, diagnosis)
            share, unmeasured = (1.0 if value else 0.0), value is None
        elif c.dimension == "interoperability":
            # Identical content in several distributions: the best one counts.
            share, unmeasured = _share(
                [
                    max(
                        (c.distribution(fiche, diagnosis, i, d) or False for i, d in dists),
                        default=False,
                    )
                ]
            )
        else:
            share, unmeasured = _share([c.distribution(fiche, diagnosis, i, d) for i, d in dists])
        lines.append(Line(c, share, unmeasured))
    return Score(fiche.id, tuple(lines))


@functools.cache
def maximum(dimension: str) -> int:
    return sum(c.points for c in CRITERIA if c.dimension == dimension)


def points_text(value: float) -> str:
    """Points in Dutch: 255, 33,3."""
    return nl_number(value, 0 if abs(value - round(value)) < 0.05 else 1)
