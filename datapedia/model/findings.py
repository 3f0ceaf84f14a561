"""The catalogue of findings: stable ids, the dimension they speak to, Dutch messages.

Ids never change meaning once published (reports, issues and other tools refer to
them); add new ones instead. Messages are ``str.format`` templates filled from the
evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

from datapedia.model.results import Dimension, Status


@dataclass(frozen=True)
class Finding:
    id: str
    dimension: Dimension
    status: Status
    message: str

    def text(self, **values: object) -> str:
        try:
            return self.message.format(**values)
        except (KeyError, IndexError, ValueError):
            return self.message


A, X, T, C, V, S = (
    Dimension.availability,
    Dimension.accessibility,
    Dimension.timeliness,
    Dimension.completeness,
    Dimension.coverage,
    Dimension.standards,
)
OK, WARN, FAIL, UNKNOWN = Status.ok, Status.warn, Status.fail, Status.unknown

_AGE = "Nieuwste waarneming is {age} oud; verwacht om de {expected} ({source})."
_STALE = (
    "Verouderd: nieuwste waarneming is {age} oud ({newest}); verwacht om de {expected} ({source})."
)
_ABOVE_CEILING = (
    "Verouderd: nieuwste waarneming is {age} oud ({newest}), ouder dan het plafond van "
    "{ceiling} voor thema {theme}."
)
_BELOW_CEILING = (
    "Nieuwste waarneming is {age} oud ({newest}): binnen het plafond van {ceiling} voor "
    "thema {theme}; de fiche geeft geen bijwerkfrequentie en de data toont er geen."
)

_CATALOGUE = [
    # beschikbaarheid
    Finding("BES-01", A, OK, "Correct antwoord van {endpoints}."),
    Finding("BES-02", A, FAIL, "Eindpunt '{title}' is onbereikbaar: {reason}."),
    Finding("BES-03", A, FAIL, "Eindpunt '{title}' antwoordt met HTTP-status {status_code}."),
    Finding("BES-04", A, WARN, "Eindpunt '{title}' levert {content_type}, verwacht {expected}."),
    Finding("BES-05", A, WARN, "Eindpunt '{title}' antwoordt traag ({seconds} s)."),
    Finding("BES-06", A, WARN, "Beschikbaarheid over 30 dagen: {pct} bruikbare antwoorden."),
    Finding("BES-07", A, FAIL, "Slechts {pct} bruikbare antwoorden over 30 dagen."),
    Finding("BES-08", A, UNKNOWN, "Eindpunt '{title}' niet bevraagd: {reason}."),
    Finding("BES-09", A, FAIL, "Eindpunt '{title}' levert onleesbare inhoud: {reason}."),
    Finding("BES-10", A, UNKNOWN, "Deze dataset bestaat nog niet (status 'ontbrekend')."),
    # toegankelijkheid
    Finding("TOE-01", X, OK, "Open licentie, open formaat, vrij te downloaden."),
    Finding("TOE-02", X, FAIL, "Geen licentie opgegeven: hergebruik is juridisch onzeker."),
    Finding(
        "TOE-03", X, WARN, "Licentie '{licence}' is niet volledig open (bv. niet-commercieel)."
    ),
    Finding("TOE-04", X, WARN, "Een sleutel of registratie is nodig voor '{title}'."),
    Finding("TOE-05", X, FAIL, "Een sleutel is nodig voor '{title}' maar nergens gedocumenteerd."),
    Finding("TOE-06", X, WARN, "Geen open, machineleesbaar formaat: {formats}."),
    Finding("TOE-07", X, WARN, "Geen bulkdownload: de data is enkel per stuk op te vragen."),
    Finding("TOE-08", X, WARN, "Geen documentatielink."),
    Finding("TOE-09", X, WARN, "Licentie '{licence}' is niet gekend; controleer of ze open is."),
    # actualiteit
    Finding("ACT-01", T, OK, _AGE),
    Finding("ACT-02", T, WARN, _AGE),
    Finding("ACT-03", T, FAIL, _STALE),
    Finding("ACT-04", T, UNKNOWN, "Geen tijdstip gevonden in de data."),
    # ACT-05 is no longer emitted (ACT-09/ACT-10 judge such fiches); kept so older checks read.
    Finding("ACT-05", T, UNKNOWN, "Geen bijwerkfrequentie opgegeven in de fiche."),
    Finding("ACT-06", T, WARN, "In de toekomst: {future}."),
    Finding("ACT-07", T, WARN, "Tijdstippen zonder tijdzone; geïnterpreteerd als UTC."),
    Finding("ACT-08", T, UNKNOWN, "Lege resultaatset: geen waarneming om de ouderdom te meten."),
    Finding("ACT-09", T, FAIL, _ABOVE_CEILING),
    Finding("ACT-10", T, OK, _BELOW_CEILING),
    # volledigheid
    Finding("VOL-01", C, OK, "{rows} nagekeken: geen ontbrekende verplichte velden."),
    Finding("VOL-02", C, WARN, "{pct} lege waarden in '{column}' ({rows})."),
    Finding("VOL-03", C, FAIL, "{pct} lege waarden in '{column}' ({rows})."),
    Finding("VOL-04", C, FAIL, "Verplicht veld '{column}' ontbreekt."),
    Finding(
        "VOL-05",
        C,
        WARN,
        "Verwachting niet gehaald: {expectation} op '{column}' ({unexpected} van {rows}).",
    ),
    Finding("VOL-06", C, FAIL, "Tabel is niet geldig volgens frictionless: {errors}."),
    Finding("VOL-07", C, UNKNOWN, "Geen steekproef beschikbaar om volledigheid te meten."),
    Finding("VOL-08", C, WARN, "Lege resultaatset: het eindpunt levert geen records."),
    Finding("VOL-09", C, WARN, "Fouten volgens frictionless in {bad} van {rows}: {errors}."),
    # dekkingsgraad
    Finding("DEK-01", V, OK, "Recent gemeld: {reporting} van {expected} ({pct})."),
    Finding("DEK-02", V, WARN, "Slechts {reporting} van {expected} recent gemeld ({pct})."),
    Finding("DEK-03", V, FAIL, "Slechts {reporting} van {expected} recent gemeld ({pct})."),
    Finding("DEK-04", V, WARN, "Grootste gat in de tijdreeks is {gap}, gewone stap {step}."),
    Finding("DEK-05", V, WARN, "Waargenomen gebied valt voor {pct} buiten '{area}'."),
    Finding("DEK-06", V, UNKNOWN, "Geen verwacht aantal meetpunten opgegeven in de fiche."),
    # DEK-07 and DEK-09 are informational (ok): the judgement is DEK-01..03; they say
    # which listed units are silent and which lie outside the fiche's area.
    Finding("DEK-07", V, OK, "Niet recent gemeld: {offline} van {total} ({pct}){names}."),
    Finding("DEK-08", V, FAIL, "Het eindpunt meldt geen enkel meetpunt ({kind})."),
    Finding("DEK-09", V, OK, "Buiten '{area}', niet meegeteld: {outside}."),
    # standaarden
    Finding("STA-01", S, OK, "{verified} van {claimed} geclaimde standaarden nagegaan."),
    Finding("STA-02", S, WARN, "Standaard '{standard}' geclaimd maar niet na te gaan."),
    Finding("STA-03", S, WARN, "Geen enkele standaard geclaimd."),
    Finding(
        "STA-04", S, WARN, "'{standard}' geclaimd, maar het eindpunt spreekt het niet: {reason}."
    ),
    Finding("VOL-10", C, UNKNOWN, "Te groot of te complex om te beoordelen: {reason}."),
]

CATALOGUE: dict[str, Finding] = {f.id: f for f in _CATALOGUE}


def finding(finding_id: str) -> Finding:
    return CATALOGUE[finding_id]
