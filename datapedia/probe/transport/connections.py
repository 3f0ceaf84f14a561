"""The connections requests uses: watched by the deadline, guarded at connect time, timed.

Every connection is watched: a new one when it is made (connect, TLS), a pooled one
when it is asked again (status line, headers). Guarded ones also check the actual
peer of the socket (``addresses.check_peer``).

Latency is noted when the headers arrive, corrected by the kernel: ``TCP_INFO`` says
how long ago the last data reached the socket, so time this thread spent waiting for
the GIL (another probe parsing, a progress bar) after the answer arrived is not
counted. Without ``TCP_INFO`` (not Linux) the correction is zero.
"""

from __future__ import annotations

import socket
import struct
import time
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from datapedia.probe.transport import deadline
from datapedia.probe.transport.addresses import check_peer

_TCP_INFO = getattr(socket, "TCP_INFO", None)
# struct tcp_info (linux/tcp.h): 8 one-byte fields and 11 u32 before tcpi_last_data_recv (ms)
_LAST_DATA_RECV = struct.Struct("=52xI")


def arrived_ago(sock: socket.socket | None) -> float:
    """Seconds since data last reached ``sock`` (0.0 when the kernel cannot tell)."""
    if sock is None or _TCP_INFO is None:
        return 0.0
    try:
        # the plain socket's getsockopt, also under TLS: it asks the kernel, not OpenSSL
        info = socket.socket.getsockopt(sock, socket.IPPROTO_TCP, _TCP_INFO, 104)
        return _LAST_DATA_RECV.unpack_from(info)[0] / 1000
    except (OSError, struct.error):
        return 0.0


def answer_time(sock: socket.socket | None) -> float:
    """``perf_counter()`` at which the latest data of the answer reached the socket."""
    return time.perf_counter() - arrived_ago(sock)


class _Watched:
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        watchdog = deadline.current()
        if watchdog is not None:
            watchdog.watch(sock)
        return sock

    def getresponse(self) -> Any:  # noqa: ANN401 (urllib3's own type)
        watchdog = deadline.current()
        sock = self.sock  # http.client lets go of it once the answer says "close"
        if watchdog is not None:
            watchdog.watch(sock)
        response = super().getresponse()
        if watchdog is not None:
            watchdog.answered_at = answer_time(sock)
        return response


class _Guarded(_Watched):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        check_peer(sock)
        return sock


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _GuardedHTTPConnection(_Guarded, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_Guarded, HTTPSConnection):
    pass


def adapter_class(guarded: bool) -> type[HTTPAdapter]:
    """A requests adapter whose pools make watched (and, if ``guarded``, guarded) connections."""
    http, https = (
        (_GuardedHTTPConnection, _GuardedHTTPSConnection)
        if guarded
        else (_WatchedHTTPConnection, _WatchedHTTPSConnection)
    )
    http_pool = type("_HTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http})
    https_pool = type("_HTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https})

    class _Adapter(HTTPAdapter):
        def init_poolmanager(self, *args: object, **kwargs: object) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": http_pool, "https": https_pool}

    return _Adapter
