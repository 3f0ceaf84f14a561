"""What to do with one dataset's issue (or the night's) tonight: open, comment, reopen,
close, or stay silent.

An issue opens only after two failing checks in a row; a dataset that fails again
gets its last issue reopened, except one closed by hand while nothing changed. A
comment follows only when the diagnosis changes, plus a reminder after
``REMINDER_AFTER``. A ``gedempt`` label (or ``gedempt tot JJJJ-MM-DD``) silences an
issue; recovery closes it all the same. A night with a missing shard keeps one issue
"nachtelijke controle onvolledig" the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from datapedia.github import bodies
from datapedia.github.client import GitHub, GitHubError
from datapedia.github.markers import (
    DIMENSION_LABEL,
    LABEL,
    NO_OWNER_LABEL,
    LastReport,
    checked_key,
    dimension_labels,
    last_report,
    muted,
    night_state,
    state_key,
)
from datapedia.github.result import SyncResult
from datapedia.model.fiche import Fiche
from datapedia.model.results import Diagnosis, Status, Verdict
from datapedia.store.checks import HistoryEntry

REMINDER_AFTER = timedelta(days=7)
# Recovered means measured and no longer failing; 'unknown' proves nothing, so it waits.
_RECOVERED = (Status.ok, Status.warn)


@dataclass
class Sync:
    """What every decision needs: the API, what was done so far, the moment, the site."""

    client: GitHub
    result: SyncResult
    now: datetime
    site_url: str | None

    def say(self, subject: str, done: str, planned: str) -> None:
        self.result.tell(f"{subject}: {f'droog, {planned}' if self.client.dry_run else done}")

    def warn(self, text: str) -> None:
        self.result.tell(text, warning=True)

    def last_report(self, issue: dict) -> LastReport:
        comments = self.client.comments(issue["number"])
        return last_report([issue.get("body") or "", *(c.get("body") or "" for c in comments)])

    def close(self, issue: dict, comment: str) -> None:
        self.client.comment(issue["number"], comment)
        self.client.close(issue["number"])
        self.result.closed.append(issue["number"])


def measured_recovery(diagnosis: Diagnosis) -> bool:
    """Measured and no longer failing; a night that judged nothing proves nothing."""
    return diagnosis.overall in _RECOVERED and diagnosis.verdict != Verdict.not_judged


def _reminder_due(last: LastReport, diagnosis: Diagnosis) -> bool:
    try:
        reported = datetime.fromisoformat(last.checked_at or "")
    except ValueError:
        return True  # an issue from before the markers: remind once, then count from there
    return diagnosis.checked_at - reported >= REMINDER_AFTER


def _update_dimension_labels(client: GitHub, issue: dict, diagnosis: Diagnosis) -> None:
    """Keep `dimensie:*` labels on what fails tonight; labels people added stay."""
    current = [label["name"] for label in issue.get("labels", [])]
    kept = [name for name in current if not name.startswith(DIMENSION_LABEL)]
    wanted = kept + dimension_labels(diagnosis)
    if sorted(wanted) != sorted(current):
        client.set_labels(issue["number"], wanted)


def open_issue(sync: Sync, fiche: Fiche, path: str, diagnosis: Diagnosis) -> int:
    labels = [LABEL, *dimension_labels(diagnosis)]
    handle = fiche.owner.github
    assignees = [handle.removeprefix("@")] if handle and "/" not in handle else []
    if not handle:
        labels.append(NO_OWNER_LABEL)
        sync.warn(
            f"waarschuwing: {path} heeft geen owner.github; het issue voor '{fiche.id}' "
            f"wordt aan niemand toegewezen en krijgt het label '{NO_OWNER_LABEL}'."
        )
    title = bodies.issue_title(fiche, diagnosis)
    body = bodies.issue_body(fiche, path, diagnosis, sync.site_url)
    try:
        return sync.client.create_issue(title, body, labels, assignees)["number"]
    except GitHubError as error:
        # 422: the handle cannot be assigned in this repository (no access, typo); an
        # unassigned issue that names the owner beats no issue at all.
        if error.status != 422 or not assignees:
            raise
        sync.warn(
            f"waarschuwing: {handle} uit {path} kan niet toegewezen worden ({error}); "
            "het issue wordt zonder toewijzing geopend."
        )
        return sync.client.create_issue(title, body, labels, [])["number"]


def sync_dataset(
    sync: Sync,
    fiche: Fiche,
    path: str,
    diagnosis: Diagnosis,
    issue: dict | None,
    earlier: list[HistoryEntry],
) -> None:
    """One dataset: ``earlier`` holds its checks before ``diagnosis``, the latest."""
    if diagnosis.overall != Status.fail:
        if issue is not None and issue["state"] == "open" and measured_recovery(diagnosis):
            sync.close(issue, bodies.recovered_comment(diagnosis))
            sync.say(fiche.id, f"hersteld, issue #{issue['number']} gesloten", "zou sluiten")
        return
    # One failing check can be a hiccup: an issue needs the check before to fail too.
    confirmed = bool(earlier) and earlier[-1].overall == Status.fail
    if issue is None:
        if confirmed:
            number = open_issue(sync, fiche, path, diagnosis)
            sync.result.opened.append(number)
            sync.say(fiche.id, f"issue #{number} geopend", "zou een issue openen")
        else:
            sync.result.skipped.append(fiche.id)
            sync.result.tell(
                f"{fiche.id}: eerste mislukte controle; een issue volgt als de volgende faalt"
            )
        return
    if muted(issue, sync.now.date()):
        sync.result.skipped.append(fiche.id)
        return
    _follow_up(sync, fiche.id, diagnosis, issue, confirmed, earlier)


def _follow_up(
    sync: Sync,
    fiche_id: str,
    diagnosis: Diagnosis,
    issue: dict,
    confirmed: bool,
    earlier: list[HistoryEntry],
) -> None:
    """A failing dataset with an issue: reopen, comment on a change, remind, or nothing."""
    last, state = sync.last_report(issue), state_key(diagnosis)
    if last.checked_at == checked_key(diagnosis):
        return  # this night is already reported
    number, client = issue["number"], sync.client
    if issue["state"] != "open":
        recovered_since = any(
            h.overall in _RECOVERED and h.checked_at.isoformat() > (last.checked_at or "")
            for h in earlier
        )
        # Closed by hand while nothing changed: respected until the diagnosis changes.
        if not confirmed or (last.state == state and not recovered_since):
            sync.result.skipped.append(fiche_id)
            return
        client.reopen(number)
        client.comment(number, bodies.still_failing_comment(diagnosis, sync.now))
        sync.result.reopened.append(number)
        sync.say(fiche_id, f"issue #{number} heropend", "zou heropenen")
    elif last.state != state:
        client.comment(number, bodies.still_failing_comment(diagnosis, sync.now))
        sync.result.commented.append(number)
        sync.say(fiche_id, f"reactie op issue #{number}", "zou reageren")
    elif _reminder_due(last, diagnosis):
        comment = bodies.still_failing_comment(diagnosis, sync.now, changed=False)
        client.comment(number, comment)
        sync.result.commented.append(number)
        sync.say(fiche_id, f"herinnering op issue #{number}", "zou herinneren")
    else:
        return
    _update_dimension_labels(client, issue, diagnosis)


def close_removed(sync: Sync, fiche_id: str, issue: dict) -> None:
    """The fiche left the catalogue: its open issue has nothing left to track."""
    sync.close(issue, bodies.removed_comment(fiche_id))
    sync.say(fiche_id, f"fiche weg, issue #{issue['number']} gesloten", "zou sluiten")


def sync_night(sync: Sync, issue: dict | None, summary: dict | None) -> None:
    """One issue for nights that lost a shard, kept like a dataset's issue."""
    incomplete = (summary or {}).get("incomplete")
    checked_at = str((summary or {}).get("checked_at", ""))
    if not incomplete:
        if issue is not None and issue["state"] == "open" and summary is not None:
            sync.close(issue, bodies.night_complete_comment(checked_at))
            sync.say("nacht", f"volledig, issue #{issue['number']} gesloten", "zou sluiten")
        return
    if issue is None:
        body = bodies.night_body(incomplete, checked_at)
        number = sync.client.create_issue(bodies.NIGHT_TITLE, body, [LABEL], [])["number"]
        sync.result.opened.append(number)
        sync.say("nacht", f"onvolledig, issue #{number} geopend", "zou een issue openen")
        return
    if muted(issue, sync.now.date()):
        return
    last = sync.last_report(issue)
    if last.checked_at == checked_at or (
        issue["state"] == "open" and last.state == night_state(incomplete)
    ):
        return
    if issue["state"] != "open":
        sync.client.reopen(issue["number"])
        sync.result.reopened.append(issue["number"])
    else:
        sync.result.commented.append(issue["number"])
    sync.client.comment(issue["number"], bodies.night_report(incomplete, checked_at))
    sync.say("nacht", f"onvolledig, issue #{issue['number']} bijgewerkt", "zou reageren")
