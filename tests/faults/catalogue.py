"""The catalogue of feed faults: what the server does, how the fiche asks, what must come out.

Each entry is one test in ``test_feed_faults.py``. ``url`` is a template: ``{base}`` is
the local server, ``{public}`` the same server under a name the patched resolver calls
public (for the address-guard faults), ``{closed}`` a port nothing listens on.
``routes`` builds the server's routes for the faulty dataset; it may read a recorded
real payload from ``tests/data/real/``.

Expected outcome: the endpoint's stable ``error`` code (``datapedia.probe.transport.ERRORS``), a
regex the ``parse_error`` must match (or None: no parse error), whether the endpoint
was ``skipped``, and the status of every dimension the fault speaks to. Dimensions
not listed are not asserted (they follow from the fiche, not from the feed).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from localserver import Request, Route, RouteSpec, real_payload

from .harness import (
    FAST,
    HEALTHY_ENV,
    HEALTHY_SECRET,
    JSON,
    NOW,
    PRIVATE_IP,
    PRIVATE_NAME,
    TELRAAM_ENV,
    healthy_json_body,
)

PATH = "/fout/feed"
OK, WARN, FAIL, UNKNOWN = "ok", "warn", "fail", "unknown"
# A transient failure is asked once more at the end of the run (probe.probe_all):
# two rounds of attempts.
TWO_ROUNDS = 2 * (FAST.retries + 1)
# The data dimensions when nothing could be read from the body: "niet gemeten".
NOT_READ = {"timeliness": UNKNOWN, "completeness": UNKNOWN, "coverage": UNKNOWN}


@dataclass(frozen=True)
class FeedFault:
    name: str
    server: str  # what the server does, in words
    protocol: str
    routes: Callable[[], dict[str, RouteSpec]]
    statuses: dict[str, str]
    error: str | None = None
    parse_error: str | None = None
    skipped: bool = False
    url: str = "{base}" + PATH
    raw: bytes | None = None  # served by a raw TCP server at {raw} instead
    distribution: dict[str, Any] = field(default_factory=dict)
    fiche: dict[str, Any] = field(default_factory=dict)
    findings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    attempts: int | None = None
    method: str | None = None
    hits: int | None = None  # requests the faulty path must have received
    guarded: bool = False  # run with allow_private=False (the production address guard)
    unset_env: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()  # never in any output (besides the secrets)
    xfail: str | None = None
    drip_s: float = 0.0  # the raw server sends one byte per drip_s seconds
    max_stored: int | None = None  # bytes checks/<id>.json may take at most


def _one(route: RouteSpec) -> Callable[[], dict[str, RouteSpec]]:
    return lambda: {PATH: route}


def _lazy(make: Callable[[], Route]) -> Callable[[], dict[str, RouteSpec]]:
    """Build the route in the test (not the server thread), so a missing payload fails there."""
    return lambda: {PATH: make()}


def _rows(*stamps: str, **extra: Any) -> bytes:
    rows = [{"station": f"s{i}", "tijd": t, "waarde": i} for i, t in enumerate(stamps, 1)]
    return json.dumps({"results": rows, **extra}).encode()


def _iso(minutes_ago: int) -> str:
    return (NOW - timedelta(minutes=minutes_ago)).isoformat()


def _naive(minutes_ago: int) -> str:
    return (NOW - timedelta(minutes=minutes_ago)).replace(tzinfo=None).isoformat()


# 200 rows, so a cut near the end leaves a CSV that still parses.
CSV_ROWS = "tijd,teller,aantal\n" + "".join(f"{_iso(i)},t{i % 5},{i}\n" for i in range(200))
JSON_DIST = {"timestamp_field": "tijd", "id_field": "station"}
UNITS = {"expected_units": {"count": 3}}


def large_rows() -> bytes:
    """Three stations every ten minutes, back far enough to pass ``memory_bytes`` twice."""
    stamps = [_iso(10 * (i // 3) + 1) for i in range(3 * 900)]
    rows = [{"station": f"s{i % 3 + 1}", "tijd": t, "waarde": i} for i, t in enumerate(stamps)]
    return json.dumps({"results": rows}).encode()


LARGE_ROWS_KB = len(large_rows()) // 1024

# --- payloads built on the recorded real responses ---------------------------------
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0"><wfs:member>
<f><naam>&lol9;</naam></f></wfs:member></wfs:FeatureCollection>"""

# Lines of /etc/passwd and of a file only this suite knows: neither may ever be echoed.
PASSWD_MARKER = "root:x:0:0"


def _xxe() -> bytes:
    """The real DOV WFS answer with an external entity pulling in /etc/passwd."""
    body = real_payload("dov/wfsgetfeature.xml")
    declaration, rest = body.split(b"?>", 1)
    doctype = b'<!DOCTYPE wfs:FeatureCollection [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    return declaration + b"?>" + doctype + rest.replace(b"ZUVP003", b"&x;", 1)


def _wfs_exception() -> bytes:
    return b"""<?xml version="1.0" encoding="UTF-8"?>
<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1" version="2.0.0">
  <ows:Exception exceptionCode="InvalidParameterValue" locator="typeName">
    <ows:ExceptionText>Feature type gw_meetnetten:bestaatniet unknown</ows:ExceptionText>
  </ows:Exception>
</ows:ExceptionReport>"""


def _telraam_echo(request: Request) -> Route:
    """Telraam refusing the key and, carelessly, repeating it in the error body."""
    key = request.headers.get("X-Api-Key", "")
    body = json.dumps({"message": f"Forbidden: API key {key} is not valid"})
    return Route(status=403, body=body, content_type=JSON)


def _kiwis_naive() -> bytes:
    """The real KiWIS value layer, its zones stripped and its times moved to this morning."""
    data = json.loads(real_payload("waterinfo/getTimeseriesValueLayer.json"))
    for i, row in enumerate(data):
        row["timestamp"] = _naive(15 * (i + 1))
    return json.dumps(data).encode()


def _kiwis_future() -> bytes:
    data = json.loads(real_payload("waterinfo/getTimeseriesValueLayer.json"))
    for i, row in enumerate(data):
        row["timestamp"] = _iso(15 * (i + 1))
    data[0]["timestamp"] = "2099-01-01T00:00:00+01:00"
    return json.dumps(data).encode()


TELRAAM_AUTH = {
    "kind": "api-key",
    "env": TELRAAM_ENV,
    "header": "X-Api-Key",
    "documentation": "https://telraam-api.net",
}
TELRAAM_FICHE = {"theme": "mobiliteit"}

# --- issue #18: bounded in time and memory, secrets that stay home --------------------
# The healthy neighbour's key, sent as ?api_key= to the local server (bound to it in
# the test's config/geheimen.yml): these servers echo it back in every way they can.
KEYED = {
    "auth": {"kind": "api-key", "env": HEALTHY_ENV, "param": "api_key",
             "documentation": "https://example.org/sleutel"},
}  # fmt: skip


def _key_of(request: Request) -> str:
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(request.path).query).get("api_key", [""])[0]


def _wide_json() -> bytes:
    """One record with 10,000 fields (the red team's had 200,000, in 6 MB)."""
    record = {"station": "s1", "tijd": _iso(5), **{f"veld{i}": i for i in range(10_000)}}
    return json.dumps({"results": [record]}).encode()


def _wide_csv() -> bytes:
    """15,000 columns, three rows (the red team's: 100,000 columns in 0.8 MB)."""
    names = ["tijd", *(f"k{i}" for i in range(15_000))]
    rows = [",".join([_iso(5 * r), *("1" * 15_000)]) for r in range(1, 4)]
    return ("\n".join([",".join(names), *rows]) + "\n").encode()


# The drip: a status line and a header that never end, one byte every DRIP_S seconds.
DRIP_S = 0.05
DRIP = b"HTTP/1.1 200 OK\r\nX-Druppel: " + b"a" * 2000
# CSV that made csv.Sniffer spend 86 s of CPU at 64 KB.
SNIFF_BOMB = b',"a' * 21_000
STRADDLE_AT = 190  # the error snippet keeps 200 characters

ISSUE_18_FAULTS: list[FeedFault] = [
    FeedFault(
        "header-drip",
        "stuurt statusregel en headers byte per byte (elke 0,05 s), zonder einde",
        "json",
        lambda: {},
        url="{raw}/data.json",
        raw=DRIP,
        drip_s=DRIP_S,
        error="timeout",
        statuses={"availability": FAIL, **NOT_READ},
        findings={"availability": ("BES-02",)},
    ),
    FeedFault(
        "oversized-headers",
        "200 met 60 headers van elk 1 kB (samen boven de 32 kB)",
        "json",
        lambda: {},
        url="{raw}/data.json",
        raw=b"HTTP/1.1 200 OK\r\n"
        + b"".join(b"X-Vulling-%d: %s\r\n" % (i, b"v" * 1024) for i in range(60))
        + b"Content-Length: 2\r\n\r\n[]",
        error="too_large",
        statuses={"availability": FAIL, **NOT_READ},
    ),
    FeedFault(
        "wide-json-record",
        "JSON-record met 10.000 velden",
        "json",
        _lazy(lambda: Route(body=_wide_json(), content_type=JSON)),
        distribution=JSON_DIST,
        statuses={"availability": OK, "timeliness": OK, "completeness": UNKNOWN},
        findings={"completeness": ("VOL-10",)},
        max_stored=64 * 1024,
    ),
    FeedFault(
        "wide-csv",
        "CSV met 15.000 kolommen",
        "csv",
        _lazy(lambda: Route(body=_wide_csv(), content_type="text/csv")),
        distribution={"format": "text/csv", "timestamp_field": "tijd"},
        statuses={"availability": OK, "timeliness": OK, "completeness": UNKNOWN},
        findings={"completeness": ("VOL-10",)},
        max_stored=64 * 1024,
    ),
    FeedFault(
        "key-echoed-in-content-type",
        "Content-Type: application/json; charset=<sleutel>",
        "json",
        _one(
            lambda r: Route(
                body=healthy_json_body(), content_type=f"application/json; charset={_key_of(r)}"
            )
        ),
        distribution={**KEYED, **JSON_DIST},
        fiche=UNITS,
        hits=1,
        statuses={"availability": OK, "timeliness": OK},
    ),
    FeedFault(
        "key-echoed-as-field-name",
        "JSON-record waarin de sleutel als veldnaam terugkomt",
        "json",
        _one(
            lambda r: Route(
                body=json.dumps(
                    {"results": [{"station": "s1", "tijd": _iso(5), _key_of(r): None}]}
                ),
                content_type=JSON,
            )
        ),
        distribution={**KEYED, **JSON_DIST},
        statuses={"availability": OK, "timeliness": OK},
    ),
    FeedFault(
        "key-straddles-error-snippet",
        "403 waarvan de sleutel over de grens van het foutfragment (200 tekens) valt",
        "json",
        _one(
            lambda r: Route(
                status=403, body="x" * STRADDLE_AT + _key_of(r) + " ongeldig", content_type=JSON
            )
        ),
        distribution=KEYED,
        error="http",
        hits=1,
        forbidden=(HEALTHY_SECRET[: 200 - STRADDLE_AT],),
        statuses={"availability": FAIL, **NOT_READ},
    ),
    FeedFault(
        "key-echoed-in-part",
        "403 die de eerste 12 tekens van de sleutel herhaalt",
        "json",
        _one(lambda r: Route(status=403, body=f"sleutel {_key_of(r)[:12]}... onbekend")),
        distribution=KEYED,
        error="http",
        hits=1,
        forbidden=(HEALTHY_SECRET[:12],),
        statuses={"availability": FAIL, **NOT_READ},
    ),
    FeedFault(
        "csv-sniff-bomb",
        "64 kB ',\"a' zonder regeleinde: kwadratisch voor csv.Sniffer",
        "csv",
        _one(Route(body=SNIFF_BOMB, content_type="text/csv")),
        distribution={"format": "text/csv", "timestamp_field": "tijd"},
        # one header line and no rows: read (in milliseconds), and empty
        statuses={"availability": OK, "completeness": WARN},
        findings={"completeness": ("VOL-08",)},
    ),
    FeedFault(
        "xml-deep-nesting",
        "WFS-antwoord van 60.000 geneste elementen",
        "wfs",
        _one(Route(body=b"<a>" * 60_000, content_type="application/gml+xml")),
        distribution={"format": "application/gml+xml"},
        parse_error="te diep genest",
        statuses={"availability": FAIL, **NOT_READ},
        findings={"completeness": ("VOL-10",)},
    ),
    *(
        FeedFault(
            f"redirect-to-{name}",
            f"302 naar {address}: {what}",
            "json",
            _one(Route(redirect=f"http://[{address}]/admin")),
            url="{public}" + PATH,
            guarded=True,
            error="blocked_address",
            hits=1,
            statuses={"availability": FAIL, **NOT_READ},
        )
        for name, address, what in (
            ("6to4-private", "2002:a00:7::1", "6to4 met 10.0.0.7 erin"),
            ("teredo", "2001:0:4136:e378:8000:63bf:f5ff:fff8", "Teredo met 10.0.0.7 erin"),
            ("nat64-private", "64:ff9b::a00:7", "NAT64 met 10.0.0.7 erin"),
            ("ipv4-mapped-private", "::ffff:192.168.1.7", "IPv4-mapped 192.168.1.7"),
        )
    ),
    FeedFault(
        "private-name-not-echoed",
        f"302 naar {PRIVATE_NAME}: het interne adres mag nergens verschijnen (DNS-orakel)",
        "json",
        _one(Route(redirect=f"http://{PRIVATE_NAME}/admin")),
        url="{public}" + PATH,
        guarded=True,
        error="blocked_address",
        forbidden=(PRIVATE_IP,),
        statuses={"availability": FAIL, **NOT_READ},
    ),
    # bodies beyond memory_bytes go to a temporary file while they download; read back
    # for parsing they must say exactly what they say in memory
    FeedFault(
        "large-body-spooled",
        f"geldige JSON van {LARGE_ROWS_KB} kB, boven {FAST.memory_bytes // 1024} kB in het "
        "geheugen: op schijf gezet",
        "json",
        _one(Route(body=large_rows(), content_type=JSON)),
        distribution=JSON_DIST,
        fiche=UNITS,
        statuses={"availability": OK, "timeliness": OK, "completeness": OK, "coverage": OK},
        findings={"availability": ("BES-01",)},
    ),
    FeedFault(
        "large-gzip-body-spooled",
        "dezelfde JSON gzip-gecomprimeerd: klein op de lijn, groot na decompressie",
        "json",
        _one(Route(body=large_rows(), content_type=JSON, gzip=True)),
        distribution=JSON_DIST,
        fiche=UNITS,
        statuses={"availability": OK, "timeliness": OK, "completeness": OK, "coverage": OK},
        findings={"availability": ("BES-01",)},
    ),
]

FEED_FAULTS: list[FeedFault] = [
    # --- transport ---------------------------------------------------------------------
    FeedFault(
        "dns-failure",
        "servernaam in .invalid: bestaat nergens, de resolver wordt niet eens gevraagd",
        "json",
        lambda: {},
        url="http://feed.datapedia.invalid/data.json",
        error="dns",
        statuses={"availability": FAIL, **NOT_READ},
        findings={"availability": ("BES-02",)},
    ),
    FeedFault(
        "connection-refused",
        "gesloten poort op 127.0.0.1",
        "json",
        lambda: {},
        url="http://127.0.0.1:{closed}/data.json",
        error="connect",
        attempts=TWO_ROUNDS,
        statuses={"availability": FAIL, **NOT_READ},
        findings={"availability": ("BES-02",)},
    ),
    FeedFault(
        "reset-mid-body",
        "TCP-reset na 20 bytes van het antwoord",
        "json",
        _one(Route(body=healthy_json_body(), content_type=JSON, reset_after=20)),
        error="reset",
        attempts=TWO_ROUNDS,
        statuses={"availability": FAIL, **NOT_READ},
    ),
    FeedFault(
        "slow-headers",
        "antwoordt pas na 1,5 s (leestimeout 0,5 s)",
        "json",
        _one(Route(body=healthy_json_body(), content_type=JSON, delay_s=1.5)),
        error="timeout",
        statuses={"availability": FAIL, **NOT_READ},
    ),
    FeedFault(
        "slow-trickle",
        "druppelt het antwoord byte per byte, voorbij de totale deadline",
        "json",
        _one(Route(body=b" " * 4000 + b"[]", content_type=JSON, trickle_s=0.01)),
        error="timeout",
        statuses={"availability": FAIL, **NOT_READ},
    ),
    FeedFault(
        "not-http-status-line",
        "de server antwoordt met tekst die geen HTTP is",
        "json",
        lambda: {},
        url="{raw}/data.json",
        raw=b"SSH-2.0-OpenSSH_9.6\r\n",
        error="reset",
        statuses={"availability": FAIL, **NOT_READ},
    ),
    FeedFault(
        "empty-reply",
        "de server sluit de verbinding zonder één byte te antwoorden",
        "json",
        lambda: {},
        url="{raw}/data.json",
        raw=b"",
        error="reset",
        attempts=TWO_ROUNDS,
        statuses={"availability": FAIL, **NOT_READ},
    ),
    FeedFault(
        "too-many-headers",
        "200 met 500 headers",
        "json",
        lambda: {},
        url="{raw}/data.json",
        raw=b"HTTP/1.1 200 OK\r\n"
        + b"".join(b"X-Vulling-%d: ja\r\n" % i for i in range(500))
        + b"Content-Length: 2\r\n\r\n[]",
        error="reset",
        statuses={"availability": FAIL, **NOT_READ},
    ),
    FeedFault(
        "fiche-url-is-metadata-address",
        "de fiche zelf wijst naar 169.254.169.254 (cloud-metadata)",
        "json",
        lambda: {},
        url="http://169.254.169.254/latest/meta-data/iam/",
        guarded=True,
        error="blocked_address",
        statuses={"availability": FAIL, **NOT_READ},
    ),
    FeedFault(
        "redirect-loop",
        "301 naar zichzelf, eindeloos",
        "json",
        _one(Route(status=301, redirect=PATH.rsplit("/", 1)[1])),  # relative: itself
        error="too_many_redirects",
        hits=FAST.max_redirects + 1,
        statuses={"availability": FAIL, **NOT_READ},
    ),
    FeedFault(
        "redirect-to-metadata-address",
        "302 van een publieke naam naar 169.254.169.254 (cloud-metadata)",
        "json",
        _one(Route(redirect="http://169.254.169.254/latest/meta-data/")),
        url="{public}" + PATH,
        guarded=True,
        error="blocked_address",
        hits=1,
        statuses={"availability": FAIL, **NOT_READ},
    ),
    FeedFault(
        "redirect-to-private-name",
        f"302 naar {PRIVATE_NAME}, een naam die naar 10.0.0.7 wijst",
        "json",
        _one(Route(redirect=f"http://{PRIVATE_NAME}/admin")),
        url="{public}" + PATH,
        guarded=True,
        error="blocked_address",
        hits=1,
        statuses={"availability": FAIL, **NOT_READ},
    ),
    FeedFault(
        "redirect-to-file-scheme",
        "302 naar file:///etc/passwd",
        "json",
        _one(Route(redirect="file:///etc/passwd")),
        error="bad_scheme",
        forbidden=(PASSWD_MARKER,),
        statuses={"availability": FAIL, **NOT_READ},
    ),
    FeedFault(
        "redirect-with-credentials",
        "302 naar een URL met gebruiker:wachtwoord",
        "json",
        _one(Route(redirect="http://admin:hunter2-geheim@127.0.0.1:1/x")),
        error="credentials_in_url",
        forbidden=("hunter2-geheim",),
        statuses={"availability": FAIL, **NOT_READ},
    ),
    FeedFault(
        "429-retry-after-then-ok",
        "429 met Retry-After: 1, daarna het echte antwoord",
        "json",
        _one(
            [
                Route(status=429, body=b"slow down", headers={"Retry-After": "1"}),
                Route(body=healthy_json_body(), content_type=JSON),
            ]
        ),
        distribution=JSON_DIST,
        fiche=UNITS,
        attempts=2,
        hits=2,
        statuses={"availability": OK, "timeliness": OK, "coverage": OK},
    ),
    FeedFault(
        "503-then-recovery",
        "503 bij de eerste poging, daarna de echte KiWIS-reeks",
        "kiwis",
        lambda: {
            PATH: [
                Route(status=503, body=b"maintenance", content_type="text/plain"),
                Route(body=real_payload("waterinfo/getTimeseriesValues.json"), content_type=JSON),
            ]
        },
        attempts=2,
        hits=2,
        statuses={"availability": OK},
    ),
    FeedFault(
        "persistent-500",
        "500 bij elke poging",
        "json",
        _one(Route(status=500, body=b"Internal Server Error", content_type="text/plain")),
        error="http",
        attempts=TWO_ROUNDS,
        statuses={"availability": FAIL, **NOT_READ},
        findings={"availability": ("BES-03",)},
    ),
    FeedFault(
        "head-refused-get-fine",
        "landingspagina die HEAD met 405 weigert maar GET beantwoordt",
        "html",
        _one(
            Route(
                body=b"<html><body>Dataset</body></html>",
                content_type="text/html",
                methods=frozenset({"GET"}),
            )
        ),
        distribution={"format": "text/html"},
        method="GET",
        statuses={"availability": OK},
    ),  # fmt: skip
    # --- content type and body ---------------------------------------------------------
    FeedFault(
        "wrong-content-type",
        "de echte KiWIS-waarden, maar als text/html",
        "kiwis",
        _lazy(
            lambda: Route(
                body=real_payload("waterinfo/getTimeseriesValueLayer.json"),
                content_type="text/html; charset=utf-8",
            )
        ),
        statuses={"availability": WARN},
        findings={"availability": ("BES-04",)},
    ),  # fmt: skip
    FeedFault(
        "missing-content-type",
        "de echte DOV-WFS-features zonder Content-Type",
        "wfs",
        _lazy(lambda: Route(body=real_payload("dov/wfsgetfeature.xml"), content_type=None)),
        distribution={"format": "application/gml+xml"},
        statuses={"availability": OK},
    ),
    FeedFault(
        "captive-portal-html",
        "200 met een HTML-aanmeldpagina in plaats van JSON",
        "json",
        _one(Route(body=b"<html><form>Log in</form></html>", content_type="text/html")),
        parse_error="JSON",
        statuses={"availability": FAIL, **NOT_READ},
        findings={"availability": ("BES-04", "BES-09")},
    ),
    FeedFault(
        "empty-body",
        "200 met een leeg antwoord",
        "json",
        _one(Route(body=b"", content_type=JSON)),
        parse_error="geen geldige JSON",
        statuses={"availability": FAIL, **NOT_READ},
        findings={"availability": ("BES-09",)},
    ),
    FeedFault(
        "truncated-gzip",
        "gzip-antwoord waarvan de laatste 30 bytes ontbreken",
        "json",
        _one(
            Route(
                body=gzip.compress(healthy_json_body())[:-30],
                content_type=JSON,
                headers={"Content-Encoding": "gzip"},
            )
        ),
        error="decode",
        statuses={"availability": FAIL, **NOT_READ},
    ),  # fmt: skip
    FeedFault(
        "truncated-gzip-csv",
        "gzip-CSV waarvan de laatste 30 bytes ontbreken (de rijen ervoor zijn wel geldig)",
        "csv",
        _one(
            Route(
                body=gzip.compress(CSV_ROWS.encode())[:-30],
                content_type="text/csv",
                headers={"Content-Encoding": "gzip"},
            )
        ),
        distribution={"format": "text/csv", "timestamp_field": "tijd"},
        error="decode",
        statuses={"availability": FAIL, **NOT_READ},
    ),  # fmt: skip
    FeedFault(
        "gzip-header-plain-body",
        "Content-Encoding: gzip, maar de inhoud is gewone JSON",
        "json",
        _one(
            Route(body=healthy_json_body(), content_type=JSON, headers={"Content-Encoding": "gzip"})
        ),
        error="decode",
        statuses={"availability": FAIL, **NOT_READ},
    ),  # fmt: skip
    FeedFault(
        "gzip-bomb",
        f"enkele kB gzip die uitpakt tot {FAST.max_bytes * 40 // 1024 // 1024} MB",
        "json",
        _one(Route(body=b" " * (FAST.max_bytes * 40), content_type=JSON, gzip=True)),
        error="too_large",
        statuses={"availability": FAIL, **NOT_READ},
    ),
    FeedFault(
        "oversized-body",
        "de echte Telraam-momentopname (2,7 MB) boven de limiet van 256 kB",
        "json",
        _lazy(
            lambda: Route(
                body=real_payload("telraam/traffic_snapshot_live.json"), content_type=JSON
            )
        ),
        error="too_large",
        statuses={"availability": FAIL, **NOT_READ},
    ),  # fmt: skip
    FeedFault(
        "invalid-utf8",
        "JSON met bytes die geen UTF-8 zijn",
        "json",
        _one(
            Route(
                body=b'{"results": [{"station": "s1", "naam": "\xff\xfe\xfa"}]}', content_type=JSON
            )
        ),
        parse_error="geen geldige JSON",
        statuses={"availability": FAIL, **NOT_READ},
    ),  # fmt: skip
    FeedFault(
        "malformed-json",
        "JSON die halverwege ophoudt",
        "json",
        _one(Route(body=healthy_json_body()[:-7], content_type=JSON)),
        parse_error="geen geldige JSON",
        statuses={"availability": FAIL, **NOT_READ},
    ),
    FeedFault(
        "json-nesting-bomb",
        "100.000 geneste JSON-lijsten",
        "json",
        _one(Route(body=b"[" * 100_000 + b"]" * 100_000, content_type=JSON)),
        parse_error=r"^(?!onverwachte).*(diep|genest)",
        statuses={"availability": FAIL, **NOT_READ},
        findings={"completeness": ("VOL-10",)},
    ),
    FeedFault(
        "csv-wrong-delimiter",
        "CSV met ';' terwijl de fiche ',' opgeeft",
        "csv",
        _one(
            Route(
                body=f"tijd;teller;aantal\n{_iso(5)};t1;4\n{_iso(20)};t2;7\n",
                content_type="text/csv",
            )
        ),
        distribution={"format": "text/csv", "delimiter": ",", "timestamp_field": "tijd"},
        parse_error="kolom 'tijd' niet gevonden",
        statuses={"availability": FAIL, **NOT_READ},
    ),  # fmt: skip
    FeedFault(
        "csv-huge-field",
        "CSV met één veld van 200 kB (boven csv.field_size_limit)",
        "csv",
        _one(
            Route(
                body="tijd,opmerking\n" + _iso(5) + ',"' + "x" * 200_000 + '"\n',
                content_type="text/csv",
            )
        ),
        distribution={"format": "text/csv", "timestamp_field": "tijd"},
        parse_error="CSV",
        statuses={"availability": FAIL, **NOT_READ},
    ),  # fmt: skip
    # --- hostile XML ---------------------------------------------------------------
    FeedFault(
        "xml-billion-laughs",
        "WFS-antwoord met geneste entiteiten (billion laughs)",
        "wfs",
        _one(Route(body=BILLION_LAUGHS, content_type="application/gml+xml")),
        distribution={"format": "application/gml+xml"},
        parse_error="geweigerd",
        forbidden=("lollollol",),
        statuses={"availability": FAIL, **NOT_READ},
    ),
    FeedFault(
        "xml-external-entity",
        "de echte DOV-WFS-features met <!ENTITY x SYSTEM 'file:///etc/passwd'>",
        "wfs",
        _lazy(lambda: Route(body=_xxe(), content_type="application/gml+xml")),
        distribution={"format": "application/gml+xml"},
        parse_error="geweigerd",
        forbidden=(PASSWD_MARKER,),
        statuses={"availability": FAIL, **NOT_READ},
    ),
    # --- service error documents ---------------------------------------------------------
    FeedFault(
        "wfs-exception-report",
        "200 met een ows:ExceptionReport in plaats van features",
        "wfs",
        _one(Route(body=_wfs_exception(), content_type="application/xml")),
        distribution={"format": "application/gml+xml"},
        parse_error="WFS-fout: Feature type gw_meetnetten:bestaatniet unknown",
        statuses={"availability": FAIL, **NOT_READ},
    ),
    FeedFault(
        "kiwis-error-object",
        "200 met een KiWIS-foutobject",
        "kiwis",
        _one(
            Route(
                body=json.dumps(
                    {"type": "error", "code": "InvalidParameterValue", "message": "Unknown ts_id 0"}
                ),
                content_type=JSON,
            )
        ),
        parse_error="KiWIS-fout InvalidParameterValue: Unknown ts_id 0",
        statuses={"availability": FAIL, **NOT_READ},
    ),  # fmt: skip
    FeedFault(
        "telraam-403-echoes-key",
        "Telraam weigert de sleutel (403) en herhaalt ze in de foutboodschap",
        "telraam",
        _one(_telraam_echo),
        url="{base}" + PATH,
        distribution={"auth": TELRAAM_AUTH},
        fiche=TELRAAM_FICHE,
        error="http",
        hits=1,
        statuses={"availability": FAIL, **NOT_READ},
        findings={"availability": ("BES-03",)},
    ),
    FeedFault(
        "telraam-200-error-echoes-key",
        "Telraam antwoordt 200 met een foutboodschap die de sleutel herhaalt",
        "telraam",
        _one(
            lambda r: Route(
                body=json.dumps(
                    {
                        "status_code": 200,
                        "message": "quota for " + r.headers.get("X-Api-Key", "") + " exceeded",
                    }
                ),
                content_type=JSON,
            )
        ),
        distribution={"auth": TELRAAM_AUTH},
        fiche=TELRAAM_FICHE,
        parse_error=r"Telraam-fout: quota for \*\*\* exceeded",
        hits=1,
        statuses={"availability": FAIL, **NOT_READ},
    ),  # fmt: skip
    FeedFault(
        "telraam-403-no-key-declared",
        "Telraam weigert (403) een fiche die vergat dat er een sleutel nodig is",
        "telraam",
        _one(_telraam_echo),
        fiche=TELRAAM_FICHE,
        error="http",
        hits=1,
        statuses={"availability": FAIL, **NOT_READ},
        findings={"availability": ("BES-03",)},
    ),
    FeedFault(
        "telraam-empty-features",
        "Telraam antwoordt 200 met een lege lijst segmenten (fiche zonder expected_units)",
        "telraam",
        _one(
            Route(
                body=b'{"status_code": 200, "type": "FeatureCollection", "features": []}',
                content_type=JSON,
            )
        ),
        distribution={"auth": TELRAAM_AUTH},
        fiche=TELRAAM_FICHE,
        statuses={"availability": OK, "completeness": WARN},
        findings={"completeness": ("VOL-08",)},
    ),  # fmt: skip
    FeedFault(
        "brussels-empty-device-list",
        "Brussels Mobility ?request=devices antwoordt met een lege lijst tellers",
        "brussels-mobility",
        _one(Route(body=b'{"type": "FeatureCollection", "features": []}', content_type=JSON)),
        statuses={"availability": OK, "completeness": WARN},
        findings={"completeness": ("VOL-08",)},
    ),
    FeedFault(
        "telraam-missing-key",
        "de sleutel-variabele is niet gezet: Telraam wordt niet gevraagd",
        "telraam",
        _one(_telraam_echo),
        distribution={"auth": TELRAAM_AUTH},
        fiche=TELRAAM_FICHE,
        unset_env=(TELRAAM_ENV,),
        skipped=True,
        hits=0,
        statuses={"availability": UNKNOWN, **NOT_READ},
        findings={"availability": ("BES-08",)},
    ),
    # --- what the data says --------------------------------------------------------------
    FeedFault(
        "timestamps-without-zone",
        "de echte KiWIS-laag met tijdstippen zonder tijdzone (van vanochtend)",
        "kiwis",
        _lazy(lambda: Route(body=_kiwis_naive(), content_type=JSON)),
        fiche={"expected_units": {"count": 8}},
        statuses={"availability": OK, "timeliness": WARN},
        findings={"timeliness": ("ACT-01", "ACT-07")},
    ),
    FeedFault(
        "timestamps-in-future",
        "de echte KiWIS-laag met één tijdstip in 2099",
        "kiwis",
        _lazy(lambda: Route(body=_kiwis_future(), content_type=JSON)),
        fiche={"expected_units": {"count": 8}},
        statuses={"availability": OK, "timeliness": WARN},
        findings={"timeliness": ("ACT-01", "ACT-06")},
    ),
    FeedFault(
        "timestamp-year-one",
        "KiWIS-reeks waarvan het enige tijdstip 0001-01-01T00:00:00+14:00 is",
        "kiwis",
        _one(
            Route(
                body=json.dumps(
                    [
                        {
                            "ts_id": "1",
                            "rows": "1",
                            "columns": "Timestamp,Value",
                            "data": [["0001-01-01T00:00:00+14:00", 1.0]],
                        }
                    ]
                ),
                content_type=JSON,
            )
        ),
        fiche={"update_frequency": "P1D"},
        statuses={"availability": OK, "timeliness": FAIL},
        findings={"timeliness": ("ACT-03",)},
    ),  # fmt: skip
    FeedFault(
        "empty-result-set",
        "geldige JSON zonder één record",
        "json",
        _one(Route(body=_rows(), content_type=JSON)),
        distribution=JSON_DIST,
        fiche=UNITS,
        statuses={
            "availability": OK,
            "completeness": WARN,
            "timeliness": UNKNOWN,
            "coverage": FAIL,
        },
        findings={"completeness": ("VOL-08",), "coverage": ("DEK-03",)},
    ),
    FeedFault(
        "dov-filter-without-measurements",
        "de echte DOV-filter-XML zonder één peilmeting",
        "dov-xml",
        _lazy(
            lambda: Route(
                body=real_payload("dov/grondwaterfilter_geenpeilmeting.xml"),
                content_type="application/xml",
            )
        ),
        distribution={"format": "application/xml"},
        fiche={"update_frequency": "P1D"},
        statuses={"availability": OK, "timeliness": UNKNOWN, "coverage": FAIL},
        # no measurement at all: an empty result, not a timestamp missing from the data
        findings={"timeliness": ("ACT-08",)},
    ),  # fmt: skip
]

FEED_FAULTS += ISSUE_18_FAULTS

assert len({f.name for f in FEED_FAULTS}) == len(FEED_FAULTS), "fault names must be unique"
