"""The stable error codes of a fetch and how a network exception maps onto one.

Network and HTTP problems never raise out of the transport: they come back as one of
these codes, stored in checks/ and read by the diagnosis.
"""

from __future__ import annotations

import email.utils
import socket
from datetime import UTC, datetime

import urllib3.exceptions

# Stable error codes (stored in checks/ and used by the diagnosis) -> Dutch reason.
ERRORS: dict[str, str] = {
    "dns": "de servernaam bestaat niet of kon niet opgezocht worden (DNS)",
    "connect": "geen verbinding met de server mogelijk",
    "timeout": "de server antwoordde niet binnen de toegelaten tijd",
    "reset": "de verbinding werd onderbroken tijdens het antwoord",
    "too_many_redirects": "te veel doorverwijzingen",
    "blocked_address": "het adres is privé, lokaal of intern en wordt niet bevraagd",
    "too_large": "het antwoord is groter dan de toegelaten grootte",
    "bad_scheme": "enkel http- en https-adressen worden bevraagd",
    "credentials_in_url": "de URL bevat een gebruikersnaam of wachtwoord",
    "bad_url": "de URL is ongeldig",
    "tls": "de beveiligde verbinding (TLS/SSL) faalde",
    "decode": "de inhoud kon niet gedecomprimeerd worden (bv. kapotte gzip)",
    "http": "de server antwoordde met een foutstatus",
    "internal": "interne fout in de probe (geen fout van de bron)",
    "secret_host": "een sleutel zou naar een server gaan waarvoor ze niet bestemd is",
}

# Errors worth another attempt: the server may be back in a moment.
RETRYABLE_ERRORS = frozenset({"dns", "connect", "reset"})
# Errors worth one more try at the end of the run (probe.runner) before calling an endpoint down.
TRANSIENT_ERRORS = frozenset({*RETRYABLE_ERRORS, "timeout"})
RETRY_AFTER_CAP_S = 30.0


class FetchError(Exception):
    """Internal: one attempt failed with a stable error code."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds asked by a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def connection_code(error: BaseException) -> str:
    """Tell DNS failures and resets apart from other connection errors."""
    seen: BaseException | None = error
    for _depth in range(10):
        if seen is None:
            break
        if isinstance(seen, urllib3.exceptions.NameResolutionError | socket.gaierror):
            return "dns"
        if isinstance(seen, ConnectionResetError | urllib3.exceptions.ProtocolError):
            return "reset"
        # requests and urllib3 wrap the cause in .reason or in args rather than __cause__
        reason = getattr(seen, "reason", None)
        wrapped = [a for a in seen.args if isinstance(a, BaseException)]
        if isinstance(reason, BaseException):
            seen = reason
        elif wrapped:
            seen = wrapped[0]
        else:
            seen = seen.__cause__ or seen.__context__
    return "connect"
