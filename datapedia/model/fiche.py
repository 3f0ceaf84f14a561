"""The fiche model: one YAML file per dataset, the single source of truth.

Field names follow DCAT-AP Vlaanderen where a term exists (noted in each
field's description as ``dcat:``/``dct:``); the JSON Schema that data owners'
editors use is exported from these models (``datapedia schema``).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    EmailStr,
    Field,
    HttpUrl,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)

# Re-exported: the distribution models are part of what a fiche is, and every step
# imports them from here.
from datapedia.model.distribution import (
    ENV_VAR_PATTERN,
    HEADER_NAME_PATTERN,
    NO_CONTROL_PATTERN,
    STANDARD_HEADERS,
    Auth,
    AuthKind,
    ColumnExpectation,
    Distribution,
    Protocol,
    Strict,
)

__all__ = [
    "ENV_VAR_PATTERN",
    "FROM_CACHE",
    "GITHUB_HANDLE_PATTERN",
    "HEADER_NAME_PATTERN",
    "ID_PATTERN",
    "NO_CONTROL_PATTERN",
    "STANDARD_HEADERS",
    "Auth",
    "AuthKind",
    "Blocker",
    "BlockerKind",
    "ColumnExpectation",
    "Contact",
    "DatasetStatus",
    "Distribution",
    "ExpectedUnits",
    "Fiche",
    "Holder",
    "Level",
    "Licence",
    "Organisation",
    "Owner",
    "Partner",
    "Protocol",
    "Spatial",
    "Standard",
    "Temporal",
    "Theme",
    "UnitKind",
    "parse_duration",
]

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,79}$"
GITHUB_HANDLE_PATTERN = r"^@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9._-]+)?$"
# ISO 8601 durations as fiches write them (P1D, PT15M, P1M, P1Y, P1W); months and
# years are approximated (30 and 365 days) because only the order of magnitude
# matters when judging freshness.
_DURATION = re.compile(
    r"^P(?:(?P<y>\d+)Y)?(?:(?P<mo>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<mi>\d+)M)?(?:(?P<s>\d+)S)?)?$"
)


def _meant_duration(text: str) -> str | None:
    """The valid duration ``text`` most likely meant: 'P1H' is 'PT1H' (a forgotten T)."""
    candidates = [text.upper()] + [text[:i] + "T" + text[i:] for i in range(1, len(text))]
    for candidate in candidates:
        if candidate != text and _DURATION.match(candidate) and not candidate.endswith("T"):
            return candidate
    return None


def parse_duration(text: str) -> timedelta:
    """Turn an ISO 8601 duration such as ``PT15M`` or ``P1M`` into a timedelta."""
    match = _DURATION.match(text)
    if not match or text in ("P", "PT") or text.endswith("T"):
        meant = _meant_duration(text)
        if meant is None:
            raise ValueError(f"geen geldige ISO 8601-duur: {text!r} (voorbeeld: PT15M, P1D, P1M)")
        why = " (uren, minuten en seconden komen na de T)" if "T" not in text.upper() else ""
        raise ValueError(f"geen geldige ISO 8601-duur: {text!r}; bedoelt u {meant!r}?{why}")
    parts = {k: int(v) for k, v in match.groupdict().items() if v}
    if not parts:
        raise ValueError(f"geen geldige ISO 8601-duur: {text!r}")
    try:
        duration = timedelta(
            days=parts.get("y", 0) * 365
            + parts.get("mo", 0) * 30
            + parts.get("w", 0) * 7
            + parts.get("d", 0),
            hours=parts.get("h", 0),
            minutes=parts.get("mi", 0),
            seconds=parts.get("s", 0),
        )
    except OverflowError:
        raise ValueError(f"ISO 8601-duur {text!r} is te groot") from None
    if duration <= timedelta(0):
        raise ValueError(f"ISO 8601-duur {text!r} moet langer dan nul zijn")
    return duration


class Theme(StrEnum):
    water = "water"
    mobiliteit = "mobiliteit"


class DatasetStatus(StrEnum):
    """Whether the dataset exists; the brief asks for missing sources too."""

    beschikbaar = "beschikbaar"
    gedeeltelijk = "gedeeltelijk"
    ontbrekend = "ontbrekend"


class BlockerKind(StrEnum):
    politiek = "politiek"
    privacy = "privacy"
    technisch = "technisch"
    organisatorisch = "organisatorisch"
    kwaliteit = "kwaliteit"


class Level(StrEnum):
    rood = "rood"
    oranje = "oranje"
    groen = "groen"


class UnitKind(StrEnum):
    stations = "stations"
    reeksen = "reeksen"  # KiWIS time series: a station can carry several
    segmenten = "segmenten"
    filters = "filters"
    tellers = "tellers"
    records = "records"


# Context key for fiches read back from the parse cache (load.FicheCache): they passed
# every check when they were stored, so their address is not parsed again (checking an
# address is a large part of the cost of reading a cached fiche).
FROM_CACHE = "datapedia-from-cache"


def _email_unless_cached(
    value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
) -> Any:
    if isinstance(value, str) and info.context and info.context.get(FROM_CACHE):
        return value
    return handler(value)


class Contact(Strict):
    """dcat:contactPoint (vcard:Kind)."""

    name: str | None = Field(None, description="Naam van de dienst of persoon.")
    email: Annotated[EmailStr, WrapValidator(_email_unless_cached)] = Field(
        description="vcard:hasEmail: een e-mailadres dat gelezen wordt."
    )
    url: HttpUrl | None = Field(None, description="Contactpagina.")


class Organisation(Strict):
    """dct:publisher / foaf:Organization."""

    name: str = Field(min_length=2, description="Officiële naam van de organisatie.")
    uri: HttpUrl | None = Field(
        None, description="URI van de organisatie (bv. in het KBO- of OVO-register)."
    )


class Owner(Organisation):
    """The organisation responsible for the dataset (dct:publisher)."""

    contact: Contact = Field(description="dcat:contactPoint voor vragen over de dataset.")
    github: str | None = Field(
        None,
        pattern=GITHUB_HANDLE_PATTERN,
        description="GitHub-gebruiker of -team (@org/team) dat de fiche nakijkt "
        "en issues over kapotte feeds krijgt.",
    )


class Holder(Organisation):
    """Who actually holds or collects the data, when that is not the owner."""

    role: str = Field(
        description="Wat deze partij doet: bv. 'exploitant van de telpalen', 'aannemer'."
    )


class Licence(Strict):
    """dct:license."""

    uri: HttpUrl = Field(description="URI van de licentie.")
    name: str = Field(description="Leesbare naam, bv. 'Modellicentie Gratis Hergebruik v1.0'.")


class Spatial(Strict):
    """dct:spatial."""

    name: str = Field(description="Het gebied, bv. 'Vlaanderen', 'Gent'.")
    uri: HttpUrl | None = Field(None, description="URI van het gebied (bv. NIS-code).")
    bbox: Annotated[list[float], Field(min_length=4, max_length=4)] | None = Field(
        None, description="[west, zuid, oost, noord] in WGS84-graden."
    )

    @field_validator("bbox")
    @classmethod
    def _bbox_order(cls, bbox: list[float] | None) -> list[float] | None:
        if bbox is not None:
            west, south, east, north = bbox
            if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
                raise ValueError(
                    "bbox moet [west, zuid, oost, noord] zijn met west<oost, zuid<noord"
                )
        return bbox


class Temporal(Strict):
    """dct:temporal."""

    start: date | None = Field(None, description="Eerste dag met data.")
    end: date | None = Field(None, description="Laatste dag, leeg als de reeks loopt.")


class ExpectedUnits(Strict):
    count: int = Field(
        ge=1, description="Hoeveel stations/segmenten/tellers er zouden moeten melden."
    )
    kind: UnitKind = Field(UnitKind.stations, description="Wat er geteld wordt.")
    source: str | None = Field(None, description="Waar dit aantal vandaan komt.")


class Standard(Strict):
    """dct:conformsTo."""

    name: str = Field(description="Bv. OSLO Verkeersmetingen, DCAT-AP Vlaanderen, INSPIRE.")
    uri: HttpUrl | None = Field(None, description="URI van de standaard of specificatie.")
    evidence: HttpUrl | None = Field(
        None, description="Waar de conformiteit te zien is (metadatarecord, JSON-LD-context, ...)."
    )


class Blocker(Strict):
    kind: BlockerKind
    level: Level
    note: str = Field(min_length=3, description="Wat het probleem is.")


class Partner(Strict):
    name: str = Field(description="Organisatie die moet handelen.")
    role: str = Field(description="Wat zij moet doen.")


class Fiche(Strict):
    """dcat:Dataset."""

    id: str = Field(pattern=ID_PATTERN, description="Unieke id; gelijk aan de bestandsnaam.")
    title: str = Field(min_length=3, description="dct:title")
    description: str = Field(min_length=10, description="dct:description (Markdown zonder HTML).")
    theme: Theme = Field(description="dcat:theme: water of mobiliteit.")
    keywords: list[str] = Field(default_factory=list, description="dcat:keyword")
    status: DatasetStatus = Field(
        DatasetStatus.beschikbaar, description="'ontbrekend' voor data die nog niet bestaat."
    )
    owner: Owner = Field(description="dct:publisher: wie verantwoordelijk is.")
    holder: Holder | None = Field(None, description="Wie de data feitelijk beheert of inzamelt.")
    licence: Licence | None = Field(None, description="dct:license; leeg = onbekend.")
    landing_page: HttpUrl | None = Field(None, description="dcat:landingPage")
    documentation: HttpUrl | None = Field(None, description="foaf:page: documentatie.")
    catalogue_record: HttpUrl | None = Field(
        None,
        description="adms:identifier: het eigen metadatarecord van de eigenaar (Vlaamse "
        "datacatalogus, DOV-metadatarecord), zodat een oogster geen dubbel record maakt.",
    )
    update_frequency: str | None = Field(
        None, description="dct:accrualPeriodicity als ISO 8601-duur (PT15M, P1D, P1M)."
    )
    spatial: Spatial | None = None
    temporal: Temporal | None = None
    expected_units: ExpectedUnits | None = Field(
        None, description="Hoeveel meetpunten er zouden moeten melden (dekkingsgraad)."
    )
    standards: list[Standard] = Field(default_factory=list, description="dct:conformsTo")
    privacy: str | None = Field(None, description="Privacy-aandachtspunten (camera, wifi, ...).")
    problems: list[str] = Field(default_factory=list, description="Gekende problemen.")
    blockers: list[Blocker] = Field(default_factory=list)
    partners: list[Partner] = Field(
        default_factory=list, description="Prioritaire partners om de blokkades op te lossen."
    )
    related: list[str] = Field(default_factory=list, description="Ids van verwante fiches.")
    distributions: list[Distribution] = Field(default_factory=list, description="dcat:distribution")

    @property
    def area(self) -> list[float] | None:
        """The declared bbox [west, south, east, north], if any."""
        return self.spatial.bbox if self.spatial else None

    @field_validator("update_frequency")
    @classmethod
    def _valid_duration(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)
        return value

    @field_validator("related")
    @classmethod
    def _related_ids(cls, value: list[str]) -> list[str]:
        for item in value:
            if not re.match(ID_PATTERN, item):
                raise ValueError(f"{item!r} is geen geldige fiche-id")
        return value

    @model_validator(mode="after")
    def _distributions_match_status(self) -> Fiche:
        if self.status != DatasetStatus.ontbrekend and not self.distributions:
            raise ValueError("een bestaande dataset heeft minstens één distributie")
        return self

    @property
    def update_interval(self) -> timedelta | None:
        return parse_duration(self.update_frequency) if self.update_frequency else None

    @property
    def probed_distributions(self) -> list[Distribution]:
        return [d for d in self.distributions if d.probe]
