"""Which key may be sent to which server: ``config/geheimen.yml``, owned by the maintainers.

A fiche names the environment variable that holds its key (``auth.env``); any code
owner can approve a fiche, so the fiche alone must never decide where a key goes.
This file, reviewed by the maintainers team only (CODEOWNERS), binds each variable
to the hosts that may receive it:

    TELRAAM_API_KEY:
      - telraam-api.net

``validate`` refuses a fiche that names a variable not in the file or sends it to
another host; the probe checks again before every request and every redirect hop.
Keys travel over https only; loopback hosts are the one exception (a key sent there
never leaves the machine, and the production address guard refuses them anyway).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

SECRETS_FILE = Path("config") / "geheimen.yml"
_NAME = re.compile(r"^[A-Z][A-Z0-9_]{1,63}$")
_HOST = re.compile(r"^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$")


@dataclass(frozen=True)
class SecretHosts:
    """The map, or why it could not be read (then no key may go anywhere)."""

    hosts: Mapping[str, frozenset[str]] = field(default_factory=dict)
    problems: tuple[str, ...] = ()

    def for_name(self, name: str) -> frozenset[str] | None:
        return self.hosts.get(name)


def load_secret_hosts(root: Path) -> SecretHosts:
    path = Path(root) / SECRETS_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return SecretHosts()
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        return SecretHosts(problems=(f"onleesbaar ({type(error).__name__}); geen sleutel mag weg",))
    if data is None:
        return SecretHosts()
    if not isinstance(data, dict):
        return SecretHosts(problems=("verwacht per regel 'NAAM: [server, ...]'",))
    hosts: dict[str, frozenset[str]] = {}
    problems = []
    for name, listed in data.items():
        values = listed if isinstance(listed, list) else [listed]
        if not (isinstance(name, str) and _NAME.match(name)) or not all(
            isinstance(v, str) and _HOST.match(v.lower()) for v in values
        ):
            shown = str(name)[:64]
            problems.append(f"ongeldige regel voor {shown!r}; verwacht 'NAAM: [server, ...]'")
            continue
        hosts[name] = frozenset(v.lower() for v in values)
    return SecretHosts(hosts, tuple(problems))


def may_carry_secret(url: str, hosts: Collection[str]) -> bool:
    """Whether a request to ``url`` may carry a key bound to ``hosts``."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    return host in hosts and (parts.scheme == "https" or _loopback(host))


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refusal(name: str, url: str, secrets: SecretHosts) -> str | None:
    """Why ``url`` may not receive the key in variable ``name`` (Dutch), or None."""
    hosts = secrets.for_name(name)
    if hosts is None:
        return (
            f"sleutel '{name}' staat niet in {SECRETS_FILE}; de beheerders binden daar "
            "elke sleutel aan de servers die ze mogen krijgen"
        )
    if may_carry_secret(url, hosts):
        return None
    allowed = ", ".join(sorted(hosts))
    return (
        f"sleutel '{name}' mag volgens {SECRETS_FILE} enkel over https naar {allowed}; "
        f"pas de URL aan of vraag de beheerders om {SECRETS_FILE} te wijzigen"
    )
