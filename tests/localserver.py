"""A real HTTP server on 127.0.0.1 for tests: routes, faults and a request log.

    with LocalServer({"/ok": Route(body=b"{}", content_type="application/json")}) as srv:
        fetcher.fetch(srv.url("/ok"))
        assert srv.requests[0].headers["User-Agent"].startswith("Datapedia")

A route is a ``Route`` (served every time), a list of ``Route`` (served in turn;
the last one repeats: "500 then recovery") or a callable ``(Request) -> Route``.
Faults: ``delay_s`` before the headers, ``trickle_s`` between body chunks,
``reset_after`` bytes then a TCP reset, ``redirect`` targets, ``gzip`` bodies,
``chunked`` transfer encoding (chunks of ``trickle_chunk`` bytes, no Content-Length),
``methods`` to answer 405 to others. Paths match with their query string first,
then without it. Unknown paths answer 404. ``LocalServer(tls=True)`` serves HTTPS
with a fresh self-signed certificate (no client trusts it: a TLS failure).
"""

from __future__ import annotations

import gzip as gzip_module
import shutil
import socket
import ssl
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REAL = Path(__file__).resolve().parent / "data" / "real"


def real_payload(relative: str) -> bytes:
    """A recorded real response from tests/data/real/ (provenance in its README.md)."""
    return (REAL / relative).read_bytes()


@dataclass
class Route:
    status: int = 200
    body: bytes | str = b""
    content_type: str | None = "application/octet-stream"
    headers: Mapping[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    trickle_s: float = 0.0
    trickle_chunk: int = 1
    reset_after: int | None = None
    redirect: str | None = None
    gzip: bool = False
    chunked: bool = False
    methods: frozenset[str] | None = None

    def payload(self) -> bytes:
        data = self.body.encode("utf-8") if isinstance(self.body, str) else self.body
        return gzip_module.compress(data) if self.gzip else data


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]


RouteSpec = Route | list[Route] | Callable[[Request], Route]


class LocalServer:
    def __init__(self, routes: Mapping[str, RouteSpec] | None = None, *, tls: bool = False) -> None:
        self.routes: dict[str, RouteSpec] = dict(routes or {})
        self.tls = tls
        self.requests: list[Request] = []
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------
    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        server.block_on_close = False  # keep-alive clients must not hold up stop()
        if self.tls:
            server.socket = _self_signed_context().wrap_socket(server.socket, server_side=True)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # --- helpers ------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return self._server.server_address[1]

    @property
    def base(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, route: RouteSpec) -> None:
        with self._lock:
            self.routes[path] = route
            self._served.pop(path, None)

    def hits(self, path: str) -> int:
        """How many requests reached this path (query string ignored)."""
        return sum(1 for r in self.requests if r.path.split("?")[0] == path.split("?")[0])

    def _resolve(self, request: Request) -> Route:
        with self._lock:
            self.requests.append(request)
            key = request.path if request.path in self.routes else request.path.split("?")[0]
            spec = self.routes.get(key)
            if spec is None:
                return Route(status=404, body=b"not found", content_type="text/plain")
            if isinstance(spec, list):
                index = self._served.get(key, 0)
                self._served[key] = index + 1
                return spec[min(index, len(spec) - 1)]
        return spec(request) if callable(spec) else spec


def _self_signed_context() -> ssl.SSLContext:
    import pytest

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    with tempfile.TemporaryDirectory() as folder:
        key, cert = f"{folder}/key.pem", f"{folder}/cert.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert],
            check=True, capture_output=True,
        )  # fmt: skip
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
    return context


def _handler_for(owner: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # keep test output clean

        def _serve(self) -> None:
            request = Request(self.command, self.path, dict(self.headers.items()))
            route = owner._resolve(request)
            if route.delay_s:
                time.sleep(route.delay_s)
            if route.methods is not None and self.command not in route.methods:
                route = Route(status=405, body=b"method not allowed", content_type="text/plain")
            body = route.payload()
            status = route.status
            if route.redirect is not None and status == 200:
                status = 302
            self.send_response(status)
            if route.content_type:
                self.send_header("Content-Type", route.content_type)
            if route.gzip:
                self.send_header("Content-Encoding", "gzip")
            if route.redirect is not None:
                self.send_header("Location", route.redirect)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if route.chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command == "HEAD":
                return
            if route.chunked:
                for start in range(0, len(body), max(route.trickle_chunk, 1)):
                    piece = body[start : start + max(route.trickle_chunk, 1)]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.flush()
                    time.sleep(route.trickle_s)
                self.wfile.write(b"0\r\n\r\n")
                return
            if route.reset_after is not None:
                self.wfile.write(body[: route.reset_after])
                self.wfile.flush()
                self._reset()
                return
            if route.trickle_s:
                for start in range(0, len(body), route.trickle_chunk):
                    self.wfile.write(body[start : start + route.trickle_chunk])
                    self.wfile.flush()
                    time.sleep(route.trickle_s)
                return
            self.wfile.write(body)

        def _reset(self) -> None:
            # SO_LINGER with a zero timeout turns close() into a TCP RST.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True

        def handle_one_request(self) -> None:
            try:
                super().handle_one_request()
            except (BrokenPipeError, ConnectionResetError, OSError):
                self.close_connection = True  # the client went away: nothing to do

        do_GET = do_HEAD = do_POST = _serve  # noqa: N815

    return Handler
