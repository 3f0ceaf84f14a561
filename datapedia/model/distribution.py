"""A distribution of a fiche: one endpoint, how it is asked and with which key.

Plain pydantic models (``dcat:Distribution``) and the patterns that keep what a fiche
sends in a request (header names, the format as Accept) on one line; the protocols'
own URL rules are in ``datapedia.model.protocols``.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

ENV_VAR_PATTERN = r"^[A-Z][A-Z0-9_]{1,63}$"
# An HTTP field name (RFC 9110 token): no space, colon, CR or LF that could add a header.
HEADER_NAME_PATTERN = r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$"
# Text sent in a header (the format goes out as Accept): no control characters.
NO_CONTROL_PATTERN = r"^[^\x00-\x1f\x7f]*$"
# Standard request headers a key may not travel in: the probe sets or strips them
# itself, and on a redirect to another server they would carry the key along.
# Authorization is the standard place for a token and stays allowed.
STANDARD_HEADERS = frozenset(
    h.lower()
    for h in (
        "Accept", "Accept-Charset", "Accept-Encoding", "Accept-Language", "Cache-Control",
        "Connection", "Content-Encoding", "Content-Length", "Content-Type", "Cookie", "Date",
        "Expect", "Forwarded", "From", "Host", "If-Match", "If-Modified-Since", "If-None-Match",
        "If-Range", "If-Unmodified-Since", "Keep-Alive", "Max-Forwards", "Origin", "Pragma",
        "Proxy-Authorization", "Range", "Referer", "TE", "Trailer", "Transfer-Encoding",
        "Upgrade", "User-Agent", "Via",
    )
)  # fmt: skip


class Protocol(StrEnum):
    kiwis = "kiwis"
    wfs = "wfs"
    dov_xml = "dov-xml"
    opendatasoft = "opendatasoft"
    telraam = "telraam"
    brussels_mobility = "brussels-mobility"
    csv = "csv"
    json = "json"
    html = "html"  # a landing page only: availability is measured, nothing is parsed


class AuthKind(StrEnum):
    none = "none"
    api_key = "api-key"
    token = "token"  # noqa: S105 (a kind of credential, not one)
    registration = "registration"


class Strict(BaseModel):
    # Unknown keys are errors: a typo in a fiche must not be silently ignored.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Auth(Strict):
    kind: AuthKind = Field(AuthKind.none, description="Wat er nodig is om de data te krijgen.")
    env: str | None = Field(
        None,
        pattern=ENV_VAR_PATTERN,
        description="Naam van de omgevingsvariabele met de sleutel. Nooit de sleutel zelf.",
    )
    header: str | None = Field(
        None,
        pattern=HEADER_NAME_PATTERN,
        description="HTTP-header waarin de sleutel meegaat, bv. X-Api-Key of Authorization.",
    )
    param: str | None = Field(
        None, pattern=HEADER_NAME_PATTERN, description="Queryparameter waarin de sleutel meegaat."
    )
    documentation: HttpUrl | None = Field(None, description="Waar men een sleutel aanvraagt.")

    @field_validator("header")
    @classmethod
    def _own_header(cls, header: str | None) -> str | None:
        if header is not None and header.lower() in STANDARD_HEADERS:
            raise ValueError(
                f"'{header}' is een standaardheader en geen plaats voor een sleutel; "
                "gebruik bv. X-Api-Key of Authorization"
            )
        return header

    @model_validator(mode="after")
    def _key_needs_env(self) -> Auth:
        if self.kind in (AuthKind.api_key, AuthKind.token) and not self.env:
            raise ValueError("een sleutel of token vraagt 'env': de naam van de omgevingsvariabele")
        if self.env and not (self.header or self.param):
            raise ValueError("geef 'header' of 'param' op: waar de sleutel meegestuurd wordt")
        return self


class ColumnExpectation(Strict):
    """What a column must satisfy; checked with Great Expectations on a sample."""

    name: str = Field(description="Naam van de kolom of het veld.")
    required: bool = Field(True, description="Het veld moet in elke rij bestaan.")
    not_null: bool = Field(False, description="Lege waarden zijn fouten.")
    min: float | None = Field(None, description="Kleinste toegelaten waarde.")
    max: float | None = Field(None, description="Grootste toegelaten waarde.")
    values: list[str] | None = Field(None, description="Toegelaten waarden.")


class Distribution(Strict):
    """dcat:Distribution: one endpoint the probes check."""

    title: str = Field(description="dct:title van de distributie.")
    protocol: Protocol = Field(description="Hoe de probe dit eindpunt leest.")
    url: HttpUrl = Field(description="dcat:accessURL: de URL die de probe opvraagt.")
    format: str = Field(
        pattern=NO_CONTROL_PATTERN,
        description="dcat:mediaType: het verwachte inhoudstype, bv. application/json, text/csv.",
    )
    documentation: HttpUrl | None = Field(None, description="foaf:page: uitleg over dit eindpunt.")
    download: bool = Field(
        False, description="dcat:downloadURL: de URL levert de volledige data in bulk."
    )
    auth: Auth = Field(default_factory=Auth)
    params: dict[str, str | int | float | bool] = Field(
        default_factory=dict,
        description="Protocol-specifieke parameters (bv. typeName voor WFS, dataset voor "
        "Opendatasoft, timeseries voor KiWIS).",
    )
    timestamp_field: str | None = Field(
        None, description="Waar het tijdstip van een waarneming staat (kolom, veld of XPath)."
    )
    timestamp_format: str | None = Field(
        None, description="strptime-formaat als het tijdstip geen ISO 8601 is."
    )
    id_field: str | None = Field(None, description="Waar het station- of segment-id staat.")
    delimiter: str | None = Field(None, max_length=1, description="Scheidingsteken voor CSV.")
    columns: list[ColumnExpectation] = Field(
        default_factory=list, description="Verwachtingen per kolom (volledigheid)."
    )
    probe: bool = Field(True, description="Zet op false om dit eindpunt niet te bevragen.")
