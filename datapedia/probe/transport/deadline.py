"""A hard wall-clock deadline per attempt, and the attempt's clock for latency.

Socket timeouts bound each wait, not their sum: a server that sends its status line
or headers one byte a second never lets one expire. The watchdog shuts every socket
of the attempt from a timer thread at the deadline, which ends a blocked read at
once; the attempt then reports a timeout.

The watchdog is also where the connection notes when an answer arrived (see
``connections.answer_time``), so latency is taken in the transport, before any parse.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time

from datapedia.probe.transport.errors import FetchError

_CURRENT = threading.local()


class Watchdog:
    """Shuts every socket of one attempt at its deadline, whatever it is waiting for."""

    def __init__(self, deadline: float) -> None:
        self.fired = False
        # perf_counter() at which the last answer's headers arrived (kernel-corrected)
        self.answered_at: float | None = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True

    def __enter__(self) -> Watchdog:
        _CURRENT.watchdog = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        _CURRENT.watchdog = None

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            fired = self.fired
        if fired:
            _shut(sock)

    def check(self) -> None:
        if self.fired:
            raise FetchError("timeout", "de totale tijd is overschreden")

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def current() -> Watchdog | None:
    """The watchdog of the attempt running in this thread, if any."""
    return getattr(_CURRENT, "watchdog", None)


def _shut(sock: socket.socket) -> None:
    # The plain socket's shutdown, also under TLS: SSLSocket.shutdown would drop its TLS
    # state under the feet of the thread reading from it.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
