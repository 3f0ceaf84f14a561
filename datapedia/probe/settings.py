"""How the probes ask: timeouts, caps, retries and concurrency of the feed transport.

These are settings of the probe, not judgement: the numbers the diagnosis judges by
live in ``datapedia.model.thresholds``. The handbook shows both, so every field has a
Dutch explanation here. No network library is imported: the handbook reads this.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

try:
    _VERSION = version("datapedia")
except PackageNotFoundError:  # running from a source tree that was never installed
    _VERSION = "0"

USER_AGENT = f"DatapediaVlaanderen/{_VERSION} (+https://github.com/datapedia-vlaanderen/datapedia)"
MB = 1024 * 1024


@dataclass(frozen=True)
class TransportSettings:
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0
    total_timeout_s: float = 60.0
    retries: int = 2
    backoff_s: float = 1.0
    max_redirects: int = 5
    max_bytes: int = 50 * MB
    # A body larger than this goes to a temporary file while it downloads: in memory at
    # most total_concurrency x memory_bytes (32 x 2 MB = 64 MB), not 32 x max_bytes.
    memory_bytes: int = 2 * MB
    per_host_concurrency: int = 4
    total_concurrency: int = 32

    @property
    def memory_budget(self) -> int:
        """Bytes of bodies held in memory by all downloads at once, at most."""
        return self.total_concurrency * self.memory_bytes


TRANSPORT = TransportSettings()

# Dutch explanations used by the handbook; one per field above.
EXPLANATIONS: dict[str, str] = {
    "connect_timeout_s": "Maximale tijd (s) om een verbinding op te zetten.",
    "read_timeout_s": "Maximale tijd (s) tussen twee ontvangen stukken data.",
    "total_timeout_s": "Maximale totale tijd (s) voor één aanvraag: verbinding, statusregel, "
    "headers en download samen; daarna wordt de verbinding verbroken.",
    "retries": "Extra pogingen (met oplopende wachttijd) voor een eindpunt onbereikbaar heet; "
    "na een time-out hoogstens één, binnen connect_timeout_s. Een eindpunt dat dan nog "
    "faalt, wordt op het einde van de controle nog één keer gevraagd.",
    "backoff_s": "Wachttijd (s) voor de eerste herhaling; verdubbelt bij elke poging.",
    "max_redirects": "Maximaal aantal doorverwijzingen.",
    "max_bytes": "Maximale grootte (bytes) die een probe downloadt.",
    "memory_bytes": "Grootte (bytes) tot waar een antwoord in het geheugen blijft; een groter "
    "antwoord gaat tijdens het downloaden naar een tijdelijk bestand. Zo houden alle "
    "gelijktijdige downloads samen hoogstens total_concurrency × memory_bytes in het geheugen.",
    "per_host_concurrency": "Gelijktijdige aanvragen per server (beleefdheid).",
    "total_concurrency": "Gelijktijdige aanvragen in totaal.",
}
