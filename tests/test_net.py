"""The fetcher against a real local server: success, every failure mode, the guards."""

from __future__ import annotations

import gzip
import ipaddress
import socket
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor

import pytest
from localserver import LocalServer, Request, Route

from datapedia.probe import transport as net
from datapedia.probe.transport import ERRORS, Fetcher, FetchPolicy, TransportSettings, addresses
from datapedia.probe.transport import fetcher as fetcher_module

FAST = TransportSettings(
    connect_timeout_s=1.0,
    read_timeout_s=0.5,
    total_timeout_s=2.0,
    retries=2,
    backoff_s=0.01,
    max_redirects=3,
    max_bytes=1024 * 1024,
    per_host_concurrency=2,
    total_concurrency=8,
)


def body(result: net.FetchResult) -> bytes | None:
    return None if result.body is None else result.body.read()


@pytest.fixture
def fetcher():
    with Fetcher(FetchPolicy(allow_private=True, settings=FAST)) as f:
        yield f


def test_ok_get_reads_body_and_sends_user_agent(fetcher):
    with LocalServer({"/a": Route(body=b'{"x": 1}', content_type="application/json")}) as srv:
        result = fetcher.fetch(srv.url("/a"))
    assert result.ok
    assert (result.status_code, body(result), result.bytes_read) == (200, b'{"x": 1}', 8)
    assert result.content_type == "application/json"
    assert result.attempts == 1 and result.method == "GET" and result.error is None
    assert result.latency_ms is not None and result.latency_ms >= 0
    assert srv.requests[0].headers["User-Agent"].startswith("DatapediaVlaanderen/")


def test_404_is_an_http_error_without_retry(fetcher):
    with LocalServer() as srv:
        result = fetcher.fetch(srv.url("/missing"))
    assert (result.error, result.status_code, result.attempts) == ("http", 404, 1)
    assert result.error_detail.startswith("HTTP 404")
    assert not result.ok


def test_500_then_recovery_on_retry(fetcher):
    routes = {"/flaky": [Route(status=500), Route(status=503), Route(body=b"ok")]}
    with LocalServer(routes) as srv:
        result = fetcher.fetch(srv.url("/flaky"))
        assert srv.hits("/flaky") == 3
    assert result.ok and body(result) == b"ok" and result.attempts == 3


def test_persistent_500_gives_up_after_retries(fetcher):
    with LocalServer({"/down": Route(status=500)}) as srv:
        result = fetcher.fetch(srv.url("/down"))
    assert (result.error, result.status_code, result.attempts) == ("http", 500, FAST.retries + 1)


def test_429_honours_retry_after(fetcher):
    routes = {"/busy": [Route(status=429, headers={"Retry-After": "1"}), Route(body=b"ok")]}
    with LocalServer(routes) as srv:
        started = time.monotonic()
        result = fetcher.fetch(srv.url("/busy"))
    assert result.ok and result.attempts == 2
    assert time.monotonic() - started >= 0.9  # waited as asked, not the 0.01 s backoff


def test_slow_headers_time_out(fetcher):
    with LocalServer({"/slow": Route(delay_s=1.5)}) as srv:
        result = fetcher.fetch(srv.url("/slow"))
        asked = srv.hits("/slow")
    # no answer at all: retried once only (retries=2 would allow more)
    assert result.error == "timeout" and result.attempts == asked == 2 < FAST.retries + 1


def test_trickle_is_cut_by_total_deadline(fetcher):
    # 1 byte every 0.1 s never trips the 0.5 s read timeout; only the total deadline stops it
    with LocalServer({"/trickle": Route(body=b"x" * 100, trickle_s=0.1)}) as srv:
        result = fetcher.fetch(srv.url("/trickle"))
    assert result.error == "timeout" and result.attempts == 1
    # counted in bytes: no more arrived than the deadline (+ 10 %) lets through
    assert 0 < result.bytes_read <= 1.1 * FAST.total_timeout_s / 0.1 + 2 < 100


def test_connection_reset_mid_body(fetcher):
    with LocalServer({"/reset": Route(body=b"y" * 5000, reset_after=100)}) as srv:
        result = fetcher.fetch(srv.url("/reset"))
    assert result.error == "reset" and result.body is None


def test_connection_refused_is_retried_then_connect():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Fetcher(FetchPolicy(allow_private=True, settings=FAST)) as fetcher:
        result = fetcher.fetch(f"http://127.0.0.1:{port}/")
    assert result.error == "connect" and result.attempts == FAST.retries + 1


def test_dns_failure(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with Fetcher(FetchPolicy(settings=TransportSettings(retries=0))) as fetcher:
        result = fetcher.fetch("http://feed.example.invalid/data.json")
    assert result.error == "dns"


def test_untrusted_certificate_is_a_tls_error(fetcher):
    with LocalServer({"/s": Route(body=b"ok")}, tls=True) as srv:
        assert srv.base.startswith("https://")
        result = fetcher.fetch(srv.url("/s"))
    assert result.error == "tls" and result.attempts == 1


def test_redirects_are_followed_and_loops_stopped(fetcher):
    with LocalServer() as srv:
        srv.add("/old", Route(redirect="/new"))
        srv.add("/new", Route(body=b"moved"))
        srv.add("/loop", Route(redirect="/loop"))
        moved = fetcher.fetch(srv.url("/old"))
        loop = fetcher.fetch(srv.url("/loop"))
        assert srv.hits("/loop") == FAST.max_redirects + 1
    assert moved.ok and body(moved) == b"moved" and moved.final_url.endswith("/new")
    assert loop.error == "too_many_redirects"


def test_oversized_body_is_cut(fetcher):
    with LocalServer({"/big": Route(body=b"z" * (FAST.max_bytes + 10_000))}) as srv:
        result = fetcher.fetch(srv.url("/big"))
    assert result.error == "too_large" and result.body is None
    assert result.bytes_read <= FAST.max_bytes + 64 * 1024


def test_gzip_body_is_decoded(fetcher):
    payload = b'{"results": []}' * 100
    with LocalServer({"/gz": Route(body=payload, gzip=True)}) as srv:
        result = fetcher.fetch(srv.url("/gz"))
        assert "gzip" in srv.requests[0].headers["Accept-Encoding"]
    assert result.ok and body(result) == payload and result.bytes_read == len(payload)


def test_chunked_gzip_body_is_decoded(fetcher):
    payload = b"meting;waarde\n" * 2000
    route = Route(body=payload, gzip=True, chunked=True, trickle_chunk=1000)
    with LocalServer({"/c": route}) as srv:
        result = fetcher.fetch(srv.url("/c"))
    assert result.ok and body(result) == payload


def test_gzip_bomb_is_cut_on_decoded_size(fetcher):
    bomb = gzip.compress(b"\0" * (40 * FAST.max_bytes))  # 40 MB -> ~40 kB on the wire
    assert len(bomb) < FAST.max_bytes
    headers = {"Content-Encoding": "gzip"}
    with LocalServer({"/bomb": Route(body=bomb, headers=headers)}) as srv:
        result = fetcher.fetch(srv.url("/bomb"))
    # cut while inflating: at most one chunk past the cap was ever decoded
    assert result.error == "too_large"
    assert result.bytes_read <= FAST.max_bytes + 64 * 1024


def test_corrupt_gzip_is_a_decode_error(fetcher):
    headers = {"Content-Encoding": "gzip"}
    with LocalServer({"/bad": Route(body=b"this is not gzip at all", headers=headers)}) as srv:
        result = fetcher.fetch(srv.url("/bad"))
    assert result.error == "decode"


def test_deflate_body_is_decoded(fetcher):
    headers = {"Content-Encoding": "deflate"}
    with LocalServer({"/d": Route(body=zlib.compress(b"abc" * 50), headers=headers)}) as srv:
        result = fetcher.fetch(srv.url("/d"))
    assert body(result) == b"abc" * 50


def test_head_405_falls_back_to_get(fetcher):
    with LocalServer({"/h": Route(body=b"page", methods=frozenset({"GET"}))}) as srv:
        result = fetcher.fetch(srv.url("/h"), method="HEAD")
        assert [r.method for r in srv.requests] == ["HEAD", "GET"]
    assert result.ok and result.method == "GET" and body(result) == b"page"
    assert result.attempts == 2


def test_head_that_works_reads_no_body(fetcher):
    with LocalServer({"/h": Route(body=b"page")}) as srv:
        result = fetcher.fetch(srv.url("/h"), method="HEAD")
    assert result.ok and result.method == "HEAD" and result.body is None


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://example.org/file.csv", "bad_scheme"),
        ("file:///etc/passwd", "bad_scheme"),
        ("http://user:hunter2@example.org/", "credentials_in_url"),
        ("http://[::1/", "bad_url"),
    ],
)
def test_refused_urls(fetcher, url, code):
    result = fetcher.fetch(url)
    assert result.error == code and code in ERRORS
    assert "hunter2" not in result.url and "hunter2" not in (result.error_detail or "")


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.169.254", "[::1]", "0.0.0.0"]
)
def test_private_addresses_are_refused_by_default(host):
    with Fetcher(FetchPolicy(settings=FAST)) as fetcher:
        result = fetcher.fetch(f"http://{host}/latest/meta-data/")
    assert result.error == "blocked_address"


def test_loopback_server_is_never_contacted_without_allow_private():
    with LocalServer({"/a": Route(body=b"secret")}) as srv, Fetcher(FetchPolicy()) as fetcher:
        result = fetcher.fetch(srv.url("/a"))
        assert srv.requests == []
    assert result.error == "blocked_address" and result.body is None


def test_hostname_resolving_to_private_address_is_refused(monkeypatch):
    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with Fetcher(FetchPolicy(settings=FAST)) as fetcher:
        result = fetcher.fetch("https://innocent.example.org/feed")
    # the verdict only: what an internal name resolves to is never published (DNS oracle)
    assert result.error == "blocked_address" and "10.0.0.7" not in result.error_detail


def test_connect_time_check_catches_dns_rebinding(monkeypatch):
    # The lookup said "public" but the connection lands on loopback: refused at connect.
    monkeypatch.setattr(fetcher_module, "guard", lambda host, port: None)
    with LocalServer({"/a": Route(body=b"secret")}) as srv, Fetcher(FetchPolicy()) as fetcher:
        result = fetcher.fetch(srv.url("/a"))
        assert srv.requests == []
    assert result.error == "blocked_address" and "127.0.0.1" not in result.error_detail


def test_every_redirect_hop_is_checked(monkeypatch):
    # Let the first hop (our server) through, then redirect to a cloud metadata address.
    real = addresses.blocked
    monkeypatch.setattr(addresses, "blocked", lambda ip: str(ip) != "127.0.0.1" and real(ip))
    with LocalServer({"/r": Route(redirect="http://169.254.169.254/latest/")}) as srv:
        with Fetcher(FetchPolicy(settings=FAST)) as fetcher:
            result = fetcher.fetch(srv.url("/r"))
        assert srv.hits("/r") == 1
    assert result.error == "blocked_address" and "169.254.169.254" in result.error_detail


def test_secrets_are_sent_but_never_reported(fetcher):
    secret = "s3cr3t-K3y/+="
    with LocalServer({"/k": Route(status=403, body=f"bad key {secret}")}) as srv:
        result = fetcher.fetch(
            srv.url("/k?api_key=s3cr3t-K3y%2F%2B%3D"),
            headers={"X-Api-Key": secret},
            secrets=[secret],
        )
        assert srv.requests[0].headers["X-Api-Key"] == secret
    assert result.error == "http" and result.status_code == 403
    for text in (result.url, result.final_url, result.error_detail):
        assert "s3cr3t" not in text
    assert "***" in result.url and "***" in result.error_detail


def test_key_header_is_not_forwarded_to_another_server(fetcher):
    key = {"X-Api-Key": "k3y"}
    with LocalServer({"/data": Route(body=b"elsewhere")}) as other, LocalServer() as srv:
        srv.add("/same", Route(redirect="/final"))
        srv.add("/final", Route(body=b"here"))
        srv.add("/away", Route(redirect=other.url("/data")))
        same = fetcher.fetch(srv.url("/same"), headers=key)
        away = fetcher.fetch(srv.url("/away"), headers=key)
        assert srv.requests[1].headers.get("X-Api-Key") == "k3y"  # same origin keeps it
        assert "X-Api-Key" not in other.requests[0].headers
        assert other.requests[0].headers["User-Agent"].startswith("DatapediaVlaanderen/")
    assert body(same) == b"here" and body(away) == b"elsewhere"


def test_per_host_concurrency_is_bounded():
    active, peak, lock = [0], [0], threading.Lock()

    def slow(request: Request) -> Route:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.2)
        with lock:
            active[0] -= 1
        return Route(body=b"ok")

    with (
        LocalServer({"/s": slow}) as srv,
        Fetcher(FetchPolicy(allow_private=True, settings=FAST)) as fetcher,
        ThreadPoolExecutor(8) as pool,
    ):
        results = list(pool.map(lambda _: fetcher.fetch(srv.url("/s")), range(6)))
    assert all(r.ok for r in results)
    assert peak[0] == FAST.per_host_concurrency


def test_every_error_code_has_a_dutch_reason():
    assert {
        "dns",
        "connect",
        "timeout",
        "reset",
        "too_many_redirects",
        "blocked_address",
        "too_large",
        "bad_scheme",
        "tls",
        "decode",
        "http",
    } <= set(ERRORS)
    assert all(reason and reason[0].islower() for reason in ERRORS.values())


# --- issue #18: deadlines, embedded IPv4, keys bound to hosts, redaction ---------------
def test_a_header_drip_is_cut_at_the_deadline_and_reported_as_timeout(fetcher):
    from faults.harness import RawServer

    drip = b"HTTP/1.1 200 OK\r\nX-Druppel: " + b"a" * 1000
    with RawServer(drip, drip_s=0.02) as srv:
        result = fetcher.fetch(srv.base + "/x")
    # a shut socket looks like headers that ended: it must still be a timeout
    assert result.error == "timeout" and result.status_code is None
    assert srv.sent and max(srv.sent) <= 1.1 * FAST.total_timeout_s / 0.02 + 2 < len(drip)


@pytest.mark.parametrize(
    "address",
    ["2002:a00:7::1", "2002:808:808::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2",
     "64:ff9b::808:808", "::ffff:8.8.8.8", "::a00:7"],
)  # fmt: skip
def test_every_address_embedding_ipv4_is_refused(address):
    # refused even when the embedded address is public: a relay reaches it anyway
    assert addresses.blocked(ipaddress.ip_address(address))


def test_a_public_ipv6_address_passes():
    assert not addresses.blocked(ipaddress.ip_address("2a00:1450:4001:80b::200e"))


def test_partial_and_cut_secrets_are_redacted():
    key = "abcdefghij0123456789KLMNOP"
    assert net.redact(f"x {key} y", [key]) == "x *** y"
    assert net.redact(f"begin {key[:12]}", [key]) == "begin ***"  # the start only
    assert net.redact(f"{key[10:]} einde", [key]) == "*** einde"  # the end only
    assert net.redact("abcdefg", [key]) == "abcdefg"  # 7 characters are no secret
    assert net.redact_all({key: [f"<{key}>"], "n": 1}, [key]) == {"***": ["<***>"], "n": 1}


def _to_localhost(target: str):
    """A route redirecting to ``target`` on the same server named localhost: another origin."""

    def redirect(request):
        port = request.headers["Host"].rsplit(":", 1)[1]
        return Route(redirect=f"http://localhost:{port}{target}")

    return redirect


def test_a_key_goes_only_to_its_hosts_and_never_across_a_redirect(fetcher):
    key = "sk-test-GEBONDEN-99"
    with LocalServer({"/a": _to_localhost(f"/b?k={key}"), "/b": Route(body=b"{}")}) as srv:
        url = srv.url("/a")
        refused = fetcher.fetch(url, secrets=[key], secret_hosts={"example.org"},
                                headers={"Authorization": key})  # fmt: skip
        assert refused.error == "secret_host" and srv.requests == []
        # allowed for 127.0.0.1, but the redirect carries the key in its URL to localhost
        moved = fetcher.fetch(url, secrets=[key], secret_hosts={"127.0.0.1"},
                              headers={"Authorization": key})  # fmt: skip
        assert moved.error == "secret_host" and srv.hits("/b") == 0
        assert srv.requests[0].headers["Authorization"] == key
    assert key not in repr(moved) and key not in repr(refused)


def test_any_header_carrying_the_key_is_dropped_on_another_origin(fetcher):
    key = "sk-test-IN-USER-AGENT"
    with LocalServer({"/a": _to_localhost("/b"), "/b": Route(body=b"{}")}) as srv:
        result = fetcher.fetch(srv.url("/a"), secrets=[key], headers={"User-Agent": key})
        assert result.ok
        [first, second] = srv.requests
    assert first.headers["User-Agent"] == key
    assert key not in str(second.headers)


# --- issue #15/#18: settings of their own, bounded memory, latency taken in the transport --
def test_every_transport_setting_is_explained_for_the_handbook():
    from dataclasses import fields

    from datapedia.probe.settings import EXPLANATIONS

    assert set(EXPLANATIONS) == {f.name for f in fields(TransportSettings)}


def _peak_held(settings: TransportSettings, size: int, count: int) -> tuple[int, list]:
    """Peak bytes allocated while ``count`` bodies of ``size`` bytes download at once."""
    import tracemalloc

    payload = bytes(range(256)) * (size // 256)
    with (
        LocalServer({"/groot": Route(body=payload)}) as srv,
        Fetcher(FetchPolicy(allow_private=True, settings=settings)) as fetcher,
        ThreadPoolExecutor(count) as pool,
    ):
        tracemalloc.start()
        try:
            results = list(pool.map(lambda _: fetcher.fetch(srv.url("/groot")), range(count)))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert all(r.ok and r.bytes_read == len(payload) for r in results)
    assert all(body(r) == payload for r in results)  # spooled or not, the same bytes
    return peak, results


def test_concurrent_large_bodies_stay_within_the_memory_budget():
    # 8 downloads of 2 MB at once: 16 MB in total, 8 x 128 KB may stay in memory
    size, count = 2 * 1024 * 1024, 8
    budget = TransportSettings(
        max_bytes=4 * size, memory_bytes=128 * 1024, total_concurrency=count,
        per_host_concurrency=count,
    )  # fmt: skip
    peak, results = _peak_held(budget, size, count)
    assert all(r.body.spooled for r in results)
    # counted in bytes: well under the 16 MB that came in (chunks and buffers included)
    assert peak < (size * count) / 4, peak
    # the same downloads without spooling hold every body: the measure can tell
    whole = TransportSettings(max_bytes=4 * size, memory_bytes=2 * size, total_concurrency=count,
                              per_host_concurrency=count)  # fmt: skip
    peak_whole, results = _peak_held(whole, size, count)
    assert not any(r.body.spooled for r in results)
    assert peak_whole >= size * count > 4 * peak


def test_the_stated_memory_budget():
    # 32 downloads at once, each with at most 2 MB in memory: 64 MB, not 32 x 50 MB
    assert net.TRANSPORT.memory_budget == 64 * 1024 * 1024 < 32 * net.TRANSPORT.max_bytes


def test_waiting_for_our_own_host_slot_is_not_latency():
    # one request at a time per host: the second waits ~0.3 s for the first, which is
    # our politeness, not the server's slowness
    one = TransportSettings(per_host_concurrency=1, total_concurrency=2, read_timeout_s=2.0)
    with (
        LocalServer({"/s": Route(body=b"ok", delay_s=0.3)}) as srv,
        Fetcher(FetchPolicy(allow_private=True, settings=one)) as fetcher,
        ThreadPoolExecutor(2) as pool,
    ):
        results = list(pool.map(lambda _: fetcher.fetch(srv.url("/s")), range(2)))
    assert all(r.ok for r in results)
    latencies = sorted(r.latency_ms for r in results)
    # both measured the server's 0.3 s (the kernel's arrival clock ticks in whole ms or
    # jiffies, so a few ms under it); the second did not add the first one's 0.3 s
    assert latencies[0] >= 0.9 * 300 - 5 and latencies[1] < 1.75 * latencies[0], latencies


def test_a_fast_server_stays_fast_while_another_parse_holds_the_gil():
    """Latency is when the answer reached the socket (kernel), not when this thread got
    the GIL back: a parse holding the GIL in one C call must not make a feed 'traag'."""
    from faults.forked import ForkedServer, hog_the_gil

    # deadlines far beyond the hog, however slow the machine: this is about latency
    patient = TransportSettings(read_timeout_s=60.0, total_timeout_s=60.0)
    fetcher = Fetcher(FetchPolicy(allow_private=True, settings=patient))

    def fetch() -> tuple[net.FetchResult, float]:
        result = fetcher.fetch(srv.url)
        return result, time.monotonic()

    with ForkedServer(b"{}") as srv, ThreadPoolExecutor(1) as pool:
        future = pool.submit(fetch)
        assert srv.seen.wait(10)  # the request is out; the server waits for go
        srv.go.set()
        began, ended = hog_the_gil()  # the answer arrives while the GIL is held
        result, done = future.result()
    fetcher.close()
    hog_s = ended - began
    # the premise: the answer went out early on, and the fetch could only finish after the hog
    assert srv.answered_at < began + hog_s / 4 < done - hog_s / 2, (began, srv.answered_at, done)
    assert result.ok and result.latency_ms is not None
    # without the kernel's arrival time this reads about hog_s
    assert result.latency_ms / 1000 < hog_s / 2, (result.latency_ms, hog_s)
    # and it is a measurement, not a zero: at least the time the server held the request
    held_ms = (srv.answered_at - srv.received_at) * 1000
    assert result.latency_ms >= 0.9 * held_ms - 5, (result.latency_ms, held_ms)
