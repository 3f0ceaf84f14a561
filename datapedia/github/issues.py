"""One GitHub issue per failing dataset, with manners: few comments, no duplicates.

An issue belongs to a dataset through a hidden marker ``<!-- datapedia:dataset=<id> -->``
in its body (the label ``datapedia`` is only for people: removing it changes nothing).
Each report carries ``<!-- datapedia:checked_at=<iso> -->`` (running a night twice adds
nothing) and ``<!-- datapedia:state=<key> -->``, the failing dimensions and findings,
so the sync comments only when the diagnosis changes, plus a reminder after
``REMINDER_AFTER``. An issue opens only after two failing checks in a row; a dataset
that fails again gets its last issue reopened, except one closed by hand while nothing
changed. A ``gedempt`` label (or ``gedempt tot JJJJ-MM-DD``) silences an issue. A night
with a missing shard keeps one issue "nachtelijke controle onvolledig" the same way.

GitHub's limits are honoured: a throttle is waited out when it ends soon, otherwise the
sync stops cleanly, as it does after ``MAX_WRITES`` writes in one night; the rest
follows the next night. The token comes from ``GITHUB_TOKEN`` and is only ever put in
a header: it is never printed, logged or included in an error message.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from datapedia.cli.exit_codes import EXIT_BROKEN, EXIT_FAILED, EXIT_OK
from datapedia.github.report import dataset_url, dimension_section, format_time
from datapedia.load.fiches import LoadedFiche, load_repository
from datapedia.model import words
from datapedia.model.fiche import Fiche
from datapedia.model.results import Diagnosis, Dimension, Status, Verdict
from datapedia.model.thresholds import THRESHOLDS
from datapedia.publish.escape import github_text
from datapedia.store.checks import SUMMARY, ChecksStore, HistoryEntry

LABEL = "datapedia"
NO_OWNER_LABEL = "geen-eigenaar"
API_VERSION = "2022-11-28"
TITLE_MAX = 256
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
REMINDER_AFTER = timedelta(days=7)
MUTED_LABEL = "gedempt"

DATASET_MARKER = "<!-- datapedia:dataset={} -->"
CHECKED_MARKER = "<!-- datapedia:checked_at={} -->"
STATE_MARKER = "<!-- datapedia:state={} -->"
NIGHT_MARKER = "<!-- datapedia:nacht=onvolledig -->"
RECOVERED_STATE = "hersteld"
_DATASET_RE = re.compile(r"<!-- datapedia:dataset=([a-z0-9][a-z0-9-]{1,79}) -->")
_CHECKED_RE = re.compile(r"<!-- datapedia:checked_at=(\S+) -->")
_STATE_RE = re.compile(r"<!-- datapedia:state=([a-z0-9]+) -->")
_MUTED_RE = re.compile(r"gedempt(?: tot (\d{4}-\d{2}-\d{2}))?")
# Recovered means measured and no longer failing; 'unknown' proves nothing, so it waits.
_RECOVERED = (Status.ok, Status.warn)


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
        self._timeout = (THRESHOLDS.connect_timeout_s, THRESHOLDS.read_timeout_s)
        self._fake_number = 0
        self._wrote = False
        self.writes_left = MAX_WRITES

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    def _send(self, method: str, url: str, where: str, **kwargs: Any) -> requests.Response:
        if method != "GET":
            if self.writes_left <= 0:
                raise SyncStopped(f"{where}: {MAX_WRITES} schrijfacties bereikt voor deze nacht")
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


@dataclass
class SyncResult:
    opened: list[int] = field(default_factory=list)
    commented: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stopped: str | None = None


def failing_dimensions(diagnosis: Diagnosis) -> list[Dimension]:
    return [d for d in Dimension if diagnosis.dimensions[d].status == Status.fail]


def _checked_key(diagnosis: Diagnosis) -> str:
    return diagnosis.checked_at.isoformat()


def state_key(diagnosis: Diagnosis) -> str:
    """What fails and why, as a short key: a new comment only when this changes."""
    failing = [
        f"{d.value}:{','.join(sorted(diagnosis.dimensions[d].findings))}"
        for d in failing_dimensions(diagnosis)
    ]
    return hashlib.sha256(";".join(failing).encode()).hexdigest()[:12]


def _markers(diagnosis: Diagnosis, state: str) -> str:
    return f"{CHECKED_MARKER.format(_checked_key(diagnosis))}\n{STATE_MARKER.format(state)}"


@dataclass
class LastReport:
    checked_at: str | None = None
    state: str | None = None


def last_report(texts: list[str]) -> LastReport:
    """The newest checked_at and state markers over an issue's body and comments."""
    report = LastReport()
    for text in texts:
        if checked := _CHECKED_RE.search(text):
            report.checked_at = checked.group(1)
        if state := _STATE_RE.search(text):
            report.state = state.group(1)
    return report


def muted(issue: dict, today: date) -> bool:
    """A label ``gedempt`` silences the issue; ``gedempt tot 2027-01-31`` until that day."""
    for label in issue.get("labels", []):
        match = _MUTED_RE.fullmatch(label.get("name", ""))
        if match and (not match.group(1) or date.fromisoformat(match.group(1)) >= today):
            return True
    return False


def _owner_line(fiche: Fiche) -> str:
    handle = fiche.owner.github
    owner = github_text(fiche.owner.name)
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
        "_Dit issue wordt bijgehouden door `datapedia issues sync`: er komt een reactie "
        "bij als de diagnose verandert (en ten laatste na een week een herinnering), en "
        "het wordt gesloten zodra de dataset hersteld is. Met het label `gedempt` (of "
        "`gedempt tot JJJJ-MM-DD`) blijft het stil. Sluit je het terwijl het probleem "
        "blijft, dan gaat het pas weer open als de diagnose verandert._"
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
            _markers(diagnosis, state_key(diagnosis)),
            f"De controle van {format_time(diagnosis.checked_at)} vond een probleem met "
            f"**{github_text(fiche.title)}** (`{fiche.id}`) op: "
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


def still_failing_comment(
    fiche: Fiche, diagnosis: Diagnosis, now: datetime, changed: bool = True
) -> str:
    failing = failing_dimensions(diagnosis)
    lead = "Het probleem is veranderd" if changed else "Herinnering: nog steeds een probleem"
    return "\n".join(
        [
            _markers(diagnosis, state_key(diagnosis)),
            f"{lead} bij de controle van {format_time(diagnosis.checked_at)} "
            f"(gesynchroniseerd {format_time(now)}): " + ", ".join(d.label for d in failing) + ".",
            "",
            _evidence(diagnosis, failing),
        ]
    )


def recovered_comment(diagnosis: Diagnosis) -> str:
    return (
        f"{_markers(diagnosis, RECOVERED_STATE)}\n"
        f"Hersteld: bij de controle van {format_time(diagnosis.checked_at)} faalt geen enkele "
        f"dimensie meer (globaal oordeel: {diagnosis.overall.label}). Dit issue wordt gesloten."
    )


def removed_comment(fiche_id: str) -> str:
    return (
        f"De fiche `{fiche_id}` bestaat niet meer in de catalogus; dit issue wordt gesloten. "
        "Heropen het als de dataset terugkomt."
    )


def _last_report(client: GitHub, issue: dict) -> LastReport:
    comments = client.comments(issue["number"])
    return last_report([issue.get("body") or "", *(c.get("body") or "" for c in comments)])


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
    """Dataset id -> its oldest open issue, else its newest closed one; a younger open
    duplicate is reported, never acted on."""
    by_dataset: dict[str, dict] = {}
    for issue in sorted(issues, key=lambda i: i["number"]):
        match = _DATASET_RE.search(issue.get("body") or "")
        if not match:
            continue
        fiche_id = match.group(1)
        known = by_dataset.get(fiche_id)
        if known is not None and known["state"] == "open":
            if issue["state"] == "open":
                print(
                    f"waarschuwing: issue #{issue['number']} is een dubbel van "
                    f"#{known['number']} voor '{fiche_id}'; sluit het met de hand.",
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


def measured_recovery(diagnosis: Diagnosis) -> bool:
    """Measured and no longer failing; a night that judged nothing proves nothing."""
    return diagnosis.overall in _RECOVERED and diagnosis.verdict != Verdict.not_judged


def _sync_dataset(
    client: GitHub,
    loaded: LoadedFiche,
    path: str,
    diagnosis: Diagnosis,
    issue: dict | None,
    site_url: str | None,
    now: datetime,
    result: SyncResult,
    earlier: list[HistoryEntry],
) -> None:
    fiche, fiche_id = loaded.fiche, loaded.fiche.id
    if diagnosis.overall != Status.fail:
        if issue is not None and issue["state"] == "open" and measured_recovery(diagnosis):
            _close(client, issue, recovered_comment(diagnosis), result)
            _say(client, fiche_id, f"hersteld, issue #{issue['number']} gesloten", "zou sluiten")
        return
    # One failing check can be a hiccup: an issue needs the check before to fail too.
    confirmed = bool(earlier) and earlier[-1].overall == Status.fail
    if issue is None:
        if confirmed:
            number = _open_issue(client, fiche, path, diagnosis, site_url)
            result.opened.append(number)
            _say(client, fiche_id, f"issue #{number} geopend", "zou een issue openen")
        else:
            print(f"{fiche_id}: eerste mislukte controle; een issue volgt als de volgende faalt")
        return
    if muted(issue, now.date()):
        return
    last, state = _last_report(client, issue), state_key(diagnosis)
    if last.checked_at == _checked_key(diagnosis):
        return  # this night is already reported
    number = issue["number"]
    if issue["state"] != "open":
        recovered_since = any(
            h.overall in _RECOVERED and h.checked_at.isoformat() > (last.checked_at or "")
            for h in earlier
        )
        # Closed by hand while nothing changed: respected until the diagnosis changes.
        if not confirmed or (last.state == state and not recovered_since):
            return
        client.reopen(number)
        client.comment(number, still_failing_comment(fiche, diagnosis, now))
        result.reopened.append(number)
        _say(client, fiche_id, f"issue #{number} heropend", "zou heropenen")
    elif last.state != state:
        client.comment(number, still_failing_comment(fiche, diagnosis, now))
        result.commented.append(number)
        _say(client, fiche_id, f"reactie op issue #{number}", "zou reageren")
    elif _reminder_due(last, diagnosis):
        client.comment(number, still_failing_comment(fiche, diagnosis, now, changed=False))
        result.commented.append(number)
        _say(client, fiche_id, f"herinnering op issue #{number}", "zou herinneren")
    else:
        return
    _update_dimension_labels(client, issue, diagnosis)


def _reminder_due(last: LastReport, diagnosis: Diagnosis) -> bool:
    try:
        reported = datetime.fromisoformat(last.checked_at or "")
    except ValueError:
        return True  # an issue from before the markers: remind once, then count from there
    return diagnosis.checked_at - reported >= REMINDER_AFTER


def _close(client: GitHub, issue: dict, comment: str, result: SyncResult) -> None:
    client.comment(issue["number"], comment)
    client.close(issue["number"])
    result.closed.append(issue["number"])


def _close_removed(client: GitHub, fiche_id: str, issue: dict, result: SyncResult) -> None:
    _close(client, issue, removed_comment(fiche_id), result)
    _say(client, fiche_id, f"fiche weg, issue #{issue['number']} gesloten", "zou sluiten")


NIGHT_TITLE = "Nachtelijke controle onvolledig"


def night_state(incomplete: dict) -> str:
    text = json.dumps(incomplete, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def night_body(incomplete: dict, checked_at: str) -> str:
    missing = ", ".join(str(i) for i in incomplete.get("missing_shards", []))
    ids = incomplete.get("not_rechecked", [])
    shown = ", ".join(f"`{i}`" for i in ids[:100]) + (" …" if len(ids) > 100 else "")
    return "\n".join(
        [
            NIGHT_MARKER,
            CHECKED_MARKER.format(checked_at),
            STATE_MARKER.format(night_state(incomplete)),
            f"De nachtelijke controle van {checked_at} was onvolledig. Zonder resultaat "
            f"(zie de run van die nacht): shard {missing}. Wat de andere shards maten, is "
            "bewaard.",
            "",
            f"Niet opnieuw gecontroleerd, met hun vorige diagnose: "
            f"{words.count(len(ids), 'dataset')}: {shown or 'geen'}.",
            "",
            "_Dit issue wordt gesloten zodra een nacht weer volledig is._",
        ]
    )


def _sync_night(
    client: GitHub, issue: dict | None, summary: dict | None, result: SyncResult, now: datetime
) -> None:
    """One issue for nights that lost a shard, kept like a dataset's issue."""
    incomplete = (summary or {}).get("incomplete")
    checked_at = str((summary or {}).get("checked_at", ""))
    if not incomplete:
        if issue is not None and issue["state"] == "open" and summary is not None:
            comment = f"{CHECKED_MARKER.format(checked_at)}\nDe controle van {checked_at} was "
            _close(client, issue, comment + "weer volledig; dit issue wordt gesloten.", result)
            _say(client, "nacht", f"volledig, issue #{issue['number']} gesloten", "zou sluiten")
        return
    body = night_body(incomplete, checked_at)
    if issue is None:
        number = client.create_issue(NIGHT_TITLE, body, [LABEL], [])["number"]
        result.opened.append(number)
        _say(client, "nacht", f"onvolledig, issue #{number} geopend", "zou een issue openen")
        return
    if muted(issue, now.date()):
        return
    last = _last_report(client, issue)
    if last.checked_at == checked_at or (
        issue["state"] == "open" and last.state == night_state(incomplete)
    ):
        return
    if issue["state"] != "open":
        client.reopen(issue["number"])
        result.reopened.append(issue["number"])
    else:
        result.commented.append(issue["number"])
    client.comment(issue["number"], body.removeprefix(NIGHT_MARKER + "\n"))
    _say(client, "nacht", f"onvolledig, issue #{issue['number']} bijgewerkt", "zou reageren")


def _night_issue(issues: list[dict]) -> dict | None:
    ours = [i for i in issues if NIGHT_MARKER in (i.get("body") or "")]
    open_ones = [i for i in ours if i["state"] == "open"]
    if open_ones:
        return min(open_ones, key=lambda i: i["number"])
    return max(ours, key=lambda i: i["number"], default=None)


def sync(
    client: GitHub,
    root: Path,
    fiches: list[LoadedFiche],
    diagnoses: dict[str, Diagnosis],
    site_url: str | None,
    now: datetime,
    close_orphans: bool = True,
    earlier: dict[str, list[HistoryEntry]] | None = None,
    summary: dict | None = None,
) -> SyncResult:
    """Bring the issues in line with the latest diagnoses; one dataset's error never stops
    the others, a throttle or the write cap stops the sync cleanly. ``earlier`` holds each
    fiche's checks before the latest; ``summary`` is the night's ``summary.json``.
    ``close_orphans`` is off when some fiches failed to load, so an unreadable fiche is
    not mistaken for a removed one."""
    result = SyncResult()
    earlier = earlier or {}
    issues = client.all_issues()
    by_dataset = _index_issues(issues)
    tasks: list[tuple[str, Callable[[], None]]] = [
        ("nacht", partial(_sync_night, client, _night_issue(issues), summary, result, now))
    ]
    for loaded in sorted(fiches, key=lambda item: item.fiche.id):
        fiche_id = loaded.fiche.id
        diagnosis = diagnoses.get(fiche_id)
        if diagnosis is not None:
            issue = by_dataset.get(fiche_id)
            path = _rel(loaded.path, root)
            args = (client, loaded, path, diagnosis, issue, site_url, now, result)
            tasks.append((fiche_id, partial(_sync_dataset, *args, earlier.get(fiche_id, []))))
    known = {item.fiche.id for item in fiches}
    if close_orphans:
        for fiche_id, issue in sorted(by_dataset.items()):
            if fiche_id not in known and issue["state"] == "open":
                tasks.append((fiche_id, partial(_close_removed, client, fiche_id, issue, result)))
    for fiche_id, task in tasks:
        try:
            task()
        except SyncStopped as error:
            result.stopped = str(error)
            print(f"gestopt bij '{fiche_id}': {error}", file=sys.stderr)
            break
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
    """``datapedia issues sync``: 0 synced, 1 API errors or stopped by a limit, 2 cannot run."""
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
    earlier: dict[str, list[HistoryEntry]] = {}
    unreadable = False
    for item in loaded.fiches:
        try:
            diagnosis = store.read_latest(item.fiche.id)
            if diagnosis is not None:
                history = store.read_history(item.fiche.id)
                earlier[item.fiche.id] = [h for h in history if h.checked_at < diagnosis.checked_at]
        except ValueError as error:
            print(error, file=sys.stderr)
            unreadable = True
            continue
        if diagnosis is not None:
            diagnoses[item.fiche.id] = diagnosis
    try:
        summary = json.loads((checks_dir / SUMMARY).read_text(encoding="utf-8"))
    except FileNotFoundError:
        summary = None
    except ValueError as error:
        print(f"{checks_dir / SUMMARY}: onleesbaar ({error})", file=sys.stderr)
        summary, unreadable = None, True
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
            earlier=earlier,
            summary=summary,
        )
    except GitHubError as error:
        print(f"kan de issues niet lezen: {error}", file=sys.stderr)
        return EXIT_BROKEN
    print(
        f"issues: {len(result.opened)} geopend, {len(result.reopened)} heropend, "
        f"{len(result.commented)} met reactie, {len(result.closed)} gesloten, "
        f"{words.count(len(result.errors), 'fout')}"
        + (" (droog: niets gewijzigd)" if dry_run else "")
        + (" (gestopt: de rest volgt de volgende nacht)" if result.stopped else "")
    )
    return EXIT_FAILED if result.errors or result.stopped or unreadable else EXIT_OK
