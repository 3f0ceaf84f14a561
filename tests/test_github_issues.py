"""`datapedia issues sync` against a fake GitHub REST API on 127.0.0.1 that records requests."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import factories
import pytest
import yaml
from factories import SCHEMA_LINE
from fakegithub import REPO, TOKEN, FakeGitHub

from datapedia.cli.main import main
from datapedia.github import client as github_client
from datapedia.github.issues import CannotSync, run_sync
from datapedia.model.results import Diagnosis, Dimension, DimensionResult, Status
from datapedia.store.checks import ChecksStore

SITE = "https://datapedia.example/"
NIGHT1 = datetime(2026, 11, 22, 3, 17, tzinfo=UTC)
NIGHT0 = NIGHT1 - timedelta(days=1)
NIGHT2 = NIGHT1 + timedelta(days=1)


@pytest.fixture(autouse=True)
def sleeps(monkeypatch) -> list[float]:
    """The sync's pauses, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(github_client.time, "sleep", slept.append)
    return slept


@pytest.fixture
def github():
    fake = FakeGitHub()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def write_fiche(root: Path, fiche_id: str, github_handle: str | None) -> None:
    owner = {"name": "Vlaamse Milieumaatschappij", "contact": {"email": "data@vmm.be"}}
    if github_handle:
        owner["github"] = github_handle
    factories.write_fiche(root, id=fiche_id, title=f"Titel {fiche_id}", owner=owner)


def diagnosis(fiche_id: str, when: datetime, failing: bool, available: bool = True) -> Diagnosis:
    timeliness = (
        DimensionResult(
            status=Status.fail,
            summary="Verouderd: nieuwste waarneming is 9 dagen oud.",
            evidence={"age_days": 9, "newest": "2026-11-13T00:00:00+00:00"},
            findings=["ACT-03"],
        )
        if failing
        else DimensionResult(status=Status.ok, summary="Vers.", findings=["ACT-01"])
    )
    return Diagnosis.build(
        fiche_id,
        when,
        {
            Dimension.availability: DimensionResult(status=Status.ok, summary="Antwoordt.")
            if available
            else DimensionResult(status=Status.fail, summary="Onbereikbaar.", findings=["BES-02"]),
            Dimension.timeliness: timeliness,
            Dimension.completeness: DimensionResult(status=Status.ok, summary="Volledig."),
            Dimension.coverage: DimensionResult(status=Status.ok, summary="Alle meetpunten."),
        },
    )


def night(checks: Path, when: datetime, **failing: bool) -> None:
    tx = ChecksStore(checks).begin()
    for fiche_id, fails in failing.items():
        tx.add(diagnosis(fiche_id.replace("_", "-"), when, fails))
    tx.commit()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    write_fiche(tmp_path, "waterstanden", "@jan-peeters")
    write_fiche(tmp_path, "afvoer", "@datapedia-vlaanderen/vmm")
    write_fiche(tmp_path, "zonder-eigenaar", None)
    # The night before every test failed too: an issue needs two failing checks in a row.
    night(tmp_path / "checks", NIGHT0, waterstanden=True, afvoer=True, zonder_eigenaar=True)
    return tmp_path


def sync(
    root: Path, github: FakeGitHub, now: datetime = NIGHT2, dry_run=False, api_url=None
) -> int:
    """`datapedia issues sync` as the nightly runs it; its exit code."""
    argv = ["--root", str(root), "issues", "sync", "--repo", REPO, "--site-url", SITE]
    argv += ["--api-url", api_url or github.url, "--now", now.isoformat()]
    return main([*argv, "--dry-run"] if dry_run else argv)


def first_issue(repo: Path, github: FakeGitHub) -> tuple[Path, int]:
    """waterstanden fails a second night in a row: its issue, opened by the sync."""
    night(repo / "checks", NIGHT1, waterstanden=True)
    sync(repo, github)
    (number,) = github.issues
    return repo / "checks", number


def issues_path(*rest) -> str:
    return "/".join([f"/repos/{REPO}/issues", *map(str, rest)])


def test_new_failure_opens_exactly_one_issue(repo, github):
    night(repo / "checks", NIGHT1, waterstanden=True, afvoer=False)
    assert sync(repo, github) == 0
    writes = github.writes()
    assert [(w.method, w.path) for w in writes] == [("POST", issues_path())]
    sent = writes[0].body
    assert sent["labels"] == ["datapedia", "dimensie:timeliness"]
    assert sent["assignees"] == ["jan-peeters"]
    assert sent["body"].startswith("<!-- datapedia:dataset=waterstanden -->\n")
    assert f"<!-- datapedia:checked_at={NIGHT1.isoformat()} -->" in sent["body"]
    assert "Titel waterstanden" in sent["title"] and "actualiteit" in sent["title"]
    assert "`ACT-03`" in sent["body"] and '"age_days": 9' in sent["body"]
    assert "https://datapedia.example/generated/datasets/waterstanden.html" in sent["body"]
    assert "fiches/water/waterstanden.yml" in sent["body"]
    for request in github.requests:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert request.headers["Accept"] == "application/vnd.github+json"
        assert request.headers["X-GitHub-Api-Version"] == "2022-11-28"
    listing = github.requests[0]
    # matched by marker, open or closed: a removed label or a closed issue is no reason
    # for a duplicate
    assert (listing.method, listing.query["state"], "labels" in listing.query) == (
        "GET",
        "all",
        False,
    )


def test_a_steady_failure_comments_only_on_change_and_once_a_week(repo, github):
    checks = repo / "checks"
    night(checks, NIGHT1, waterstanden=True)
    assert sync(repo, github) == 0
    assert sync(repo, github) == 0  # the same night again: nothing new
    assert len(github.writes()) == 1
    (number,) = github.issues
    for day in range(1, 7):  # the same diagnosis for six more nights: silence
        night(checks, NIGHT1 + timedelta(days=day), waterstanden=True)
        assert sync(repo, github, now=NIGHT1 + timedelta(days=day)) == 0
    assert len(github.writes()) == 1
    week = NIGHT1 + timedelta(days=7)
    night(checks, week, waterstanden=True)
    assert sync(repo, github, now=week) == 0
    writes = github.writes()[1:]
    assert [(w.method, w.path) for w in writes] == [("POST", issues_path(number, "comments"))]
    assert writes[0].body["body"].count("Herinnering") == 1
    assert f"<!-- datapedia:checked_at={week.isoformat()} -->" in writes[0].body["body"]
    assert sync(repo, github, now=week) == 0
    assert len(github.issues) == 1 and len(github.comments[number]) == 1


def test_a_single_failing_check_opens_nothing(repo, github, capsys):
    night(repo / "checks", NIGHT1, waterstanden=False)
    night(repo / "checks", NIGHT2, waterstanden=True)
    assert sync(repo, github) == 0
    assert github.writes() == []
    assert "eerste mislukte controle" in capsys.readouterr().out


def test_hand_closed_issue_stays_closed_until_the_diagnosis_changes(repo, github):
    checks, number = first_issue(repo, github)
    github.issues[number]["state"] = "closed"  # a person closes it; the feed is still stale
    github.issues[number]["labels"] = []  # and removes the label
    night(checks, NIGHT2, waterstanden=True)
    assert sync(repo, github) == 0
    assert len(github.writes()) == 1 and github.issues[number]["state"] == "closed"
    later = NIGHT2 + timedelta(days=1)
    tx = ChecksStore(checks).begin()
    tx.add(diagnosis("waterstanden", later, failing=True, available=False))
    tx.commit()
    assert sync(repo, github, now=later) == 0
    assert list(github.issues) == [number]  # reopened, never a second issue
    assert github.issues[number]["state"] == "open"
    assert "beschikbaarheid" in github.comments[number][-1]["body"]


def test_a_flapping_dataset_reopens_its_issue_after_two_failures(repo, github):
    checks, number = first_issue(repo, github)
    days = [NIGHT1 + timedelta(days=d) for d in range(1, 4)]
    night(checks, days[0], waterstanden=False)
    sync(repo, github, now=days[0])
    assert github.issues[number]["state"] == "closed"
    night(checks, days[1], waterstanden=True)  # one failure: a hiccup, nothing yet
    sync(repo, github, now=days[1])
    assert github.issues[number]["state"] == "closed"
    night(checks, days[2], waterstanden=True)  # the same failure as before, twice now
    sync(repo, github, now=days[2])
    assert list(github.issues) == [number] and github.issues[number]["state"] == "open"


@pytest.mark.parametrize(
    ("label", "silent"),
    [("gedempt", True), ("gedempt tot 2026-12-31", True), ("gedempt tot 2026-11-01", False)],
)
def test_a_muted_issue_gets_no_comments_until_its_end_date(repo, github, label, silent):
    checks, number = first_issue(repo, github)
    github.issues[number]["labels"].append({"name": label})
    tx = ChecksStore(checks).begin()
    tx.add(diagnosis("waterstanden", NIGHT2, failing=True, available=False))
    tx.commit()
    assert sync(repo, github) == 0
    assert (github.comments[number] == []) is silent
    night(checks, NIGHT2 + timedelta(days=1), waterstanden=False)
    sync(repo, github, now=NIGHT2 + timedelta(days=1))
    assert github.issues[number]["state"] == "closed"  # recovery closes a muted issue too


def test_an_unmeasured_night_never_closes_an_issue(repo, github):
    checks = repo / "checks"
    night(checks, NIGHT1, waterstanden=True)
    sync(repo, github)
    not_judged = diagnosis("waterstanden", NIGHT2, failing=False)
    # probe: false or a missing key: measured dimensions unknown, the rest fine
    for dimension in (Dimension.availability, Dimension.timeliness):
        not_judged.dimensions[dimension] = DimensionResult(summary="Niet gemeten.")
    rebuilt = Diagnosis.build("waterstanden", NIGHT2, not_judged.dimensions)
    assert rebuilt.verdict.value == "niet_beoordeeld"
    tx = ChecksStore(checks).begin()
    tx.add(rebuilt)
    tx.commit()
    assert sync(repo, github) == 0
    assert len(github.writes()) == 1 and github.issues[1]["state"] == "open"


def test_references_and_urls_in_fiche_text_are_inert(repo, github):
    path = repo / "fiches" / "water" / "waterstanden.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["title"] = "Zie #1, org/repo#3, GH-2 en https://phish.example/login"
    path.write_text(SCHEMA_LINE + yaml.safe_dump(data), encoding="utf-8")
    night(repo / "checks", NIGHT1, waterstanden=True)
    assert sync(repo, github) == 0
    body = github.writes()[0].body["body"]
    for raw in ("#1", "repo#3", "GH-2", "https://phish", "phish.example/login)"):
        assert raw not in body
    assert "#\u20601" in body and "https:\u2060//phish.example" in body


def test_an_incomplete_night_keeps_one_issue_until_a_full_night(repo, github):
    checks = repo / "checks"
    night(checks, NIGHT1)
    summary = {"checked_at": NIGHT1.isoformat(), "exit_code": 1, "counts": {}, "datasets": []}
    incomplete = {"missing_shards": [2], "not_rechecked": ["afvoer"]}
    (checks / "summary.json").write_text(json.dumps({**summary, "incomplete": incomplete}))
    assert sync(repo, github) == 0 and sync(repo, github) == 0
    (number,) = github.issues
    issue = github.issues[number]
    assert issue["title"] == "Nachtelijke controle onvolledig"
    assert "shard 2." in issue["body"] and "1 dataset: `afvoer`" in issue["body"]
    summary["checked_at"] = NIGHT2.isoformat()
    (checks / "summary.json").write_text(json.dumps(summary))
    assert sync(repo, github) == 0
    assert issue["state"] == "closed" and "weer volledig" in github.comments[number][-1]["body"]
    summary["checked_at"] = (NIGHT2 + timedelta(days=1)).isoformat()
    (checks / "summary.json").write_text(json.dumps({**summary, "incomplete": incomplete}))
    assert sync(repo, github) == 0
    assert list(github.issues) == [number] and issue["state"] == "open"


def test_recovery_comments_and_closes(repo, github):
    checks, number = first_issue(repo, github)
    night(checks, NIGHT2, waterstanden=False)
    assert sync(repo, github) == 0
    comment, close = github.writes()[1:]
    assert (comment.method, comment.path) == ("POST", issues_path(number, "comments"))
    assert comment.body["body"].count("Hersteld") == 1
    assert (close.method, close.path) == ("PATCH", issues_path(number))
    assert close.body == {"state": "closed", "state_reason": "completed"}
    assert github.issues[number]["state"] == "closed"
    assert sync(repo, github) == 0 and len(github.writes()) == 3


def test_unknown_overall_is_not_a_recovery(repo, github):
    checks = repo / "checks"
    night(checks, NIGHT1, waterstanden=True)
    sync(repo, github)
    tx = ChecksStore(checks).begin()
    tx.add(Diagnosis.build("waterstanden", NIGHT2, {}))
    tx.commit()
    assert sync(repo, github) == 0
    assert len(github.writes()) == 1


def test_team_handle_is_mentioned_not_assigned(repo, github):
    night(repo / "checks", NIGHT1, afvoer=True)
    sync(repo, github)
    sent = github.writes()[0].body
    assert sent["assignees"] == []
    assert "@datapedia-vlaanderen/vmm" in sent["body"]
    assert "geen-eigenaar" not in sent["labels"]


def test_dataset_without_owner_handle_is_reported_clearly(repo, github, capsys):
    night(repo / "checks", NIGHT1, zonder_eigenaar=True)
    assert sync(repo, github) == 0
    sent = github.writes()[0].body
    assert sent["labels"] == ["datapedia", "dimensie:timeliness", "geen-eigenaar"]
    assert sent["assignees"] == []
    err = capsys.readouterr().err
    assert "waarschuwing: fiches/water/zonder-eigenaar.yml heeft geen owner.github" in err


def test_issue_on_a_later_page_is_found_and_pull_requests_ignored(repo, github):
    github.add_issue("<!-- datapedia:dataset=iets-anders -->")
    github.add_issue("<!-- datapedia:dataset=waterstanden -->", pull_request=True)
    github.add_issue("zonder marker")
    github.add_issue("gewoon issue", labels=("bug",))
    existing = github.add_issue(
        "<!-- datapedia:dataset=waterstanden -->\n<!-- datapedia:checked_at=oud -->"
    )
    write_fiche(repo, "iets-anders", "@x")
    night(repo / "checks", NIGHT1, waterstanden=True)
    assert sync(repo, github) == 0
    pages = [r for r in github.requests if r.path == issues_path() and r.method == "GET"]
    assert len(pages) == 3  # five issues, two a page: all states, every label
    assert [(w.method, w.path) for w in github.writes()] == [
        ("POST", issues_path(existing, "comments")),
        ("PATCH", issues_path(existing)),  # it lacked its dimensie:timeliness label
    ]


def test_issue_of_removed_fiche_is_closed(repo, github):
    gone = github.add_issue("<!-- datapedia:dataset=opgeheven -->")
    assert sync(repo, github) == 0
    comment, close = github.writes()
    assert (
        comment.path == issues_path(gone, "comments")
        and "bestaat niet meer" in comment.body["body"]
    )
    assert close.body["state"] == "closed"


def test_api_error_for_one_dataset_does_not_stop_the_others(repo, github, capsys):
    github.fail_titles.add("Titel afvoer")
    night(repo / "checks", NIGHT1, afvoer=True, waterstanden=True)
    assert sync(repo, github) == 1
    created = [i["title"] for i in github.issues.values()]
    assert len(created) == 1 and "Titel waterstanden" in created[0]
    captured = capsys.readouterr()
    assert "fout bij 'afvoer'" in captured.err and "HTTP 500" in captured.err


def test_unassignable_owner_still_gets_an_issue(repo, github, capsys):
    github.unassignable.add("jan-peeters")
    night(repo / "checks", NIGHT1, waterstanden=True)
    assert sync(repo, github) == 0
    first, second = github.writes()
    assert first.body["assignees"] == ["jan-peeters"] and second.body["assignees"] == []
    assert len(github.issues) == 1
    assert "kan niet toegewezen worden" in capsys.readouterr().err


def test_token_never_appears_in_output(repo, github, capsys):
    github.fail_titles.add("Titel")  # the fake echoes the Authorization header in its error
    night(repo / "checks", NIGHT1, waterstanden=True, afvoer=True)
    assert sync(repo, github) == 1
    # and a connection error: nothing listens on this port any more
    dead = FakeGitHub()
    dead.server.shutdown()
    dead.server.server_close()
    assert sync(repo, github, api_url=dead.url) == 2
    captured = capsys.readouterr()
    assert "boom for Bearer ***" in captured.err
    assert TOKEN not in captured.out + captured.err
    assert TOKEN[4:12] not in captured.out + captured.err


def test_missing_token_exits_2_without_calling_the_api(repo, github, monkeypatch, capsys):
    monkeypatch.delenv("GITHUB_TOKEN")
    night(repo / "checks", NIGHT1, waterstanden=True)
    assert sync(repo, github) == 2
    assert github.requests == []
    assert "GITHUB_TOKEN ontbreekt" in capsys.readouterr().err


def test_dry_run_without_token_changes_nothing(repo, github, monkeypatch, capsys):
    monkeypatch.delenv("GITHUB_TOKEN")
    night(repo / "checks", NIGHT1, waterstanden=True)
    assert sync(repo, github, dry_run=True) == 0
    assert github.requests == []
    assert "waterstanden: droog, zou een issue openen" in capsys.readouterr().out


def test_cli_wires_repo_and_api_url(repo, github, capsys):
    night(repo / "checks", NIGHT1, waterstanden=True)
    argv = ["--root", str(repo), "issues", "sync", "--repo", REPO, "--api-url", github.url]
    assert main([*argv, "--site-url", SITE, "--now", NIGHT2.isoformat()]) == 0
    assert len(github.issues) == 1
    assert "1 geopend" in capsys.readouterr().out


def test_labels_follow_the_failing_dimensions_and_keep_manual_ones(repo, github):
    checks, number = first_issue(repo, github)
    github.issues[number]["labels"].append({"name": "prioriteit"})
    tx = ChecksStore(checks).begin()
    tx.add(diagnosis("waterstanden", NIGHT2, failing=False, available=False))
    tx.commit()
    assert sync(repo, github) == 0
    comment, relabel = github.writes()[1:]
    assert "beschikbaarheid" in comment.body["body"]
    assert (relabel.method, relabel.path) == ("PATCH", issues_path(number))
    assert relabel.body == {"labels": ["datapedia", "prioriteit", "dimensie:availability"]}
    assert sync(repo, github) == 0 and len(github.writes()) == 3  # nothing left to change


def test_missing_repository_exits_2(repo, github, monkeypatch, capsys):
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    argv = ["--root", str(repo), "issues", "sync", "--api-url", github.url]
    assert main([*argv, "--now", NIGHT2.isoformat()]) == 2
    assert github.requests == []
    assert "--repo" in capsys.readouterr().err
    with pytest.raises(CannotSync, match="--repo"):
        run_sync(repo, repo / "checks", "geen-slash", github.url, TOKEN, SITE, False, NIGHT2)
    assert github.requests == []


def test_the_library_returns_what_it_did_and_prints_nothing(repo, github, capsys):
    night(repo / "checks", NIGHT1, waterstanden=True, afvoer=False, zonder_eigenaar=False)
    night(repo / "checks", NIGHT2, zonder_eigenaar=True)  # its first failure after a pass
    heard = []
    result = run_sync(
        repo, repo / "checks", REPO, github.url, TOKEN, SITE, False, NIGHT2, heard.append
    )
    assert capsys.readouterr() == ("", "")
    assert (result.opened, result.commented, result.closed) == ([1], [], [])
    assert result.skipped == ["zonder-eigenaar"]  # a first failure: no issue yet
    assert result.complete and not result.dry_run
    assert heard == result.notes
    assert [n.text for n in result.notes] == [
        "waterstanden: issue #1 geopend",
        "zonder-eigenaar: eerste mislukte controle; een issue volgt als de volgende faalt",
    ]
    assert result.warnings == []


def test_writes_are_spaced_and_a_throttle_is_waited_out(repo, github, sleeps):
    github.throttle.append((429, {"Retry-After": "7"}))
    night(repo / "checks", NIGHT1, waterstanden=True, afvoer=True)
    assert sync(repo, github) == 0
    assert len(github.issues) == 2
    # throttled: wait 7 s, then the retry and the second issue each keep a second apart
    assert sleeps == [7.0, 1.0, 1.0]


def test_a_throttle_longer_than_allowed_stops_the_sync_cleanly(repo, github, sleeps, capsys):
    github.throttle += [(403, {"Retry-After": "3600"})]
    night(repo / "checks", NIGHT1, waterstanden=True, afvoer=True)
    assert sync(repo, github) == 1
    assert 3600.0 not in sleeps and github.issues == {}
    assert len(github.writes()) == 1  # stopped: no hammering on with the next dataset
    captured = capsys.readouterr()
    assert "HTTP 403" in captured.err and "gestopt" in captured.out


def test_primary_limit_waits_for_its_reset_by_the_servers_clock(repo, github, sleeps):
    date = "Sun, 22 Nov 2026 03:17:00 GMT"
    reset = str(int(NIGHT1.timestamp()) + 30)
    github.throttle.append(
        (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset, "Date": date})
    )
    night(repo / "checks", NIGHT1, waterstanden=True)
    assert sync(repo, github) == 0
    assert sleeps == [30.0, 1.0] and len(github.issues) == 1  # the reset, then the retry


def test_secondary_limit_without_retry_after_waits_a_minute_once(repo, github, sleeps, capsys):
    github.throttle += [(403, {}), (403, {})]
    night(repo / "checks", NIGHT1, waterstanden=True, afvoer=True)
    assert sync(repo, github) == 1
    assert sleeps == [60.0, 1.0] and github.issues == {}  # waited, retried once, stopped
    assert "limiet van GitHub" in capsys.readouterr().err


def test_the_write_cap_stops_the_night_and_the_next_night_continues(
    repo, github, monkeypatch, capsys
):
    monkeypatch.setattr(github_client, "MAX_WRITES", 1)
    night(repo / "checks", NIGHT1, waterstanden=True, afvoer=True)
    assert sync(repo, github) == 1
    assert len(github.issues) == 1
    assert "schrijfacties bereikt" in capsys.readouterr().err
    assert sync(repo, github) == 0  # a new night, a new budget: the second issue
    assert len(github.issues) == 2
