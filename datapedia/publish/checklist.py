"""The checklist under a dataset's title, like datapedia.nl's head, from what was stored.

Nothing is judged here: measured items take their dimension's status, the others the
accessibility findings the judge recorded (a finding that contradicts an item fails it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from datapedia.model.fiche import AuthKind
from datapedia.model.results import Dimension, Status

if TYPE_CHECKING:
    from datapedia.publish.entries import Entry

AUTH_LABELS = {
    AuthKind.none: "vrij",
    AuthKind.api_key: "API-sleutel",
    AuthKind.token: "token",
    AuthKind.registration: "registratie",
}
# Accessibility findings that contradict an item of the fiche.
_CHECK_FINDINGS = {
    "format": ("TOE-06",),
    "licence": ("TOE-02", "TOE-03", "TOE-09"),
    "bulk": ("TOE-07",),
    "public": ("TOE-04", "TOE-05"),
}
Item = tuple[str, str, str, str]  # (mark: ok/fail/warn/unknown, item, sentence, evidence)


def _fiche_item(entry: Entry, key: str, words: tuple[str, str, str], evidence: str) -> Item:
    """An item the fiche states, failed by an accessibility finding that contradicts it."""
    item, yes, no = words
    access = entry.diagnosis.dimensions[Dimension.accessibility] if entry.diagnosis else None
    if access is None or entry.missing:
        return ("unknown", item, "Niet beoordeeld.", evidence)
    bad = [f for f in _CHECK_FINDINGS[key] if f in access.findings]
    return ("fail" if bad else "ok", item, no if bad else yes, evidence)


def _measured(entry: Entry, dim: Dimension, words: tuple[str, str, str]) -> Item:
    """An item a probe measures: its dimension's status and summary."""
    item, yes, no = words
    status = entry.status(dim) if entry.checked else Status.unknown
    evidence = entry.diagnosis.dimensions[dim].summary if entry.checked else "Niet gemeten."
    sentence = {Status.ok: yes, Status.unknown: "Niet gemeten."}.get(status, no)
    return (status.value, item, sentence, evidence)


def _access(entry: Entry) -> str:
    auth = {x.auth.kind for x in entry.fiche.distributions}
    if auth <= {AuthKind.none}:
        return "Toegang: vrij."
    return "Toegang: met " + ", ".join(sorted(AUTH_LABELS[a] for a in auth)) + "."


# (item, sentence when it holds, sentence when not), per item of the checklist.
_ONLINE = ("Online", "De eindpunten antwoorden.", "Niet elk eindpunt antwoordt bruikbaar.")
_FORMAT = (
    "Machineleesbaar",
    "In een open, machineleesbaar formaat.",
    "Geen open, machineleesbaar formaat.",
)
_LICENCE = ("Open licentie", "Hergebruik is toegestaan.", "Hergebruik is niet (zeker) toegestaan.")
_FREE = (
    "unknown",
    "Gratis",
    "Niet gemeten: de fiche vermeldt geen prijs.",
    "Geen veld in de fiche.",
)
_BULK = ("Bulkdownload", "Alles in één keer te downloaden.", "Enkel per stuk op te vragen.")
_CURRENT = (
    "Actueel",
    "De nieuwste waarneming is recent genoeg.",
    "De nieuwste waarneming is te oud.",
)
_COMPLETE = ("Compleet", "Geen ontbrekende waarden van belang.", "Er ontbreken waarden.")
_PUBLIC = (
    "Publiek zonder registratie",
    "Vrij op te vragen, zonder sleutel.",
    "Een sleutel of registratie is nodig.",
)


def items(entry: Entry) -> list[Item]:
    fiche = entry.fiche
    formats = ", ".join(dict.fromkeys(x.format for x in fiche.distributions)) or "geen"
    licence = fiche.licence.name if fiche.licence else "geen licentie opgegeven"
    bulk = "ja" if any(x.download for x in fiche.distributions) else "nee"
    return [
        _measured(entry, Dimension.availability, _ONLINE),
        _fiche_item(entry, "format", _FORMAT, f"Formaat: {formats}."),
        _fiche_item(entry, "licence", _LICENCE, f"Licentie: {licence}."),
        _FREE,
        _fiche_item(entry, "bulk", _BULK, f"Bulkdownload: {bulk}."),
        _measured(entry, Dimension.timeliness, _CURRENT),
        _measured(entry, Dimension.completeness, _COMPLETE),
        _fiche_item(entry, "public", _PUBLIC, _access(entry)),
    ]
