"""Does this machine have a network at all? Asked of hosts the run needs anyway.

When no dataset endpoint could even be connected to, that is either a provider outage
(news: exit 1, written to checks/) or a runner without network (nothing to say: exit 2).
The datasets' own endpoints cannot tell the two apart, so a TCP connection to a few
well-known hosts decides. The list comes from ``DATAPEDIA_CANARY`` (space-separated
URLs, maintainers' configuration) or defaults to the hosts every nightly run already
depends on for checkout and install. Every canary must answer: a sandbox that reaches
only a package registry (pypi.org) has no network for the feeds, and its all-down
results must never be written.
"""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_CANARY = ("https://github.com/", "https://pypi.org/")
CANARY_TIMEOUT_S = 5.0


def canary_urls(environ: Mapping[str, str]) -> list[str]:
    configured = environ.get("DATAPEDIA_CANARY", "").split()
    return configured or list(DEFAULT_CANARY)


def network_up(urls: list[str], timeout_s: float = CANARY_TIMEOUT_S) -> bool:
    """True only when every canary accepts a TCP connection."""
    # Imported when asked: a check that forks its probes never loads the network
    # libraries in the parent, where every forked child would copy them.
    from datapedia.probe.transport import tcp_connects

    return bool(urls) and all(tcp_connects(url, timeout_s) for url in urls)
