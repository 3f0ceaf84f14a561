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

from collections.abc import Callable
from dataclasses import dataclass

from datapedia.catalogue import vocab
from datapedia.catalogue.facts import (
    data_distributions,
    licence_uri,
    modified,
    published,
    reachable,
)
from datapedia.fiche import Distribution, Fiche
from datapedia.results import Diagnosis

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

# A check on one distribution: True/False, or None when it could not be known offline.
DistCheck = Callable[[Fiche, Diagnosis | None, int, Distribution], bool | None]
DatasetCheck = Callable[[Fiche, Diagnosis | None], bool | None]


@dataclass(frozen=True)
class Criterion:
    key: str
    dimension: str  # key of DIMENSIONS
    prop: str  # the DCAT-AP property the MQA looks at
    points: int
    advice: str  # Dutch: what the owner can do
    dataset: DatasetCheck | None = None
    distribution: DistCheck | None = None


def _media(d: Distribution) -> bool:
    return vocab.iana_uri(d.format) is not None


def _format(d: Distribution) -> bool:
    return vocab.file_type(d.format) is not None


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "keyword",
        "findability",
        "dcat:keyword",
        30,
        "vul `keywords` in",
        dataset=lambda f, _: bool(f.keywords),
    ),
    Criterion("theme", "findability", "dcat:theme", 30, "", dataset=lambda f, _: True),
    Criterion(
        "spatial",
        "findability",
        "dct:spatial",
        20,
        "vul `spatial` in (gebied en bbox)",
        dataset=lambda f, _: f.spatial is not None,
    ),
    Criterion(
        "temporal",
        "findability",
        "dct:temporal",
        20,
        "vul `temporal.start` in",
        dataset=lambda f, _: bool(f.temporal and (f.temporal.start or f.temporal.end)),
    ),
    Criterion(
        "access_url",
        "accessibility",
        "dcat:accessURL antwoordt 2xx",
        50,
        "laat elk eindpunt zonder fout antwoorden (zie beschikbaarheid)",
        distribution=lambda f, d, i, _: reachable(d, i),
    ),
    Criterion(
        "download_url",
        "accessibility",
        "dcat:downloadURL",
        20,
        "bied een bulkbestand aan en zet `download: true` bij die distributie",
        distribution=lambda f, d, i, dist: dist.download,
    ),
    Criterion(
        "download_url_ok",
        "accessibility",
        "dcat:downloadURL antwoordt 2xx",
        30,
        "bied een bulkbestand aan dat zonder fout antwoordt",
        distribution=lambda f, d, i, dist: reachable(d, i) if dist.download else False,
    ),
    Criterion(
        "format",
        "interoperability",
        "dct:format",
        20,
        "geef een geregistreerd mediatype op in `format`",
        distribution=lambda f, d, i, dist: _format(dist),
    ),
    Criterion(
        "media_type",
        "interoperability",
        "dcat:mediaType",
        10,
        "geef een geregistreerd mediatype op in `format`",
        distribution=lambda f, d, i, dist: _media(dist),
    ),
    Criterion(
        "vocabulary",
        "interoperability",
        "dct:format/dcat:mediaType uit een vocabularium",
        10,
        "geef een geregistreerd mediatype op in `format`",
        distribution=lambda f, d, i, dist: _format(dist) and _media(dist),
    ),
    Criterion(
        "non_proprietary",
        "interoperability",
        "niet-propriëtair formaat",
        20,
        "publiceer in een open formaat (CSV, JSON, XML, GML)",
        distribution=lambda f, d, i, dist: vocab.file_type(dist.format) in vocab.NON_PROPRIETARY,
    ),
    Criterion(
        "machine_readable",
        "interoperability",
        "machineleesbaar formaat",
        20,
        "publiceer in een machineleesbaar formaat (CSV, JSON, XML, GML)",
        distribution=lambda f, d, i, dist: vocab.file_type(dist.format) in vocab.MACHINE_READABLE,
    ),
    Criterion(
        "dcat_ap",
        "interoperability",
        "DCAT-AP-conform",
        30,
        "",
        dataset=lambda f, _: True,
    ),
    Criterion(
        "licence",
        "reusability",
        "dct:license",
        20,
        "vul `licence` in",
        distribution=lambda f, d, i, dist: f.licence is not None,
    ),
    Criterion(
        "licence_vocabulary",
        "reusability",
        "dct:license uit een vocabularium",
        10,
        "kies een licentie uit de EU-lijst (bv. CC BY 4.0) of laat die koppelen",
        distribution=lambda f, d, i, dist: (licence_uri(f) or "").startswith(vocab.EU),
    ),
    Criterion(
        "access_rights",
        "reusability",
        "dct:accessRights",
        10,
        "",
        dataset=lambda f, _: True,
    ),
    Criterion(
        "access_rights_vocabulary",
        "reusability",
        "dct:accessRights uit een vocabularium",
        5,
        "",
        dataset=lambda f, _: True,
    ),
    Criterion(
        "contact_point",
        "reusability",
        "dcat:contactPoint",
        20,
        "",
        dataset=lambda f, _: True,
    ),
    Criterion("publisher", "reusability", "dct:publisher", 10, "", dataset=lambda f, _: True),
    Criterion(
        "rights",
        "contextuality",
        "dct:rights",
        5,
        "geen veld in de fiche: de catalogus publiceert geen aparte rechtenverklaring",
        distribution=lambda f, d, i, dist: False,
    ),
    Criterion(
        "byte_size",
        "contextuality",
        "dcat:byteSize",
        5,
        "niet gepubliceerd: DCAT-AP 2.1.1 en 3.0.1 eisen elk een ander datatype",
        distribution=lambda f, d, i, dist: False,
    ),
    Criterion(
        "issued",
        "contextuality",
        "dct:issued",
        5,
        "geen veld in de fiche: de datum van eerste publicatie is onbekend",
        dataset=lambda f, _: False,
    ),
    Criterion(
        "modified",
        "contextuality",
        "dct:modified",
        5,
        "de controle leest de nieuwste waarneming; die ontbreekt of is niet gemeten",
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

    @property
    def total(self) -> float:
        return sum(line.points for line in self.lines)

    def dimension(self, key: str) -> float:
        return sum(line.points for line in self.lines if line.criterion.dimension == key)

    @property
    def rating(self) -> tuple[str, str]:
        """(MQA band, Dutch label)."""
        points = round(self.total)
        return next((en, nl) for low, en, nl in RATINGS if points >= low)

    @property
    def missing(self) -> list[Line]:
        """What costs points, the most expensive first."""
        lost = [line for line in self.lines if line.lost > 0.005]
        return sorted(lost, key=lambda line: (-line.lost, line.criterion.key))


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
