"""The only module that touches the network: a safe, polite HTTP fetcher.

Fiche URLs come from pull requests, so every request is treated as hostile:
only http(s), no credentials in the URL, no private or internal addresses (every
redirect hop is checked), a size cap on the *decoded* body (gzip bombs) and on
the headers, a hard wall-clock deadline per request (a watchdog shuts the socket, so
a status line or headers dripped byte by byte cannot outlast it) and a bounded
number of redirects and retries. Network and HTTP problems never raise: they come
back as a stable error code. Keys go only to the hosts they are bound to
(``datapedia.load.geheimen``) and every text kept from an answer is redacted first.
"""

from __future__ import annotations

import contextlib
import email.utils
import ipaddress
import socket
import threading
import time
import zlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from http.cookiejar import DefaultCookiePolicy
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from datapedia.load.geheimen import may_carry_secret
from datapedia.model.thresholds import THRESHOLDS, Thresholds
from datapedia.model.words import number

try:
    _VERSION = version("datapedia")
except PackageNotFoundError:  # running from a source tree that was never installed
    _VERSION = "0"

USER_AGENT = f"DatapediaVlaanderen/{_VERSION} (+https://github.com/datapedia-vlaanderen/datapedia)"

# Stable error codes (stored in checks/ and used by the diagnosis) -> Dutch reason.
ERRORS: dict[str, str] = {
    "dns": "de servernaam bestaat niet of kon niet opgezocht worden (DNS)",
    "connect": "geen verbinding met de server mogelijk",
    "timeout": "de server antwoordde niet binnen de toegelaten tijd",
    "reset": "de verbinding werd onderbroken tijdens het antwoord",
    "too_many_redirects": "te veel doorverwijzingen",
    "blocked_address": "het adres is privé, lokaal of intern en wordt niet bevraagd",
    "too_large": "het antwoord is groter dan de toegelaten grootte",
    "bad_scheme": "enkel http- en https-adressen worden bevraagd",
    "credentials_in_url": "de URL bevat een gebruikersnaam of wachtwoord",
    "bad_url": "de URL is ongeldig",
    "tls": "de beveiligde verbinding (TLS/SSL) faalde",
    "decode": "de inhoud kon niet gedecomprimeerd worden (bv. kapotte gzip)",
    "http": "de server antwoordde met een foutstatus",
    "internal": "interne fout in de probe (geen fout van de bron)",
    "secret_host": "een sleutel zou naar een server gaan waarvoor ze niet bestemd is",
}

# Errors worth another attempt: the server may be back in a moment.
_RETRYABLE_ERRORS = {"dns", "connect", "reset"}
# Errors worth one more try at the end of the run (probe.py) before calling an endpoint down.
TRANSIENT_ERRORS = frozenset({*_RETRYABLE_ERRORS, "timeout"})
# A HEAD that fails like this is retried as GET: many servers mishandle HEAD.
_HEAD_FALLBACK_STATUS = {403, 405, 501}
_HEAD_FALLBACK_ERRORS = {"connect", "reset"}
_REDIRECT_STATUS = {301, 302, 303, 307, 308}
_SAFE_HEADERS = {"User-Agent", "Accept", "Accept-Encoding"}
RETRY_AFTER_CAP_S = 30.0
_CHUNK = 64 * 1024
_DETAIL_BODY_CHARS = 200
# http.client already refuses more than 100 headers or a line over 64 KiB; together
# they must stay small too, since every header is kept for the diagnosis.
MAX_HEADER_BYTES = 32 * 1024
# A secret shown in part is still shown: any run of this many of its characters is
# redacted (shorter secrets only whole).
_PARTIAL_CHARS = 8
_MASK = "***"


@dataclass(frozen=True)
class FetchPolicy:
    allow_private: bool = False
    thresholds: Thresholds = THRESHOLDS
    user_agent: str = USER_AGENT
    # key variable -> hosts it may go to (``datapedia.load.geheimen``); None: not bound here
    secret_hosts: Mapping[str, frozenset[str]] | None = None


@dataclass
class FetchResult:
    url: str
    final_url: str | None = None
    status_code: int | None = None
    content_type: str | None = None
    body: bytes | bytearray | None = None
    latency_ms: float | None = None
    bytes_read: int = 0
    attempts: int = 0
    method: str = "GET"
    error: str | None = None
    error_detail: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """The server answered with a 2xx status and the whole body was read."""
        return self.error is None and self.status_code is not None and self.status_code < 300


class FetchError(Exception):
    """Internal: one attempt failed with a stable error code."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def redact(text: str | None, secrets: Iterable[str]) -> str | None:
    """``text`` with every secret, whole, %-encoded or in part, replaced by ``***``.

    Partial: any ``_PARTIAL_CHARS`` consecutive characters of a secret (a key cut by
    a snippet or echoed half). Redact before truncating, never after.
    """
    if text is None:
        return None
    forms = [
        form
        for secret in secrets
        if secret
        for form in {secret, quote(secret, safe=""), quote(secret)}
    ]
    if not forms:
        return text
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, _MASK)
    windows = {
        form[i : i + _PARTIAL_CHARS]
        for form in forms
        if len(form) > _PARTIAL_CHARS
        for i in range(len(form) - _PARTIAL_CHARS + 1)
    }
    if not windows:
        return text
    hidden = [False] * len(text)
    for i in range(len(text) - _PARTIAL_CHARS + 1):
        if text[i : i + _PARTIAL_CHARS] in windows:
            hidden[i : i + _PARTIAL_CHARS] = [True] * _PARTIAL_CHARS
    out: list[str] = []
    for char, masked in zip(text, hidden, strict=True):
        if not masked:
            out.append(char)
        elif not out or out[-1] != _MASK:  # one mark per hidden run
            out.append(_MASK)
    return "".join(out)


def redact_all(value: Any, secrets: Iterable[str]) -> Any:
    """Every string in a JSON-like value redacted, mapping keys included."""
    secrets = tuple(s for s in secrets if s)
    if not secrets:
        return value
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, Mapping):
        return {redact_all(k, secrets): redact_all(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_all(item, secrets) for item in value]
    return value


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


def _without_userinfo(url: str) -> str:
    """The URL as it may be shown: a password typed into a fiche is never repeated."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]).geturl()


# NAT64 (RFC 6052) and the deprecated IPv4-compatible form carry an IPv4 address too.
_EMBEDDING_V4 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("::/96"))


def _blocked(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
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


def _check_peer(sock: socket.socket) -> None:
    peer = ipaddress.ip_address(sock.getpeername()[0].split("%")[0])
    if _blocked(peer):
        sock.close()
        # the address itself is not repeated: stored details never answer for a resolver
        raise BlockedAddress("verbinding geweigerd: het adres is privé, lokaal of intern")


class _Watchdog:
    """Shuts every socket of one attempt at its deadline, whatever it is waiting for.

    Socket timeouts bound each wait, not their sum: a server that sends its status
    line or headers one byte a second never lets one expire. Shutting the socket from
    a timer thread ends the blocked read at once; the attempt then reports a timeout.
    """

    def __init__(self, deadline: float) -> None:
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
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


def _shut(sock: socket.socket) -> None:
    # The plain socket's shutdown, also under TLS: SSLSocket.shutdown would drop its TLS
    # state under the feet of the thread reading from it.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


_CURRENT = threading.local()


def _watch(sock: socket.socket | None) -> None:
    watchdog = getattr(_CURRENT, "watchdog", None)
    if watchdog is not None:
        watchdog.watch(sock)


# Every connection is watched: a new one when it is made (connect, TLS), a pooled
# one when it is asked again (status line, headers).
class _Watched:
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch(sock)
        return sock

    def getresponse(self) -> Any:  # noqa: ANN401 (urllib3's own type)
        _watch(self.sock)
        return super().getresponse()


# The name is resolved again when connecting; checking the socket's actual peer closes
# the window in which DNS could answer a public address to the guard and a private one here.
class _Guarded(_Watched):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_peer(sock)
        return sock


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _GuardedHTTPConnection(_Guarded, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_Guarded, HTTPSConnection):
    pass


def _adapter_class(guarded: bool) -> type[HTTPAdapter]:
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


def _retry_after(value: str | None) -> float | None:
    """Seconds asked by a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - time.time())


class Fetcher:
    """One per run; safe to share between threads."""

    def __init__(self, policy: FetchPolicy | None = None) -> None:
        self.policy = policy or FetchPolicy()
        self.t = self.policy.thresholds
        self._session = requests.Session()
        # No ambient configuration: a ~/.netrc or proxy variable must not change what we ask.
        self._session.trust_env = False
        self._session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        adapter = _adapter_class(guarded=not self.policy.allow_private)(
            pool_connections=self.t.total_concurrency,
            pool_maxsize=self.t.total_concurrency,
            max_retries=0,
        )
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._host_locks: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- public -----------------------------------------------------------------
    def fetch(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        method: str = "GET",
        secrets: Iterable[str] = (),
        secret_hosts: Collection[str] | None = None,
    ) -> FetchResult:
        """``secret_hosts``: where a request carrying one of ``secrets`` may go (every
        hop is checked); None leaves the choice to the caller."""
        secrets = tuple(s for s in secrets if s)
        deadline = time.monotonic() + self.t.total_timeout_s
        ask = _Ask(headers or {}, secrets, secret_hosts)
        result = self._fetch_with_retries(url, ask, method.upper(), deadline)
        if method.upper() == "HEAD" and (
            result.status_code in _HEAD_FALLBACK_STATUS or result.error in _HEAD_FALLBACK_ERRORS
        ):
            head_attempts = result.attempts
            result = self._fetch_with_retries(url, ask, "GET", deadline)
            result.attempts += head_attempts
        result.url = redact(_without_userinfo(url), secrets) or ""
        result.final_url = redact(result.final_url, secrets)
        result.error_detail = redact(result.error_detail, secrets)
        result.content_type = redact(result.content_type, secrets)
        result.headers = redact_all(result.headers, secrets)
        return result

    # --- internals ----------------------------------------------------------------
    def _fetch_with_retries(self, url: str, ask: _Ask, method: str, deadline: float) -> FetchResult:
        attempts = 0
        while True:
            attempts += 1
            result = self._attempt(url, ask, method, deadline)
            result.attempts = attempts
            wait = self._retry_wait(result, attempts)
            if wait is None or time.monotonic() + wait >= deadline:
                return result
            time.sleep(wait)
            if result.error == "timeout":
                # A server that let one attempt time out gets a short second chance: a
                # dead server costs about two connect timeouts, not two full budgets.
                deadline = min(deadline, time.monotonic() + self.t.connect_timeout_s)

    def _retry_wait(self, result: FetchResult, attempts: int) -> float | None:
        """Seconds to wait before the next attempt, or None when we should stop."""
        if attempts > self.t.retries:
            return None
        status = result.status_code
        transient_status = status is not None and (status == 429 or 500 <= status != 501)
        # a timeout before any answer is retried once; one after the server started
        # sending is not: the server is there, just too slow
        silent = result.error == "timeout" and status is None and attempts == 1
        if not (result.error in _RETRYABLE_ERRORS or transient_status or silent):
            return None
        wait = self.t.backoff_s * 2 ** (attempts - 1)
        asked = _retry_after(result.headers.get("retry-after"))
        if asked is not None:
            wait = max(wait, min(asked, RETRY_AFTER_CAP_S))
        return wait

    def _attempt(self, url: str, ask: _Ask, method: str, deadline: float) -> FetchResult:
        """One attempt: follow redirects ourselves so every hop passes the address guard."""
        send = {"User-Agent": self.policy.user_agent, "Accept-Encoding": "gzip, deflate"}
        send.update(ask.headers)
        current = url
        started = time.monotonic()
        result = FetchResult(url=url, method=method)
        watchdog = _Watchdog(deadline)
        try:
            with watchdog:
                for _hop in range(self.t.max_redirects + 1):
                    host = self._check_url(current)
                    ask.check_secret_host(current, send)
                    result.final_url = current
                    with self._host_slot(host):
                        response = self._send(method, current, send, deadline)
                        try:
                            # a shut socket can also look like headers that simply ended
                            watchdog.check()
                            location = self._read_head(response, result, started)
                            if location is not None:
                                target = urljoin(current, location)
                                if _origin(target) != _origin(current):
                                    send = ask.for_another_origin(send)
                                current = target
                                continue
                            if method != "HEAD":
                                result.body = self._read_body(response, deadline, result)
                                watchdog.check()  # or like a body that simply ended
                        finally:
                            response.close()
                    if result.status_code is not None and result.status_code >= 400:
                        result.error = "http"
                        result.error_detail = _http_detail(result, ask.secrets)
                    return result
                raise FetchError(
                    "too_many_redirects", f"meer dan {self.t.max_redirects} doorverwijzingen"
                )
        except FetchError as error:
            result.error, result.error_detail = error.code, error.detail
            if watchdog.fired:  # whatever broke, it broke because the deadline shut it
                result.error = "timeout"
                total = number(self.t.total_timeout_s, 1)
                result.error_detail = f"totale tijd van {total} s overschreden"
            result.body = None
            return result

    def _read_head(
        self, response: requests.Response, result: FetchResult, started: float
    ) -> str | None:
        """Status and headers into ``result``; the redirect target, if any."""
        result.latency_ms = round((time.monotonic() - started) * 1000, 1)
        result.status_code = response.status_code
        size = sum(len(k) + len(v) for k, v in response.headers.items())
        if size > MAX_HEADER_BYTES:
            cap = number(MAX_HEADER_BYTES)
            raise FetchError("too_large", f"headers van {number(size)} bytes (max. {cap})")
        result.content_type = response.headers.get("Content-Type")
        result.headers = {k.lower(): v for k, v in response.headers.items()}
        location = response.headers.get("Location")
        return location if response.status_code in _REDIRECT_STATUS and location else None

    def _check_url(self, url: str) -> str:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            raise FetchError("bad_url", f"ongeldige URL: {error}") from error
        if parts.scheme not in ("http", "https"):
            raise FetchError("bad_scheme", f"schema {parts.scheme!r} is niet toegelaten")
        if parts.username is not None or parts.password is not None:
            raise FetchError("credentials_in_url", ERRORS["credentials_in_url"])
        host = (parts.hostname or "").lower()
        if not host:
            raise FetchError("bad_url", "de URL heeft geen servernaam")
        if not self.policy.allow_private:
            self._guard(host, port or (443 if parts.scheme == "https" else 80))
        return host

    def _guard(self, host: str, port: int) -> None:
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
        if any(_blocked(ip) for ip in addresses):
            raise FetchError("blocked_address", f"{host}: {ERRORS['blocked_address']}")

    def _host_slot(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            slot = self._host_locks.get(host)
            if slot is None:
                slot = threading.BoundedSemaphore(self.t.per_host_concurrency)
                self._host_locks[host] = slot
            return slot

    def _send(
        self, method: str, url: str, headers: Mapping[str, str], deadline: float
    ) -> requests.Response:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("timeout", f"totale tijd van {self.t.total_timeout_s} s overschreden")
        timeout = (min(self.t.connect_timeout_s, remaining), min(self.t.read_timeout_s, remaining))
        try:
            return self._session.request(
                method, url, headers=dict(headers), stream=True, allow_redirects=False,
                timeout=timeout,
            )  # fmt: skip
        except BlockedAddress as error:
            raise FetchError("blocked_address", str(error)) from error
        except requests.exceptions.SSLError as error:
            raise FetchError("tls", str(error)) from error
        except requests.exceptions.Timeout as error:
            raise FetchError("timeout", str(error)) from error
        except requests.exceptions.ConnectionError as error:
            raise FetchError(_connection_code(error), str(error)) from error
        except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema) as error:
            raise FetchError("bad_url", str(error)) from error
        except requests.exceptions.RequestException as error:
            raise FetchError("connect", str(error)) from error

    def _read_body(
        self, response: requests.Response, deadline: float, result: FetchResult
    ) -> bytearray:
        """Stream and decode the body; stop at the size cap or the total deadline.

        Into one growing buffer, not a list of chunks joined at the end: the join held
        every body twice at its peak (up to 32 downloads of ``max_bytes`` at once).
        """
        limit = self.t.max_bytes
        inflater = _Inflater.for_encoding(response.headers.get("Content-Encoding", ""))
        body = bytearray()
        size = 0
        try:
            while True:
                # read1 returns whatever arrived, so a trickle cannot hide behind a full buffer.
                raw = response.raw.read1(_CHUNK, decode_content=False)
                if not raw:
                    break
                # The amount bounds the *decoded* bytes, so a gzip bomb is cut here too.
                chunk = inflater.feed(raw, limit + 1 - size) if inflater else raw
                size += len(chunk)
                result.bytes_read = size
                if size > limit:
                    raise FetchError("too_large", f"meer dan {limit} bytes (na decompressie)")
                if time.monotonic() > deadline:
                    raise FetchError(
                        "timeout", f"download duurde langer dan {self.t.total_timeout_s} s"
                    )
                body += chunk
            if inflater and not inflater.finished:
                raise FetchError("decode", "gecomprimeerde inhoud is afgebroken (onvolledig)")
        except (urllib3.exceptions.DecodeError, zlib.error) as error:
            raise FetchError("decode", str(error)) from error
        except urllib3.exceptions.ReadTimeoutError as error:
            raise FetchError("timeout", str(error)) from error
        except (urllib3.exceptions.ProtocolError, OSError) as error:
            raise FetchError("reset", str(error)) from error
        return body


@dataclass(frozen=True)
class _Ask:
    """What one fetch sends and where its secrets may go."""

    headers: Mapping[str, str]
    secrets: tuple[str, ...]
    secret_hosts: Collection[str] | None

    def _carries_secret(self, url: str, send: Mapping[str, str]) -> bool:
        texts = [url, *send.values()]
        return any(secret in text for secret in self.secrets for text in texts)

    def check_secret_host(self, url: str, send: Mapping[str, str]) -> None:
        """Refuse a hop that would hand a key to a host it is not bound to."""
        if self.secret_hosts is None or not self._carries_secret(url, send):
            return
        if not may_carry_secret(url, self.secret_hosts):
            raise FetchError("secret_host", ERRORS["secret_host"])

    def for_another_origin(self, send: Mapping[str, str]) -> dict[str, str]:
        """Headers for a redirect to another origin: only the harmless standard ones,
        and none that carries a key, whatever the fiche named its key header."""
        return {
            k: v
            for k, v in send.items()
            if k in _SAFE_HEADERS and not any(secret in v for secret in self.secrets)
        }


def _http_detail(result: FetchResult, secrets: tuple[str, ...]) -> str:
    """``HTTP 403: <start of the body>``, redacted before it is cut (a key straddling
    the cut would otherwise survive in part)."""
    longest = max((len(quote(s, safe="")) for s in secrets), default=0)
    head = (result.body or b"")[: _DETAIL_BODY_CHARS + longest].decode("utf-8", "replace")
    snippet = " ".join((redact(head, secrets) or "").split())[:_DETAIL_BODY_CHARS]
    return f"HTTP {result.status_code}" + (f": {snippet}" if snippet else "")


class _Inflater:
    """gzip/deflate decoding that notices a truncated stream.

    urllib3's decoder never checks that the compressed stream reached its end, so a
    download cut off at a gzip block boundary looked complete; zlib's ``eof`` and the
    gzip CRC check tell.
    """

    def __init__(self, wbits: int):
        self._wbits = wbits
        self._z = zlib.decompressobj(wbits)
        self._started = False

    @classmethod
    def for_encoding(cls, header: str) -> _Inflater | None:
        encoding = header.strip().lower()
        if encoding in ("gzip", "x-gzip"):
            return cls(16 + zlib.MAX_WBITS)
        if encoding == "deflate":
            return cls(zlib.MAX_WBITS)  # zlib-wrapped; raw deflate is tried on the first error
        return None

    @property
    def finished(self) -> bool:
        return self._z.eof

    def feed(self, data: bytes, max_length: int) -> bytes:
        try:
            out = self._z.decompress(data, max_length)
        except zlib.error:
            if self._started or self._wbits != zlib.MAX_WBITS:
                raise
            self._wbits = -zlib.MAX_WBITS  # servers that send raw deflate
            self._z = zlib.decompressobj(self._wbits)
            out = self._z.decompress(data, max_length)
        self._started = True
        if self._z.unconsumed_tail:  # max_length reached before the input was used up
            raise FetchError("too_large", "inhoud is te groot na decompressie")
        return out


def _connection_code(error: BaseException) -> str:
    """Tell DNS failures and resets apart from other connection errors."""
    seen: BaseException | None = error
    for _depth in range(10):
        if seen is None:
            break
        if isinstance(seen, urllib3.exceptions.NameResolutionError | socket.gaierror):
            return "dns"
        if isinstance(seen, ConnectionResetError | urllib3.exceptions.ProtocolError):
            return "reset"
        # requests and urllib3 wrap the cause in .reason or in args rather than __cause__
        reason = getattr(seen, "reason", None)
        wrapped = [a for a in seen.args if isinstance(a, BaseException)]
        if isinstance(reason, BaseException):
            seen = reason
        elif wrapped:
            seen = wrapped[0]
        else:
            seen = seen.__cause__ or seen.__context__
    return "connect"
