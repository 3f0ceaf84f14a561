"""A local stand-in for the real services, with a fixed delay per request.

It runs in its own process (so its threads and GIL do not disturb the CLI being
measured) and binds one socket per loopback address (127.0.0.1, 127.0.0.2, ...):
the probes limit concurrency per host, so spreading fiches over many host names
makes the benchmark measure the global concurrency limit instead.

Payloads are small but shaped like the real ones (see ../shared/real/), with
timestamps just before the injected ``now`` so every feed looks fresh.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from urllib.request import urlopen

# Number of stations/segments/counters (rows) each synthetic feed reports by default;
# --rows raises it to see what real-sized samples (up to sample_rows) cost.
UNITS = 8
# KiWIS writes local time with an offset, as in the recorded responses.
BRUSSELS_WINTER = timezone(timedelta(hours=1))
KINDS = ("kiwis", "kiwis-values", "opendatasoft", "telraam", "csv", "json", "html")


def classify(path_and_query: str) -> str:
    """Which service a request is for, from the URL alone (the probe may add parameters)."""
    parts = urlsplit(path_and_query)
    path, query = parts.path.lower(), parse_qs(parts.query)
    if "kiwis" in path:
        request = query.get("request", [""])[0].lower()
        return "kiwis-values" if request == "gettimeseriesvalues" else "kiwis"
    if "/api/explore/" in path:
        if path.endswith("/exports/csv"):
            return "csv"
        if path.endswith("/exports/json"):
            return "json"
        return "opendatasoft"
    if "/v1/reports" in path or "telraam" in path:
        return "telraam"
    if path.endswith(".csv"):
        return "csv"
    if path.endswith(".json"):
        return "json"
    return "html"


def _points(now: datetime, step: timedelta, rows: int) -> list[tuple[int, datetime, float, float]]:
    """``rows`` measuring points inside Flanders, each with a recent observation time."""
    return [
        (i, now - step * (1 + i % 2), 50.8 + 0.05 * (i % 15), 3.2 + 0.25 * (i % 10))
        for i in range(1, rows + 1)
    ]


def payload(kind: str, now: datetime, rows: int = UNITS) -> tuple[bytes, str]:
    """Body and content type for one kind of request, fresh relative to ``now``."""
    if kind == "kiwis":
        body = [
            {
                "ts_id": 94419000 + i,
                "timestamp": ts.astimezone(BRUSSELS_WINTER).isoformat(timespec="milliseconds"),
                "req_timestamp": None,
                "ts_value": round(1.5 + 0.1 * i, 2),
                "station_latitude": lat,
                "station_longitude": lon,
                "station_id": str(12200 + i),
                "station_no": f"BENCH{i:03d}",
                "station_name": f"Meetpunt {i}",
                "stationparameter_name": "H",
                "ts_unitsymbol": "mTAW",
                "parametertype_name": "H",
                "dataprovider": "VMM",
            }
            for i, ts, lat, lon in _points(now, timedelta(minutes=15), rows)
        ]
        return json.dumps(body).encode(), "application/json"
    if kind == "kiwis-values":
        rows = [
            [(now - timedelta(minutes=15 * k)).isoformat(timespec="milliseconds"), 1.2, 130]
            for k in range(96, 0, -1)
        ]
        body = [
            {
                "ts_id": "78124042",
                "rows": str(len(rows)),
                "columns": "Timestamp,Value,Quality Code",
                "data": rows,
            }
        ]
        return json.dumps(body).encode(), "application/json"
    if kind == "opendatasoft":
        results = [
            {
                "meetpunt": f"teller-{i}",
                "locatie": f"Telpunt {i}",
                "datum": ts.isoformat(),
                "aantal": 40 + i,
                "geo_point_2d": {"lon": lon, "lat": lat},
            }
            for i, ts, lat, lon in _points(now, timedelta(minutes=15), rows)
        ]
        return json.dumps({"total_count": len(results), "results": results}).encode(), (
            "application/json; charset=utf-8"
        )
    if kind == "telraam":
        features = [
            {
                "type": "Feature",
                "geometry": {
                    "type": "MultiLineString",
                    "coordinates": [[[lon, lat], [lon + 0.001, lat + 0.0005]]],
                },
                "properties": {
                    "segment_id": 9000000 + i,
                    "last_data_package": ts.strftime("%Y-%m-%d %H:%M:%S.%f+00:00"),
                    "timezone": "Europe/Brussels",
                    "date": ts.strftime("%Y-%m-%d %H:00:00+00:00"),
                    "period": "hourly",
                    "uptime": 0.74,
                    "heavy": 3.0,
                    "car": 120.5,
                    "bike": 48.0,
                    "pedestrian": 12.0,
                    "v85": 42.5,
                },
            }
            for i, ts, lat, lon in _points(now, timedelta(hours=1), rows)
        ]
        body = {
            "status_code": 200,
            "message": "ok",
            "type": "FeatureCollection",
            "features": features,
        }
        return json.dumps(body).encode(), "application/json"
    if kind in ("csv", "json"):
        records = [
            {
                "meetpunt": f"teller-{i}",
                "tijdstip": ts.isoformat(),
                "aantal": 40 + i,
                "richting": "in",
            }
            for i, ts, _, _ in _points(now, timedelta(hours=1), rows)
        ]
        if kind == "json":
            return json.dumps(records).encode(), "application/json"
        out = io.StringIO()
        writer = csv.DictWriter(
            out, fieldnames=list(records[0]), delimiter=";", lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(records)
        return out.getvalue().encode(), "text/csv; charset=utf-8"
    page = "<!doctype html><html lang=nl><title>Documentatie</title><p>Synthetische pagina.</p>"
    return page.encode(), "text/html; charset=utf-8"


class _Stats:
    """Request counters shared by the handler threads; read through the control socket."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.total = 0
        self.inflight = 0
        self.max_inflight = 0
        self.by_method: dict[str, int] = {}
        self.by_kind: dict[str, int] = {}
        self.hosts: set[str] = set()

    def enter(self, method: str, kind: str, host: str) -> None:
        with self.lock:
            self.total += 1
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)
            self.by_method[method] = self.by_method.get(method, 0) + 1
            self.by_kind[kind] = self.by_kind.get(kind, 0) + 1
            self.hosts.add(host)

    def leave(self) -> None:
        with self.lock:
            self.inflight -= 1

    def snapshot(self) -> dict:
        with self.lock:
            return {
                "total": self.total,
                "max_inflight": self.max_inflight,
                "by_method": dict(self.by_method),
                "by_kind": dict(self.by_kind),
                "hosts": len(self.hosts),
            }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The probes open up to total_concurrency connections at once; a deep accept
    # queue keeps the kernel from refusing connections during bursts.
    request_queue_size = 1024


def _feed_handler(
    now: datetime, delay_s: float, rows: int, stats: _Stats
) -> type[BaseHTTPRequestHandler]:
    bodies = {kind: payload(kind, now, rows) for kind in KINDS}

    class Feed(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
        # The headers and the body leave in two writes; with Nagle's algorithm the
        # body then waits for the client's delayed ACK (~20 ms a response here), a
        # delay the benchmark did not mean to add. Real servers send without it.
        disable_nagle_algorithm = True

        def _answer(self, with_body: bool) -> None:
            kind = classify(self.path)
            body, content_type = bodies[kind]
            # Counted in flight from the request to just before the first byte of the
            # answer leaves: that span lies inside the client's slot. Counting until after
            # the write let a client that had read everything and started its next request
            # be counted twice while this thread waited to run (33 seen against 32).
            stats.enter(self.command, kind, self.server.server_address[0])
            try:
                time.sleep(delay_s)
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Last-Modified", self.date_time_string(now.timestamp() - 600))
            finally:
                stats.leave()
            self.end_headers()
            if with_body:
                self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._answer(with_body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer(with_body=False)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # thousands of lines of access log would only slow the server down

    return Feed


def _control_handler(stats: _Stats) -> type[BaseHTTPRequestHandler]:
    class Control(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/reset":
                stats.reset()
            body = json.dumps(stats.snapshot()).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Control


def _serve(hosts: int, now_iso: str, delay_s: float, rows: int, conn) -> None:
    now = datetime.fromisoformat(now_iso)
    stats = _Stats()
    feed = _feed_handler(now, delay_s, rows, stats)
    servers = [_Server((f"127.0.0.{i}", 0), feed) for i in range(1, hosts + 1)]
    control = _Server(("127.0.0.1", 0), _control_handler(stats))
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    conn.send(([s.server_address[:2] for s in servers], control.server_address[1]))
    conn.close()
    control.serve_forever()


@dataclass
class FeedServer:
    """Handle on the server process: its feed addresses and its counters."""

    process: multiprocessing.Process
    addresses: list[tuple[str, int]]
    control_port: int
    delay_s: float

    def base_urls(self) -> list[str]:
        return [f"http://{host}:{port}" for host, port in self.addresses]

    def _control(self, path: str) -> dict:
        with urlopen(f"http://127.0.0.1:{self.control_port}{path}", timeout=10) as response:
            return json.load(response)

    def reset(self) -> dict:
        return self._control("/reset")

    def stats(self) -> dict:
        return self._control("/stats")

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(timeout=10)


def start_server(now: datetime, delay_s: float, hosts: int = 16, rows: int = UNITS) -> FeedServer:
    """Start the feed server in a separate process and wait until it listens."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(
        target=_serve, args=(hosts, now.isoformat(), delay_s, rows, child), daemon=True
    )
    process.start()
    child.close()
    if not parent.poll(30):
        process.terminate()
        raise RuntimeError("bench server did not start within 30 s")
    addresses, control_port = parent.recv()
    return FeedServer(process, [tuple(a) for a in addresses], control_port, delay_s)
