"""Every number the diagnosis judges by, in one place.

The handbook page on how each dimension is judged is generated from this module,
so the published rules and the code never drift apart. Change a number here and
the site says so at the next build.
"""

from __future__ import annotations

from dataclasses import dataclass

from datapedia.model.fiche import Theme
from datapedia.model.results import Dimension


@dataclass(frozen=True)
class Thresholds:
    # --- what the probes keep for judging (their transport settings are the probe's own:
    # datapedia.probe.settings) ---
    sample_rows: int = 1000
    max_columns: int = 200
    # --- availability ---
    slow_response_s: float = 5.0
    uptime_warn_pct: float = 99.0
    uptime_fail_pct: float = 95.0
    uptime_min_checks: int = 5
    # --- timeliness: age of newest observation vs the expected update interval ---
    stale_warn_factor: float = 2.0
    stale_fail_factor: float = 4.0
    future_tolerance_s: float = 3600.0
    # Without a declared frequency: the median step seen in the data, and never older
    # than a ceiling per theme (water: groundwater is read by hand, often quarterly).
    ceiling_water_days: int = 120
    ceiling_mobiliteit_days: int = 31
    # --- completeness: share of missing values in the sample ---
    missing_warn_ratio: float = 0.05
    missing_fail_ratio: float = 0.25
    # --- coverage: share of expected units that report ---
    coverage_warn_ratio: float = 0.9
    coverage_fail_ratio: float = 0.5
    unit_fresh_factor: float = 4.0
    gap_warn_factor: float = 4.0
    bbox_warn_outside_ratio: float = 0.1

    def ceiling_days(self, theme: Theme) -> int:
        return {
            Theme.water: self.ceiling_water_days,
            Theme.mobiliteit: self.ceiling_mobiliteit_days,
        }[theme]


THRESHOLDS = Thresholds()

# Dutch explanations used by the handbook; one per field above.
EXPLANATIONS: dict[str, str] = {
    "sample_rows": "Aantal rijen dat voor volledigheid wordt nagekeken: een derde van het "
    "begin, een derde van het einde en een vaste willekeurige greep uit het midden.",
    "max_columns": "Aantal kolommen (velden) per record dat hoogstens bewaard en nagekeken "
    "wordt; bij bredere records is volledigheid 'te groot of te complex om te beoordelen'.",
    "slow_response_s": "Antwoordtijd (s) waarboven beschikbaarheid 'aandacht' krijgt.",
    "uptime_warn_pct": "Beschikbaarheid (%) over 30 dagen waaronder 'aandacht'. Enkel een "
    "bruikbaar antwoord telt als beschikbaar: HTTP-status 2xx of 3xx met inhoud die gelezen kon "
    "worden; een HTTP-fout, onleesbare inhoud of een time-out telt als onbeschikbaar.",
    "uptime_fail_pct": "Beschikbaarheid (%) over 30 dagen waaronder 'probleem'.",
    "uptime_min_checks": "Minimum aantal controles in de laatste 30 dagen voor de "
    "beschikbaarheid over 30 dagen beoordeeld wordt.",
    "stale_warn_factor": "Ouderdom van de nieuwste waarneming, in veelvouden van de "
    "verwachte bijwerkfrequentie, vanaf wanneer actualiteit 'aandacht' krijgt.",
    "stale_fail_factor": "Idem, vanaf wanneer actualiteit 'probleem' is.",
    "ceiling_water_days": "Zonder opgegeven bijwerkfrequentie: de verwachte frequentie is de "
    "gewone stap tussen de waarnemingen in de data, en een waterdataset waarvan de nieuwste "
    "waarneming ouder is dan dit aantal dagen krijgt altijd 'probleem'.",
    "ceiling_mobiliteit_days": "Idem voor een mobiliteitsdataset.",
    "future_tolerance_s": "Hoeveel seconden een tijdstip in de toekomst mag liggen (klokverschil).",
    "missing_warn_ratio": "Aandeel lege waarden in de steekproef vanaf wanneer 'aandacht'.",
    "missing_fail_ratio": "Aandeel lege waarden in de steekproef vanaf wanneer 'probleem'.",
    "coverage_warn_ratio": "Aandeel verwachte meetpunten dat meldt, waaronder 'aandacht'.",
    "coverage_fail_ratio": "Aandeel verwachte meetpunten dat meldt, waaronder 'probleem'.",
    "unit_fresh_factor": "Een meetpunt telt enkel als meldend wanneer zijn nieuwste waarneming "
    "jonger is dan dit veelvoud van de verwachte bijwerkfrequentie (zonder frequentie: het "
    "plafond van het thema); oudere meetpunten worden apart geteld en bij naam genoemd. Heeft "
    "de fiche een gebied, dan tellen meetpunten erbuiten niet mee.",
    "gap_warn_factor": "Grootste gat in de tijdreeks, in veelvouden van de gewone stap, "
    "vanaf wanneer dekkingsgraad 'aandacht' krijgt.",
    "bbox_warn_outside_ratio": "Aandeel van de waargenomen omhullende buiten het opgegeven "
    "gebied vanaf wanneer dekkingsgraad 'aandacht' krijgt.",
}

# Which dimension each threshold speaks to, for the handbook; anything not listed is
# about the probes (like their transport settings) and is shown under "alle dimensies".
THRESHOLD_DIMENSION: dict[str, Dimension] = {
    "slow_response_s": Dimension.availability,
    "uptime_warn_pct": Dimension.availability,
    "uptime_fail_pct": Dimension.availability,
    "uptime_min_checks": Dimension.availability,
    "stale_warn_factor": Dimension.timeliness,
    "stale_fail_factor": Dimension.timeliness,
    "future_tolerance_s": Dimension.timeliness,
    "ceiling_water_days": Dimension.timeliness,
    "ceiling_mobiliteit_days": Dimension.timeliness,
    "sample_rows": Dimension.completeness,
    "missing_warn_ratio": Dimension.completeness,
    "missing_fail_ratio": Dimension.completeness,
    "coverage_warn_ratio": Dimension.coverage,
    "coverage_fail_ratio": Dimension.coverage,
    "unit_fresh_factor": Dimension.coverage,
    "gap_warn_factor": Dimension.coverage,
    "bbox_warn_outside_ratio": Dimension.coverage,
}
