"""A fast HTTP server in its own process, and a parse that holds the GIL meanwhile.

For the latency guarantee: a server that answers at once must be measured as fast
even when, in the probing process, another probe's parse holds the GIL for a long
time. ``LocalServer`` runs in a thread of the test process, so it would be held up by
that parse itself; this one has its own interpreter. It answers only once ``go`` is
set and records, on ``time.monotonic()`` (one clock for every process on Linux),
when the request came in and when it answered.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import socket
import time
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event

# Enough to hold the GIL for most of a second on the test machines, in one C call.
HOG_ITEMS = 60_000_000
_CONTEXT = multiprocessing.get_context("fork")


def _serve(sock: socket.socket, body: bytes, seen: Event, go: Event, times: list) -> None:
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}"
    reply = head.encode() + b"\r\nConnection: close\r\n\r\n" + body
    while True:
        conn, _ = sock.accept()
        with conn, contextlib.suppress(OSError):
            conn.recv(65536)
            if not seen.is_set():
                times[0].value = time.monotonic()
                seen.set()
                go.wait(10)
                times[1].value = time.monotonic()
            conn.sendall(reply)


class ForkedServer:
    """``with ForkedServer(body) as srv``: ``srv.url``; ``srv.seen``/``srv.go`` events;
    ``srv.received_at``/``srv.answered_at`` for the first request."""

    def __init__(self, body: bytes) -> None:
        self.seen: Event = _CONTEXT.Event()
        self.go: Event = _CONTEXT.Event()
        self._times: list[Synchronized] = [_CONTEXT.Value("d", 0.0), _CONTEXT.Value("d", 0.0)]
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self._process = _CONTEXT.Process(
            target=_serve, args=(self._sock, body, self.seen, self.go, self._times), daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}/snel.json"

    @property
    def received_at(self) -> float:
        return self._times[0].value

    @property
    def answered_at(self) -> float:
        return self._times[1].value

    def __enter__(self) -> ForkedServer:
        self._process.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.go.set()
        self._process.kill()
        self._process.join(5)
        self._sock.close()


def hog_the_gil() -> tuple[float, float]:
    """Hold the GIL in one C call (as a pathological regex or a big parse does);
    its start and end on ``time.monotonic()``."""
    began = time.monotonic()
    sum(range(HOG_ITEMS))
    return began, time.monotonic()
