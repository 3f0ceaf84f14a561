"""One GitHub issue per failing dataset: open it, comment each failing night, close on recovery.

An issue belongs to a dataset through the label ``datapedia`` plus a hidden marker
``<!-- datapedia:dataset=<id> -->`` in its body; each night's report carries
``<!-- datapedia:checked_at=<iso> -->`` so running the same night twice adds
nothing. The token comes from ``GITHUB_TOKEN`` and is only ever put in a header:
it is never printed, logged or included in an error message.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from datapedia import words
from datapedia.fiche import Fiche
from datapedia.load import LoadedFiche, load_repository
from datapedia.report import dataset_url, dimension_section, format_time, md_text
from datapedia.results import Diagnosis, Dimension, Status
from datapedia.store import ChecksStore
from datapedia.thresholds import THRESHOLDS

EXIT_OK, EXIT_FAILED, EXIT_BROKEN = 0, 1, 2
LABEL = "datapedia"
NO_OWNER_LABEL = "geen-eigenaar"
API_VERSION = "2022-11-28"
TITLE_MAX = 256
# GitHub asks integrators to leave a second between requests that create content, and
# to honour Retry-After when it throttles; a wait longer than this fails the call.
WRITE_PAUSE_S = 1.0
RETRY_AFTER_MAX_S = 120.0

DATASET_MARKER = "<!-- datapedia:dataset={} -->"
CHECKED_MARKER = "<!-- datapedia:checked_at={} -->"
_DATASET_RE = re.compile(r"<!-- datapedia:dataset=([a-z0-9][a-z0-9-]{1,79}) -->")
# Recovered means measured and no longer failing; 'unknown' proves nothing, so it waits.
_RECOVERED = (Status.ok, Status.warn)


class GitHubError(Exception):
    """An API call failed; the message names the call, never the token."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


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
        self._timeout = (THRESHOLDS.connect_timeout_s, THRESHOLDS.read_timeout_s)
        self._fake_number = 0
        self._wrote = False

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    def _send(self, method: str, url: str, where: str, **kwargs: Any) -> requests.Response:
        if method != "GET":
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
        wait = _retry_after(response)
        if wait is not None and wait <= RETRY_AFTER_MAX_S:
            time.sleep(wait)
            response = self._send(method, url, where, **kwargs)
        if response.status_code >= 300:
            try:
                payload = response.json()
                detail = payload.get("message", "") if isinstance(payload, dict) else ""
            except ValueError:
                detail = response.text
            raise GitHubError(
                self._scrub(f"{where}: HTTP {response.status_code} {detail[:200]}"),
                response.status_code,
            )
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

    def open_issues(self) -> list[dict]:
        if self.dry_run and not self._token:
            return []  # nothing can be read without a token; a dry run then shows only openings
        issues = self._paginate(
            f"/repos/{self.repo}/issues", {"state": "open", "labels": LABEL, "sort": "created"}
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
        if not self.dry_run:
            self._request(
                "PATCH",
                f"{self.api_url}/repos/{self.repo}/issues/{number}",
                json={"state": "closed", "state_reason": "completed"},
            )


def _retry_after(response: requests.Response) -> float | None:
    """Seconds GitHub asks us to wait before trying again, or None when it is no throttle."""
    if response.status_code not in (403, 429):
        return None
    try:
        return max(0.0, float(response.headers["Retry-After"]))
    except (KeyError, ValueError):
        return 60.0 if response.status_code == 429 else None


@dataclass
class SyncResult:
    opened: list[int] = field(default_factory=list)
    commented: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def failing_dimensions(diagnosis: Diagnosis) -> list[Dimension]:
    return [d for d in Dimension if diagnosis.dimensions[d].status == Status.fail]


def _checked_key(diagnosis: Diagnosis) -> str:
    return diagnosis.checked_at.isoformat()


def _owner_line(fiche: Fiche) -> str:
    handle = fiche.owner.github
    owner = md_text(fiche.owner.name)
    if not handle:
        return (
            f"Eigenaar: {owner}. De fiche vermeldt geen GitHub-handle (`owner.github`), "
            "dus niemand kreeg dit issue toegewezen: beheerders, vraag de eigenaar er een toe "
            "te voegen."
        )
    if "/" in handle:
        # Teams cannot be assignees; naming the team notifies its members instead.
        return f"Eigenaar: {owner}, team {handle}."
    return f"Eigenaar: {owner} ({handle})."


def _evidence(diagnosis: Diagnosis, dimensions: list[Dimension]) -> str:
    return "\n\n".join(dimension_section(diagnosis, d) for d in dimensions)


def _footer(fiche: Fiche, path: str, site_url: str | None) -> str:
    url = dataset_url(site_url, fiche.id)
    page = f"[de pagina van de dataset]({url})" if url else "de pagina van de dataset"
    return (
        f"Meer uitleg en de geschiedenis staan op {page}; de fiche is `{path}`.\n\n"
        "_Dit issue wordt bijgehouden door `datapedia issues sync`: elke nacht dat het "
        "probleem blijft komt er een reactie bij, en het wordt gesloten zodra de dataset "
        "hersteld is._"
    )


def issue_title(fiche: Fiche, diagnosis: Diagnosis) -> str:
    labels = ", ".join(d.label for d in failing_dimensions(diagnosis))
    title = f"Probleem met {fiche.title} ({fiche.id}): {labels}"
    return title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1] + "…"


def issue_body(fiche: Fiche, path: str, diagnosis: Diagnosis, site_url: str | None) -> str:
    failing = failing_dimensions(diagnosis)
    return "\n".join(
        [
            DATASET_MARKER.format(fiche.id),
            CHECKED_MARKER.format(_checked_key(diagnosis)),
            f"De controle van {format_time(diagnosis.checked_at)} vond een probleem met "
            f"**{md_text(fiche.title)}** (`{fiche.id}`) op: "
            + ", ".join(d.label for d in failing)
            + ".",
            "",
            _owner_line(fiche),
            "",
            _evidence(diagnosis, failing),
            "",
            _footer(fiche, path, site_url),
        ]
    )


def still_failing_comment(fiche: Fiche, diagnosis: Diagnosis, now: datetime) -> str:
    failing = failing_dimensions(diagnosis)
    return "\n".join(
        [
            CHECKED_MARKER.format(_checked_key(diagnosis)),
            f"Nog steeds een probleem bij de controle van {format_time(diagnosis.checked_at)} "
            f"(gesynchroniseerd {format_time(now)}): " + ", ".join(d.label for d in failing) + ".",
            "",
            _evidence(diagnosis, failing),
        ]
    )


def recovered_comment(diagnosis: Diagnosis) -> str:
    return (
        f"{CHECKED_MARKER.format(_checked_key(diagnosis))}\n"
        f"Hersteld: bij de controle van {format_time(diagnosis.checked_at)} faalt geen enkele "
        f"dimensie meer (globaal oordeel: {diagnosis.overall.label}). Dit issue wordt gesloten."
    )


def removed_comment(fiche_id: str) -> str:
    return (
        f"De fiche `{fiche_id}` bestaat niet meer in de catalogus; dit issue wordt gesloten. "
        "Heropen het als de dataset terugkomt."
    )


def _already_reported(client: GitHub, issue: dict, diagnosis: Diagnosis) -> bool:
    marker = CHECKED_MARKER.format(_checked_key(diagnosis))
    if marker in (issue.get("body") or ""):
        return True
    return any(marker in (c.get("body") or "") for c in client.comments(issue["number"]))


def dimension_labels(diagnosis: Diagnosis) -> list[str]:
    return [f"dimensie:{d.value}" for d in failing_dimensions(diagnosis)]


def _update_dimension_labels(client: GitHub, issue: dict, diagnosis: Diagnosis) -> None:
    """Keep `dimensie:*` labels on what fails tonight; labels people added stay."""
    current = [label["name"] for label in issue.get("labels", [])]
    kept = [name for name in current if not name.startswith("dimensie:")]
    wanted = kept + dimension_labels(diagnosis)
    if sorted(wanted) != sorted(current):
        client.set_labels(issue["number"], wanted)


def _index_issues(issues: list[dict]) -> dict[str, dict]:
    """Dataset id -> its oldest open issue; a younger duplicate is reported, never acted on."""
    by_dataset: dict[str, dict] = {}
    for issue in sorted(issues, key=lambda i: i["number"]):
        match = _DATASET_RE.search(issue.get("body") or "")
        if not match:
            continue
        fiche_id = match.group(1)
        if fiche_id in by_dataset:
            print(
                f"waarschuwing: issue #{issue['number']} is een dubbel van "
                f"#{by_dataset[fiche_id]['number']} voor '{fiche_id}'; sluit het met de hand.",
                file=sys.stderr,
            )
            continue
        by_dataset[fiche_id] = issue
    return by_dataset


def _open_issue(
    client: GitHub, fiche: Fiche, path: str, diagnosis: Diagnosis, site_url: str | None
) -> int:
    labels = [LABEL, *dimension_labels(diagnosis)]
    handle = fiche.owner.github
    assignees = [handle.removeprefix("@")] if handle and "/" not in handle else []
    if not handle:
        labels.append(NO_OWNER_LABEL)
        print(
            f"waarschuwing: {path} heeft geen owner.github; het issue voor '{fiche.id}' "
            f"wordt aan niemand toegewezen en krijgt het label '{NO_OWNER_LABEL}'.",
            file=sys.stderr,
        )
    title, body = issue_title(fiche, diagnosis), issue_body(fiche, path, diagnosis, site_url)
    try:
        return client.create_issue(title, body, labels, assignees)["number"]
    except GitHubError as error:
        # 422: the handle cannot be assigned in this repository (no access, typo); an
        # unassigned issue that names the owner beats no issue at all.
        if error.status != 422 or not assignees:
            raise
        print(
            f"waarschuwing: {handle} uit {path} kan niet toegewezen worden ({error}); "
            "het issue wordt zonder toewijzing geopend.",
            file=sys.stderr,
        )
        return client.create_issue(title, body, labels, [])["number"]


def _say(client: GitHub, fiche_id: str, done: str, planned: str) -> None:
    print(f"{fiche_id}: {f'droog, {planned}' if client.dry_run else done}")


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _sync_dataset(
    client: GitHub,
    loaded: LoadedFiche,
    path: str,
    diagnosis: Diagnosis,
    issue: dict | None,
    site_url: str | None,
    now: datetime,
    result: SyncResult,
) -> None:
    fiche, fiche_id = loaded.fiche, loaded.fiche.id
    if diagnosis.overall == Status.fail and issue is None:
        number = _open_issue(client, fiche, path, diagnosis, site_url)
        result.opened.append(number)
        _say(client, fiche_id, f"issue #{number} geopend", "zou een issue openen")
    elif diagnosis.overall == Status.fail:
        if not _already_reported(client, issue, diagnosis):
            client.comment(issue["number"], still_failing_comment(fiche, diagnosis, now))
            result.commented.append(issue["number"])
            _say(client, fiche_id, f"reactie op issue #{issue['number']}", "zou reageren")
            _update_dimension_labels(client, issue, diagnosis)
    elif issue is not None and diagnosis.overall in _RECOVERED:
        _close(client, issue, recovered_comment(diagnosis), result)
        _say(client, fiche_id, f"hersteld, issue #{issue['number']} gesloten", "zou sluiten")


def _close(client: GitHub, issue: dict, comment: str, result: SyncResult) -> None:
    client.comment(issue["number"], comment)
    client.close(issue["number"])
    result.closed.append(issue["number"])


def _close_removed(client: GitHub, fiche_id: str, issue: dict, result: SyncResult) -> None:
    _close(client, issue, removed_comment(fiche_id), result)
    _say(client, fiche_id, f"fiche weg, issue #{issue['number']} gesloten", "zou sluiten")


def sync(
    client: GitHub,
    root: Path,
    fiches: list[LoadedFiche],
    diagnoses: dict[str, Diagnosis],
    site_url: str | None,
    now: datetime,
    close_orphans: bool = True,
) -> SyncResult:
    """Bring the open issues in line with the latest diagnoses; one dataset's error never
    stops the others. ``close_orphans`` is off when some fiches failed to load, so an
    unreadable fiche is not mistaken for a removed one."""
    result = SyncResult()
    by_dataset = _index_issues(client.open_issues())
    tasks: list[tuple[str, Callable[[], None]]] = []
    for loaded in sorted(fiches, key=lambda item: item.fiche.id):
        diagnosis = diagnoses.get(loaded.fiche.id)
        if diagnosis is not None:
            issue = by_dataset.get(loaded.fiche.id)
            path = _rel(loaded.path, root)
            args = (client, loaded, path, diagnosis, issue, site_url, now, result)
            tasks.append((loaded.fiche.id, partial(_sync_dataset, *args)))
    known = {item.fiche.id for item in fiches}
    if close_orphans:
        for fiche_id, issue in sorted(by_dataset.items()):
            if fiche_id not in known:
                tasks.append((fiche_id, partial(_close_removed, client, fiche_id, issue, result)))
    for fiche_id, task in tasks:
        try:
            task()
        except GitHubError as error:
            result.errors.append(f"{fiche_id}: {error}")
            print(f"fout bij '{fiche_id}': {error}", file=sys.stderr)
    return result


def sync_from_cli(
    root: Path,
    checks_dir: Path,
    repo: str | None,
    api_url: str,
    site_url: str | None,
    dry_run: bool,
    now: datetime,
) -> int:
    """``datapedia issues sync``: 0 synced, 1 some datasets hit API errors, 2 cannot run."""
    token = os.environ.get("GITHUB_TOKEN") or None
    if not repo or "/" not in repo:
        print(
            "geen repository: geef --repo eigenaar/naam of zet GITHUB_REPOSITORY.", file=sys.stderr
        )
        return EXIT_BROKEN
    if not token and not dry_run:
        print(
            "GITHUB_TOKEN ontbreekt: zet een token met het recht 'issues: write' in de "
            "omgeving (in GitHub Actions: env GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}), "
            "of gebruik --dry-run.",
            file=sys.stderr,
        )
        return EXIT_BROKEN
    loaded = load_repository(root)
    for problem in loaded.problems:
        print(problem, file=sys.stderr)
    store = ChecksStore(checks_dir)
    diagnoses: dict[str, Diagnosis] = {}
    unreadable = False
    for item in loaded.fiches:
        try:
            diagnosis = store.read_latest(item.fiche.id)
        except ValueError as error:
            print(error, file=sys.stderr)
            unreadable = True
            continue
        if diagnosis is not None:
            diagnoses[item.fiche.id] = diagnosis
    client = GitHub(api_url, repo, token, dry_run=dry_run)
    if dry_run and not token:
        print(
            "droog: zonder GITHUB_TOKEN zijn de bestaande issues onbekend; enkel nieuwe "
            "issues worden getoond.",
            file=sys.stderr,
        )
    try:
        result = sync(
            client,
            root,
            loaded.fiches,
            diagnoses,
            site_url,
            now,
            close_orphans=not loaded.problems,
        )
    except GitHubError as error:
        print(f"kan de issues niet lezen: {error}", file=sys.stderr)
        return EXIT_BROKEN
    print(
        f"issues: {len(result.opened)} geopend, {len(result.commented)} met reactie, "
        f"{len(result.closed)} gesloten, {words.count(len(result.errors), 'fout')}"
        + (" (droog: niets gewijzigd)" if dry_run else "")
    )
    return EXIT_FAILED if result.errors or unreadable else EXIT_OK
