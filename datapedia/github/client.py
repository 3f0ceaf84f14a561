"""The one HTTP door to GitHub's REST API: session, auth header, pagination, limits.

GitHub's limits are honoured: a throttle is waited out when it ends soon, otherwise
``SyncStopped`` is raised, as it is after ``MAX_WRITES`` writes in one night; the rest
follows the next night. The token is only ever put in a header: it is never printed,
logged or included in an error message. In a dry run nothing is written.
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests

API_VERSION = "2022-11-28"
# GitHub asks integrators to leave a second between requests that create content, and
# to honour Retry-After when it throttles; a wait longer than this fails the call.
WRITE_PAUSE_S = 1.0
RETRY_AFTER_MAX_S = 120.0
# GitHub documents no wait for a secondary limit without Retry-After; it asks for
# at least a minute.
SECONDARY_WAIT_S = 60.0
# Writes per night: a mass outage opens the worst issues first and the rest later,
# instead of tripping GitHub's content-creation limits.
MAX_WRITES = 80
# (connect, read) seconds per API call; the feeds' transport has its own settings.
TIMEOUT_S = (10.0, 30.0)


class GitHubError(Exception):
    """An API call failed; the message names the call, never the token."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class SyncStopped(GitHubError):
    """GitHub throttles for longer than we wait, or the night's write cap is reached:
    the sync stops cleanly and the next night continues."""


class GitHub:
    """The handful of REST calls the sync needs; writes are skipped in a dry run."""

    def __init__(
        self,
        api_url: str,
        repo: str,
        token: str | None,
        dry_run: bool = False,
        session: requests.Session | None = None,
    ):
        self.api_url = api_url.rstrip("/")
        self.repo = repo
        self.dry_run = dry_run
        self._token = token
        self._session = session or requests.Session()
        self._session.headers.update(
            {
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": "datapedia-vlaanderen",
            }
        )
        if token:
            self._session.headers["Authorization"] = f"Bearer {token}"
        self._timeout = TIMEOUT_S
        self._fake_number = 0
        self._wrote = False
        self.max_writes = MAX_WRITES
        self.writes_left = self.max_writes

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    def _send(self, method: str, url: str, where: str, **kwargs: Any) -> requests.Response:
        if method != "GET":
            if self.writes_left <= 0:
                raise SyncStopped(
                    f"{where}: {self.max_writes} schrijfacties bereikt voor deze nacht"
                )
            self.writes_left -= 1
            if self._wrote:
                time.sleep(WRITE_PAUSE_S)
            self._wrote = True
        try:
            return self._session.request(
                method, url, timeout=self._timeout, allow_redirects=False, **kwargs
            )
        except requests.RequestException as error:
            raise GitHubError(self._scrub(f"{where}: {type(error).__name__}")) from None

    def _request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        where = f"{method} {urlsplit(url).path}"
        response = self._send(method, url, where, **kwargs)
        wait = _throttle_wait(response)
        if wait is not None and wait <= RETRY_AFTER_MAX_S:
            time.sleep(wait)
            response = self._send(method, url, where, **kwargs)
            wait = _throttle_wait(response)
        if response.status_code >= 300:
            message = self._scrub(
                f"{where}: HTTP {response.status_code} {_message(response)[:200]}"
            )
            if wait is not None:
                raise SyncStopped(f"{message} (limiet van GitHub; gestopt tot de volgende nacht)")
            raise GitHubError(message, response.status_code)
        return response

    def _paginate(self, path: str, params: dict[str, Any]) -> list[dict]:
        items: list[dict] = []
        url: str | None = f"{self.api_url}{path}"
        query: dict[str, Any] | None = {**params, "per_page": 100}
        while url:
            response = self._request("GET", url, params=query)
            items.extend(response.json())
            url, query = response.links.get("next", {}).get("url"), None
            # The token goes only to the API we were given, never to a host a header names.
            if url and not url.startswith(self.api_url + "/"):
                raise GitHubError(f"GET {path}: volgende pagina op een andere host geweigerd")
        return items

    def all_issues(self) -> list[dict]:
        """Open and closed issues: ours are recognised by their marker, not their label."""
        if self.dry_run and not self._token:
            return []  # nothing can be read without a token; a dry run then shows only openings
        issues = self._paginate(
            f"/repos/{self.repo}/issues", {"state": "all", "sort": "created", "direction": "asc"}
        )
        return [i for i in issues if "pull_request" not in i]

    def comments(self, number: int) -> list[dict]:
        return self._paginate(f"/repos/{self.repo}/issues/{number}/comments", {})

    def create_issue(self, title: str, body: str, labels: list[str], assignees: list[str]) -> dict:
        if self.dry_run:
            self._fake_number -= 1
            return {"number": self._fake_number, "body": body}
        payload = {"title": title, "body": body, "labels": labels, "assignees": assignees}
        return self._request(
            "POST", f"{self.api_url}/repos/{self.repo}/issues", json=payload
        ).json()

    def comment(self, number: int, body: str) -> None:
        if not self.dry_run:
            url = f"{self.api_url}/repos/{self.repo}/issues/{number}/comments"
            self._request("POST", url, json={"body": body})

    def set_labels(self, number: int, labels: list[str]) -> None:
        if not self.dry_run:
            url = f"{self.api_url}/repos/{self.repo}/issues/{number}"
            self._request("PATCH", url, json={"labels": labels})

    def close(self, number: int) -> None:
        self._set_state(number, {"state": "closed", "state_reason": "completed"})

    def reopen(self, number: int) -> None:
        self._set_state(number, {"state": "open"})

    def _set_state(self, number: int, payload: dict) -> None:
        if not self.dry_run:
            url = f"{self.api_url}/repos/{self.repo}/issues/{number}"
            self._request("PATCH", url, json=payload)


def _message(response: requests.Response) -> str:
    try:
        payload = response.json()
    except ValueError:
        return response.text
    return str(payload.get("message", "")) if isinstance(payload, dict) else ""


def _throttle_wait(response: requests.Response) -> float | None:
    """Seconds GitHub asks us to wait before trying again, or None when it is no throttle.

    Primary limit: ``x-ratelimit-remaining: 0`` until ``x-ratelimit-reset``, counted
    from the response's own ``Date`` so no local clock is read. Secondary limit: a
    ``Retry-After``, or a 403/429 that says "rate limit" without one.
    """
    if response.status_code not in (403, 429):
        return None
    try:
        return max(0.0, float(response.headers["Retry-After"]))
    except (KeyError, ValueError):
        pass
    if response.headers.get("x-ratelimit-remaining") == "0":
        try:
            reset = float(response.headers["x-ratelimit-reset"])
            sent = parsedate_to_datetime(response.headers["Date"]).timestamp()
        except (KeyError, ValueError, TypeError):
            return SECONDARY_WAIT_S
        return max(0.0, reset - sent)
    if response.status_code == 429 or "rate limit" in _message(response).lower():
        return SECONDARY_WAIT_S
    return None
