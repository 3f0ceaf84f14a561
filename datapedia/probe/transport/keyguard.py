"""Keys stay home: where a request carrying one may go, and redaction of every kept text.

A fiche names a key by its environment variable; ``datapedia.load.geheimen`` maps each
to the hosts it is bound to. Every hop of a request that carries a key is checked
against that map, a redirect to another origin drops every header that carries one,
and every text kept from an answer is redacted (whole, %-encoded or in part).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from datapedia.load.geheimen import may_carry_secret
from datapedia.probe.transport.errors import ERRORS, FetchError

_SAFE_HEADERS = {"User-Agent", "Accept", "Accept-Encoding"}
# A secret shown in part is still shown: any run of this many of its characters is
# redacted (shorter secrets only whole).
_PARTIAL_CHARS = 8
_MASK = "***"


def _forms(secrets: Iterable[str]) -> list[str]:
    return [
        form
        for secret in secrets
        if secret
        for form in {secret, quote(secret, safe=""), quote(secret)}
    ]


def redact(text: str | None, secrets: Iterable[str]) -> str | None:
    """``text`` with every secret, whole, %-encoded or in part, replaced by ``***``.

    Partial: any ``_PARTIAL_CHARS`` consecutive characters of a secret (a key cut by
    a snippet or echoed half). Redact before truncating, never after.
    """
    if text is None:
        return None
    forms = _forms(secrets)
    if not forms:
        return text
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, _MASK)
    windows = {
        form[i : i + _PARTIAL_CHARS]
        for form in forms
        if len(form) > _PARTIAL_CHARS
        for i in range(len(form) - _PARTIAL_CHARS + 1)
    }
    return _mask_windows(text, windows) if windows else text


def _mask_windows(text: str, windows: set[str]) -> str:
    hidden = [False] * len(text)
    for i in range(len(text) - _PARTIAL_CHARS + 1):
        if text[i : i + _PARTIAL_CHARS] in windows:
            hidden[i : i + _PARTIAL_CHARS] = [True] * _PARTIAL_CHARS
    out: list[str] = []
    for char, masked in zip(text, hidden, strict=True):
        if not masked:
            out.append(char)
        elif not out or out[-1] != _MASK:  # one mark per hidden run
            out.append(_MASK)
    return "".join(out)


def redact_all(value: Any, secrets: Iterable[str]) -> Any:
    """Every string in a JSON-like value redacted, mapping keys included."""
    secrets = tuple(s for s in secrets if s)
    if not secrets:
        return value
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, Mapping):
        return {redact_all(k, secrets): redact_all(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_all(item, secrets) for item in value]
    return value


def longest_form(secrets: Iterable[str]) -> int:
    """Length of the longest way a secret can be written (its %-encoded form)."""
    return max((len(quote(s, safe="")) for s in secrets), default=0)


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


def without_userinfo(url: str) -> str:
    """The URL as it may be shown: a password typed into a fiche is never repeated."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]).geturl()


@dataclass(frozen=True)
class Ask:
    """What one fetch sends and where its secrets may go."""

    headers: Mapping[str, str]
    secrets: tuple[str, ...]
    secret_hosts: Collection[str] | None

    def _carries_secret(self, url: str, send: Mapping[str, str]) -> bool:
        texts = [url, *send.values()]
        return any(secret in text for secret in self.secrets for text in texts)

    def check_secret_host(self, url: str, send: Mapping[str, str]) -> None:
        """Refuse a hop that would hand a key to a host it is not bound to."""
        if self.secret_hosts is None or not self._carries_secret(url, send):
            return
        if not may_carry_secret(url, self.secret_hosts):
            raise FetchError("secret_host", ERRORS["secret_host"])

    def for_another_origin(self, send: Mapping[str, str]) -> dict[str, str]:
        """Headers for a redirect to another origin: only the harmless standard ones,
        and none that carries a key, whatever the fiche named its key header."""
        return {
            k: v
            for k, v in send.items()
            if k in _SAFE_HEADERS and not any(secret in v for secret in self.secrets)
        }
