"""One GitHub issue per failing dataset, with manners: few comments, no duplicates.

This is the sync's driver: it reads the fiches, the latest diagnoses and the night's
``summary.json``, lists the repository's issues once through ``github.client`` and
hands each dataset to ``github.decisions``; ``github.markers`` says which issue is
whose, ``github.bodies`` what they say. One dataset's API error never stops the others;
a throttle or the night's write cap stops the sync cleanly and the next night goes on.
It returns a ``SyncResult`` and raises ``CannotSync``; ``datapedia.cli`` prints.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

from datapedia.github.client import GitHub, GitHubError, SyncStopped
from datapedia.github.decisions import Sync, close_removed, sync_dataset, sync_night
from datapedia.github.markers import dataset_of, is_night_issue
from datapedia.github.result import Note, SyncResult
from datapedia.load.fiches import LoadedFiche, load_repository
from datapedia.model.results import Diagnosis
from datapedia.store.checks import SUMMARY, ChecksStore, HistoryEntry

NO_REPOSITORY = "geen repository: geef --repo eigenaar/naam of zet GITHUB_REPOSITORY."
NO_WRITE_ACCESS = (
    "GITHUB_TOKEN ontbreekt: zet een token met het recht 'issues: write' in de "
    "omgeving (in GitHub Actions: env GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}), "
    "of gebruik --dry-run."
)
DRY_RUN_BLIND = (
    "droog: zonder GITHUB_TOKEN zijn de bestaande issues onbekend; enkel nieuwe "
    "issues worden getoond."
)


class CannotSync(Exception):
    """The sync cannot run at all (no repository, no token, the issues unreadable);
    the message says why in Dutch and never contains the token."""


def _index_issues(issues: list[dict], result: SyncResult) -> dict[str, dict]:
    """Dataset id -> its oldest open issue, else its newest closed one; a younger open
    duplicate is reported, never acted on."""
    by_dataset: dict[str, dict] = {}
    for issue in sorted(issues, key=lambda i: i["number"]):
        fiche_id = dataset_of(issue)
        if fiche_id is None:
            continue
        known = by_dataset.get(fiche_id)
        if known is not None and known["state"] == "open":
            if issue["state"] == "open":
                result.tell(
                    f"waarschuwing: issue #{issue['number']} is een dubbel van "
                    f"#{known['number']} voor '{fiche_id}'; sluit het met de hand.",
                    warning=True,
                )
            continue
        by_dataset[fiche_id] = issue
    return by_dataset


def _night_issue(issues: list[dict]) -> dict | None:
    ours = [i for i in issues if is_night_issue(i)]
    open_ones = [i for i in ours if i["state"] == "open"]
    if open_ones:
        return min(open_ones, key=lambda i: i["number"])
    return max(ours, key=lambda i: i["number"], default=None)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _run_tasks(tasks: list[tuple[str, Callable[[], None]]], result: SyncResult) -> None:
    for subject, task in tasks:
        try:
            task()
        except SyncStopped as error:
            result.stopped = str(error)
            result.tell(f"gestopt bij '{subject}': {error}", warning=True)
            break
        except GitHubError as error:
            result.errors.append(f"{subject}: {error}")
            result.tell(f"fout bij '{subject}': {error}", warning=True)


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
    result: SyncResult | None = None,
) -> SyncResult:
    """Bring the issues in line with the latest diagnoses. ``earlier`` holds each fiche's
    checks before the latest; ``summary`` is the night's ``summary.json``.
    ``close_orphans`` is off when some fiches failed to load, so an unreadable fiche is
    not mistaken for a removed one. Raises ``GitHubError`` when the issues cannot be listed."""
    result = result if result is not None else SyncResult(dry_run=client.dry_run)
    earlier = earlier or {}
    issues = client.all_issues()
    by_dataset = _index_issues(issues, result)
    context = Sync(client, result, now, site_url)
    tasks: list[tuple[str, Callable[[], None]]] = [
        ("nacht", partial(sync_night, context, _night_issue(issues), summary))
    ]
    for loaded in sorted(fiches, key=lambda item: item.fiche.id):
        fiche_id = loaded.fiche.id
        if (diagnosis := diagnoses.get(fiche_id)) is not None:
            issue, path = by_dataset.get(fiche_id), _rel(loaded.path, root)
            task = partial(sync_dataset, context, loaded.fiche, path, diagnosis, issue)
            tasks.append((fiche_id, partial(task, earlier.get(fiche_id, []))))
    known = {item.fiche.id for item in fiches}
    if close_orphans:
        for fiche_id, issue in sorted(by_dataset.items()):
            if fiche_id not in known and issue["state"] == "open":
                tasks.append((fiche_id, partial(close_removed, context, fiche_id, issue)))
    _run_tasks(tasks, result)
    return result


def _read_diagnoses(
    store: ChecksStore, fiches: list[LoadedFiche], result: SyncResult
) -> tuple[dict[str, Diagnosis], dict[str, list[HistoryEntry]]]:
    """Each fiche's latest diagnosis and the checks before it; an unreadable one is told."""
    diagnoses: dict[str, Diagnosis] = {}
    earlier: dict[str, list[HistoryEntry]] = {}
    for item in fiches:
        fiche_id = item.fiche.id
        try:
            diagnosis = store.read_latest(fiche_id)
            if diagnosis is not None:
                history = store.read_history(fiche_id)
                earlier[fiche_id] = [h for h in history if h.checked_at < diagnosis.checked_at]
        except ValueError as error:
            result.tell(str(error), warning=True)
            result.unreadable = True
            continue
        if diagnosis is not None:
            diagnoses[fiche_id] = diagnosis
    return diagnoses, earlier


def _read_summary(checks_dir: Path, result: SyncResult) -> dict | None:
    try:
        return json.loads((checks_dir / SUMMARY).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError as error:
        result.tell(f"{checks_dir / SUMMARY}: onleesbaar ({error})", warning=True)
        result.unreadable = True
        return None


def run_sync(
    root: Path,
    checks_dir: Path,
    repo: str | None,
    api_url: str,
    token: str | None,
    site_url: str | None,
    dry_run: bool,
    now: datetime,
    listener: Callable[[Note], None] | None = None,
) -> SyncResult:
    """``datapedia issues sync``: the repository's fiches and checks against its issues.
    ``listener`` hears each note as it happens (the CLI prints them)."""
    if not repo or "/" not in repo:
        raise CannotSync(NO_REPOSITORY)
    if not token and not dry_run:
        raise CannotSync(NO_WRITE_ACCESS)
    result = SyncResult(dry_run=dry_run, listener=listener)
    loaded = load_repository(root)
    for problem in loaded.problems:
        result.tell(str(problem), warning=True)
    diagnoses, earlier = _read_diagnoses(ChecksStore(checks_dir), loaded.fiches, result)
    summary = _read_summary(checks_dir, result)
    client = GitHub(api_url, repo, token, dry_run=dry_run)
    if dry_run and not token:
        result.tell(DRY_RUN_BLIND, warning=True)
    try:
        sync(
            client,
            root,
            loaded.fiches,
            diagnoses,
            site_url,
            now,
            close_orphans=not loaded.problems,
            earlier=earlier,
            summary=summary,
            result=result,
        )
    except GitHubError as error:
        raise CannotSync(f"kan de issues niet lezen: {error}") from None
    return result
