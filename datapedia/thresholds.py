"""Every number the diagnosis judges by, in one place.

The handbook page on how each dimension is judged is generated from this module,
so the published rules and the code never drift apart. Change a number here and
the site says so at the next build.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Thresholds:
    # --- transport (probe) ---
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0
    total_timeout_s: float = 60.0
    retries: int = 2
    backoff_s: float = 1.0
    max_redirects: int = 5
    max_bytes: int = 50 * 1024 * 1024
    per_host_concurrency: int = 4
    total_concurrency: int = 32
    sample_rows: int = 1000
    max_columns: int = 200
    # --- availability ---
    slow_response_s: float = 5.0
    uptime_warn_pct: float = 99.0
    uptime_fail_pct: float = 95.0
    uptime_min_checks: int = 5
    # --- timeliness: age of newest observation vs declared update frequency ---
    stale_warn_factor: float = 2.0
    stale_fail_factor: float = 4.0
    future_tolerance_s: float = 3600.0
    # --- completeness: share of missing values in the sample ---
    missing_warn_ratio: float = 0.05
    missing_fail_ratio: float = 0.25
    # --- coverage: share of expected units that report ---
    coverage_warn_ratio: float = 0.9
    coverage_fail_ratio: float = 0.5
    gap_warn_factor: float = 4.0
    bbox_warn_outside_ratio: float = 0.1


THRESHOLDS = Thresholds()

# Dutch explanations used by the handbook; one per field above.
EXPLANATIONS: dict[str, str] = {
    "connect_timeout_s": "Maximale tijd (s) om een verbinding op te zetten.",
    "read_timeout_s": "Maximale tijd (s) tussen twee ontvangen stukken data.",
    "total_timeout_s": "Maximale totale tijd (s) voor één aanvraag, inclusief download.",
    "retries": "Extra pogingen (met oplopende wachttijd) voor een eindpunt onbereikbaar heet.",
    "backoff_s": "Wachttijd (s) voor de eerste herhaling; verdubbelt bij elke poging.",
    "max_redirects": "Maximaal aantal doorverwijzingen.",
    "max_bytes": "Maximale grootte (bytes) die een probe downloadt.",
    "per_host_concurrency": "Gelijktijdige aanvragen per server (beleefdheid).",
    "total_concurrency": "Gelijktijdige aanvragen in totaal.",
    "sample_rows": "Aantal rijen dat voor volledigheid wordt nagekeken.",
    "max_columns": "Aantal kolommen (velden) per record dat hoogstens bewaard en nagekeken "
    "wordt; bij bredere records is volledigheid 'te groot of te complex om te beoordelen'.",
    "slow_response_s": "Antwoordtijd (s) waarboven beschikbaarheid 'aandacht' krijgt.",
    "uptime_warn_pct": "Beschikbaarheid (%) over 30 dagen waaronder 'aandacht'.",
    "uptime_fail_pct": "Beschikbaarheid (%) over 30 dagen waaronder 'probleem'.",
    "uptime_min_checks": "Minimum aantal controles in de laatste 30 dagen voor de "
    "beschikbaarheid over 30 dagen beoordeeld wordt.",
    "stale_warn_factor": "Ouderdom van de nieuwste waarneming, in veelvouden van de "
    "verwachte bijwerkfrequentie, vanaf wanneer actualiteit 'aandacht' krijgt.",
    "stale_fail_factor": "Idem, vanaf wanneer actualiteit 'probleem' is.",
    "future_tolerance_s": "Hoeveel seconden een tijdstip in de toekomst mag liggen (klokverschil).",
    "missing_warn_ratio": "Aandeel lege waarden in de steekproef vanaf wanneer 'aandacht'.",
    "missing_fail_ratio": "Aandeel lege waarden in de steekproef vanaf wanneer 'probleem'.",
    "coverage_warn_ratio": "Aandeel verwachte meetpunten dat meldt, waaronder 'aandacht'.",
    "coverage_fail_ratio": "Aandeel verwachte meetpunten dat meldt, waaronder 'probleem'.",
    "gap_warn_factor": "Grootste gat in de tijdreeks, in veelvouden van de gewone stap, "
    "vanaf wanneer dekkingsgraad 'aandacht' krijgt.",
    "bbox_warn_outside_ratio": "Aandeel van de waargenomen omhullende buiten het opgegeven "
    "gebied vanaf wanneer dekkingsgraad 'aandacht' krijgt.",
}
