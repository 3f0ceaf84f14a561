"""The one Dutch vocabulary readers see: plurals, durations, numbers, yes/no.

Every text built for a reader (findings, evidence, pages, reports) takes its words
from here, so "1 rij"/"2 rijen", "1 maand" and "28,3%" read the same everywhere.
Pure: no imports from the rest of the package.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

# singular -> plural; a word missing here is used as given for both.
PLURALS = {
    "rij": "rijen",
    "dataset": "datasets",
    "eindpunt": "eindpunten",
    "meetpunt": "meetpunten",
    "station": "stations",
    "reeks": "reeksen",
    "segment": "segmenten",
    "filter": "filters",
    "teller": "tellers",
    "record": "records",
    "tijdstip": "tijdstippen",
    "bestand": "bestanden",
    "fiche": "fiches",
    "diagnose": "diagnoses",
    "spatie": "spaties",
    "opdracht": "opdrachten",
    "eigen dataset": "eigen datasets",
    "geldige fiche": "geldige fiches",
    "probleem": "problemen",
    "fout": "fouten",
    "controle": "controles",
    "standaard": "standaarden",
    "jaar": "jaar",
    "maand": "maanden",
    "week": "weken",
    "dag": "dagen",
    "uur": "uur",
    "minuut": "minuten",
    "seconde": "seconden",
}
_SINGULARS = {plural: one for one, plural in PLURALS.items()}


def singular(word: str) -> str:
    """'stations' -> 'station'; a word that is not a known plural is returned as is."""
    return _SINGULARS.get(word, word)


def plural(word: str) -> str:
    return PLURALS.get(word, word)


def count(n: int, word: str) -> str:
    """'1 rij', '2 rijen', '0 rijen'; ``word`` may be given in either form."""
    one = singular(word)
    return f"{number(n)} {one if n == 1 else plural(one)}"


def number(value: float, decimals: int = 0) -> str:
    """Dutch number format: '1.234', '28,3'; integers never show a decimal part."""
    text = f"{round(value):,}" if decimals == 0 else f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def percent(value: float, decimals: int = 1) -> str:
    """'28,3%', '100%' (a whole number keeps no ',0')."""
    rounded = round(value, decimals)
    if float(rounded).is_integer():
        return f"{number(int(rounded))}%"
    return f"{number(rounded, decimals)}%"


# (seconds, singular) from the largest unit down; P1M is 30 days and P1Y 365, as in
# datapedia.model.fiche.parse_duration, so a declared frequency reads back as it was written.
_UNITS = (
    (365 * 86400, "jaar"),
    (30 * 86400, "maand"),
    (7 * 86400, "week"),
    (86400, "dag"),
    (3600, "uur"),
    (60, "minuut"),
    (1, "seconde"),
)


def duration(delta: timedelta) -> str:
    """Dutch, in the largest unit that reads naturally.

    A whole number of days, weeks, months or years uses the largest such unit
    ('1 maand', '2 weken'); anything else the largest unit that fits at least twice,
    rounded down ('8.527 dagen', '3 uur', '90 minuten').
    """
    seconds = int(abs(delta.total_seconds()))
    for size, word in _UNITS:
        if size >= 86400 and seconds >= size and seconds % size == 0:
            return count(seconds // size, word)
    for size, word in _UNITS[3:]:
        if seconds >= 2 * size or (seconds >= size and seconds % size == 0):
            return count(seconds // size, word)
    return count(seconds, "seconde")


# The evidence keys the judges store (English, stable for other tools) as readers see them.
EVIDENCE_LABELS = {
    "endpoints": "eindpunten",
    "title": "eindpunt",
    "url": "URL",
    "usable": "bruikbaar antwoord",
    "status_code": "HTTP-status",
    "content_type": "inhoudstype",
    "expected_format": "verwacht formaat",
    "latency_s": "antwoordtijd (s)",
    "attempts": "pogingen",
    "error": "fout",
    "skipped": "niet bevraagd",
    "uptime_7d": "beschikbaarheid 7 dagen (%)",
    "uptime_30d": "beschikbaarheid 30 dagen (%)",
    "uptime_90d": "beschikbaarheid 90 dagen (%)",
    "down_since": "onbeschikbaar sinds",
    "licence": "licentie",
    "name": "naam",
    "uri": "URI",
    "licence_open": "open licentie",
    "formats": "formaten",
    "open_formats": "open formaten",
    "auth": "sleutel nodig",
    "bulk_download": "bulkdownload",
    "documentation": "documentatie",
    "newest": "nieuwste waarneming",
    "update_frequency": "opgegeven bijwerkfrequentie",
    "age_s": "ouderdom (s)",
    "age": "ouderdom",
    "expected": "verwachte bijwerkfrequentie",
    "expected_s": "verwachte bijwerkfrequentie (s)",
    "expected_source": "bron van de verwachte frequentie",
    "ceiling": "plafond",
    "stale_since": "verouderd sinds",
    "future_timestamps": "tijdstippen in de toekomst",
    "notes": "opmerkingen",
    "fresh_window": "recent betekent jonger dan",
    "units_listed": "meetpunten in het antwoord",
    "units_outside_area": "meetpunten buiten het gebied",
    "units_silent": "meetpunten zonder recente waarneming (eerste 10)",
    "units_reporting": "meetpunten die recent melden",
    "units_expected": "verwachte meetpunten",
    "units_total": "meetpunten in het gebied",
    "kind": "soort meetpunt",
    "coverage_pct": "dekkingsgraad (%)",
    "units_offline": "meetpunten die niet recent melden",
    "offline_pct": "aandeel dat niet recent meldt (%)",
    "largest_gap_s": "grootste gat (s)",
    "median_step_s": "gewone stap (s)",
    "bbox_observed": "waargenomen gebied",
    "bbox_declared": "opgegeven gebied",
    "bbox_outside_pct": "buiten het opgegeven gebied (%)",
    "claimed": "geclaimd",
    "verified": "nagegaan",
    "documented": "gedocumenteerd",
    "contradicted": "tegengesproken",
    "unverified": "niet na te gaan",
    "rows": "rijen nagekeken",
    "records": "records in het antwoord",
    "samples": "steekproeven",
    "sample": "steekproef",
    "missing_pct": "lege waarden (%)",
    "absent_columns": "ontbrekende kolommen",
    "expectations_failed": "niet gehaalde verwachtingen",
    "frictionless_errors": "fouten volgens frictionless",
    "frictionless_rows_with_errors": "rijen met fouten volgens frictionless",
    "tool_errors": "fouten van de controlehulpmiddelen",
}


def label(key: str) -> str:
    """A stored evidence key in Dutch; a key without a label is shown as it is."""
    return EVIDENCE_LABELS.get(key, key)


def yes_no(value: bool | None) -> str:
    return "onbekend" if value is None else "ja" if value else "nee"


def show(value: Any) -> str:
    """Any evidence value as a reader sees it: never None/True/False or raw JSON."""
    if value is None or isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, int | float):
        if float(value).is_integer():
            return number(value)
        # Up to three decimals, trailing zeros dropped: 0,05 and 1,5, not 0,1 and 1,500.
        return number(value, 3).rstrip("0")
    if isinstance(value, list | tuple):
        return ", ".join(show(item) for item in value) or "geen"
    if isinstance(value, dict):
        return "; ".join(f"{label(key)}: {show(item)}" for key, item in value.items()) or "geen"
    return str(value)
