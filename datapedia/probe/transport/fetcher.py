"""The fetcher: one safe, polite HTTP request per call, never raising.

Only http(s), no credentials in the URL, no private or internal addresses (every
redirect hop is checked: ``addresses``), keys only to the hosts they are bound to
(``keyguard``), a size cap on the decoded body and on the headers (``body``), a hard
wall-clock deadline per request (``deadline``), and a bounded number of redirects
and retries. Problems come back as a stable error code (``errors``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urljoin, urlsplit

import requests

from datapedia.model.words import number
from datapedia.probe.settings import TRANSPORT, USER_AGENT, TransportSettings
from datapedia.probe.transport.addresses import BlockedAddress, guard
from datapedia.probe.transport.body import Body, stream_into
from datapedia.probe.transport.connections import adapter_class
from datapedia.probe.transport.deadline import Watchdog
from datapedia.probe.transport.errors import (
    ERRORS,
    RETRY_AFTER_CAP_S,
    RETRYABLE_ERRORS,
    FetchError,
    connection_code,
    retry_after,
)
from datapedia.probe.transport.keyguard import (
    Ask,
    longest_form,
    origin,
    redact,
    redact_all,
    without_userinfo,
)

# A HEAD that fails like this is retried as GET: many servers mishandle HEAD.
_HEAD_FALLBACK_STATUS = {403, 405, 501}
_HEAD_FALLBACK_ERRORS = {"connect", "reset"}
_REDIRECT_STATUS = {301, 302, 303, 307, 308}
_DETAIL_BODY_CHARS = 200
# http.client already refuses more than 100 headers or a line over 64 KiB; together
# they must stay small too, since every header is kept for the diagnosis.
MAX_HEADER_BYTES = 32 * 1024


@dataclass(frozen=True)
class FetchPolicy:
    allow_private: bool = False
    settings: TransportSettings = TRANSPORT
    user_agent: str = USER_AGENT
    # key variable -> hosts it may go to (``datapedia.load.geheimen``); None: not bound here
    secret_hosts: Mapping[str, frozenset[str]] | None = None


@dataclass
class FetchResult:
    url: str
    final_url: str | None = None
    status_code: int | None = None
    content_type: str | None = None
    body: Body | None = None
    # From sending the request to the arrival of the headers, summed over redirect hops;
    # waiting for a host slot or for the GIL afterwards is not counted.
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

    def drop_body(self) -> None:
        if self.body is not None:
            self.body.close()
            self.body = None


class Fetcher:
    """One per run; safe to share between threads."""

    def __init__(self, policy: FetchPolicy | None = None) -> None:
        self.policy = policy or FetchPolicy()
        self.s = self.policy.settings
        self._session = requests.Session()
        # No ambient configuration: a ~/.netrc or proxy variable must not change what we ask.
        self._session.trust_env = False
        self._session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        adapter = adapter_class(guarded=not self.policy.allow_private)(
            pool_connections=self.s.total_concurrency,
            pool_maxsize=self.s.total_concurrency,
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
        deadline = time.monotonic() + self.s.total_timeout_s
        ask = Ask(headers or {}, secrets, secret_hosts)
        result = self._fetch_with_retries(url, ask, method.upper(), deadline)
        if method.upper() == "HEAD" and (
            result.status_code in _HEAD_FALLBACK_STATUS or result.error in _HEAD_FALLBACK_ERRORS
        ):
            head_attempts = result.attempts
            result = self._fetch_with_retries(url, ask, "GET", deadline)
            result.attempts += head_attempts
        result.url = redact(without_userinfo(url), secrets) or ""
        result.final_url = redact(result.final_url, secrets)
        result.error_detail = redact(result.error_detail, secrets)
        result.content_type = redact(result.content_type, secrets)
        result.headers = redact_all(result.headers, secrets)
        if not result.ok:
            result.drop_body()  # only a usable answer is read further
        return result

    # --- internals ----------------------------------------------------------------
    def _fetch_with_retries(self, url: str, ask: Ask, method: str, deadline: float) -> FetchResult:
        attempts = 0
        while True:
            attempts += 1
            result = self._attempt(url, ask, method, deadline)
            result.attempts = attempts
            wait = self._retry_wait(result, attempts)
            if wait is None or time.monotonic() + wait >= deadline:
                return result
            result.drop_body()
            time.sleep(wait)
            if result.error == "timeout":
                # A server that let one attempt time out gets a short second chance: a
                # dead server costs about two connect timeouts, not two full budgets.
                deadline = min(deadline, time.monotonic() + self.s.connect_timeout_s)

    def _retry_wait(self, result: FetchResult, attempts: int) -> float | None:
        """Seconds to wait before the next attempt, or None when we should stop."""
        if attempts > self.s.retries:
            return None
        status = result.status_code
        transient_status = status is not None and (status == 429 or 500 <= status != 501)
        # a timeout before any answer is retried once; one after the server started
        # sending is not: the server is there, just too slow
        silent = result.error == "timeout" and status is None and attempts == 1
        if not (result.error in RETRYABLE_ERRORS or transient_status or silent):
            return None
        wait = self.s.backoff_s * 2 ** (attempts - 1)
        asked = retry_after(result.headers.get("retry-after"), datetime.now(UTC))
        if asked is not None:
            wait = max(wait, min(asked, RETRY_AFTER_CAP_S))
        return wait

    def _attempt(self, url: str, ask: Ask, method: str, deadline: float) -> FetchResult:
        """One attempt: follow redirects ourselves so every hop passes the address guard."""
        send = {"User-Agent": self.policy.user_agent, "Accept-Encoding": "gzip, deflate"}
        send.update(ask.headers)
        current = url
        result = FetchResult(url=url, method=method)
        watchdog = Watchdog(deadline)
        try:
            with watchdog:
                for _hop in range(self.s.max_redirects + 1):
                    target = self._hop(current, send, ask, method, watchdog, result, deadline)
                    if target is None:
                        if result.status_code is not None and result.status_code >= 400:
                            result.error = "http"
                            result.error_detail = _http_detail(result, ask.secrets)
                        return result
                    if origin(target) != origin(current):
                        send = ask.for_another_origin(send)
                    current = target
                raise FetchError(
                    "too_many_redirects", f"meer dan {self.s.max_redirects} doorverwijzingen"
                )
        except FetchError as error:
            result.error, result.error_detail = error.code, error.detail
            if watchdog.fired:  # whatever broke, it broke because the deadline shut it
                result.error = "timeout"
                total = number(self.s.total_timeout_s, 1)
                result.error_detail = f"totale tijd van {total} s overschreden"
            result.drop_body()
            return result

    def _hop(
        self,
        url: str,
        send: Mapping[str, str],
        ask: Ask,
        method: str,
        watchdog: Watchdog,
        result: FetchResult,
        deadline: float,
    ) -> str | None:
        """Ask ``url`` once; the redirect target, or None when the answer is in ``result``."""
        host = self._check_url(url)
        ask.check_secret_host(url, send)
        result.final_url = url
        with self._host_slot(host):
            # the clock starts once we may ask: waiting for our own slot is not the server's
            sent = time.perf_counter()
            watchdog.answered_at = None
            response = self._send(method, url, send, deadline)
            try:
                # a shut socket can also look like headers that simply ended
                watchdog.check()
                answered = watchdog.answered_at or time.perf_counter()
                hop_ms = max(0.0, answered - sent) * 1000
                result.latency_ms = round((result.latency_ms or 0.0) + hop_ms, 1)
                location = self._read_head(response, result)
                if location is not None:
                    return urljoin(url, location)
                if method != "HEAD":
                    self._read_body(response, deadline, result)
                    watchdog.check()  # or like a body that simply ended
            finally:
                response.close()
        return None

    def _read_head(self, response: requests.Response, result: FetchResult) -> str | None:
        """Status and headers into ``result``; the redirect target, if any."""
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
            guard(host, port or (443 if parts.scheme == "https" else 80))
        return host

    def _host_slot(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            slot = self._host_locks.get(host)
            if slot is None:
                slot = threading.BoundedSemaphore(self.s.per_host_concurrency)
                self._host_locks[host] = slot
            return slot

    def _send(
        self, method: str, url: str, headers: Mapping[str, str], deadline: float
    ) -> requests.Response:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("timeout", f"totale tijd van {self.s.total_timeout_s} s overschreden")
        timeout = (min(self.s.connect_timeout_s, remaining), min(self.s.read_timeout_s, remaining))
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
            raise FetchError(connection_code(error), str(error)) from error
        except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema) as error:
            raise FetchError("bad_url", str(error)) from error
        except requests.exceptions.RequestException as error:
            raise FetchError("connect", str(error)) from error

    def _read_body(self, response: requests.Response, deadline: float, result: FetchResult) -> None:
        """The body into ``result.body``: in memory up to ``memory_bytes``, on disk beyond."""
        result.body = Body(self.s.memory_bytes)
        try:
            stream_into(result.body, response, self.s.max_bytes, deadline)
        finally:
            result.bytes_read = result.body.seen


def _http_detail(result: FetchResult, secrets: tuple[str, ...]) -> str:
    """``HTTP 403: <start of the body>``, redacted before it is cut (a key straddling
    the cut would otherwise survive in part)."""
    size = _DETAIL_BODY_CHARS + longest_form(secrets)
    head = (result.body.head(size) if result.body else b"").decode("utf-8", "replace")
    snippet = " ".join((redact(head, secrets) or "").split())[:_DETAIL_BODY_CHARS]
    return f"HTTP {result.status_code}" + (f": {snippet}" if snippet else "")
