"""The address guard: no private, local or internal address is ever asked.

Fiche URLs come from pull requests, so every host is checked before the request
(its DNS answers) and again on the connected socket (its actual peer), which closes
the window in which DNS could answer a public address to the guard and a private one
to the connection. Also the one bare TCP connection the package makes: the canary.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from datapedia.probe.transport.errors import ERRORS, FetchError

# NAT64 (RFC 6052) and the deprecated IPv4-compatible form carry an IPv4 address too.
_EMBEDDING_V4 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("::/96"))


def blocked(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for every address a probe must not connect to."""
    # An IPv6 address that embeds an IPv4 one (mapped, 6to4, Teredo, NAT64) can reach a
    # private IPv4 host through a relay; no open-data feed needs one, so all are refused.
    if isinstance(ip, ipaddress.IPv6Address) and (
        ip.ipv4_mapped or ip.sixtofour or ip.teredo or any(ip in n for n in _EMBEDDING_V4)
    ):
        return True
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or not ip.is_global
    )


class BlockedAddress(Exception):
    """Raised at connect time; deliberately not an OSError so urllib3 does not wrap it."""


def check_peer(sock: socket.socket) -> None:
    """Close ``sock`` and raise when it is connected to a blocked address."""
    peer = ipaddress.ip_address(sock.getpeername()[0].split("%")[0])
    if blocked(peer):
        sock.close()
        # the address itself is not repeated: stored details never answer for a resolver
        raise BlockedAddress("verbinding geweigerd: het adres is privé, lokaal of intern")


def guard(host: str, port: int) -> None:
    """Raise ``FetchError`` when ``host`` is, or resolves to, a blocked address."""
    try:
        addresses = {ipaddress.ip_address(host)}
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError) as error:
            raise FetchError("dns", f"{host}: {ERRORS['dns']}") from error
        addresses = {ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos}
    # Only the verdict is kept: the addresses a name resolves to would make stored
    # results a DNS oracle for internal names.
    if any(blocked(ip) for ip in addresses):
        raise FetchError("blocked_address", f"{host}: {ERRORS['blocked_address']}")


def tcp_connects(url: str, timeout_s: float) -> bool:
    """Whether the host of ``url`` accepts a TCP connection (the no-network canary)."""
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        with socket.create_connection((parts.hostname or "", port), timeout=timeout_s):
            return True
    except (OSError, ValueError):
        return False
