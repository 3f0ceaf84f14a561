"""The one HTTP door for feeds: only this package imports requests, urllib3 or socket.

Fiche URLs come from pull requests, so every request is treated as hostile: the
address guard (``addresses``), keys bound to hosts and redaction (``keyguard``), a hard
deadline per request (``deadline``), caps on headers and on the decoded body, which
is spooled to disk beyond ``memory_bytes`` (``body``), latency taken when the answer
reaches the socket (``connections``) and stable error codes (``errors``), under the
transport's own settings (``datapedia.probe.settings``, plain data outside this
package so the handbook can read them; no judgement: see ``datapedia.model``).
``fetcher`` puts them together. It touches the network and a temporary directory;
nothing else.
"""

from datapedia.probe.settings import TRANSPORT, USER_AGENT, TransportSettings
from datapedia.probe.transport.addresses import tcp_connects
from datapedia.probe.transport.body import Body
from datapedia.probe.transport.errors import ERRORS, TRANSIENT_ERRORS
from datapedia.probe.transport.fetcher import Fetcher, FetchPolicy, FetchResult
from datapedia.probe.transport.keyguard import redact, redact_all

__all__ = [
    "ERRORS",
    "TRANSIENT_ERRORS",
    "TRANSPORT",
    "USER_AGENT",
    "Body",
    "FetchPolicy",
    "FetchResult",
    "Fetcher",
    "TransportSettings",
    "redact",
    "redact_all",
    "tcp_connects",
]
