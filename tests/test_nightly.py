"""The nightly workflow, run night after night: its `run:` steps as written, in job order.

A bare git repository plays `origin`, ``FakeGitHub`` (test_github_issues) plays the
issues API, and a local server plays the feeds. The `uses:` steps are emulated (a
checkout is a clone of the ref asked for, artifacts are folders whose names cannot be
reused within a run, Pages records what it deployed); `bash scripts/setup.sh` is
replaced by a `datapedia` on PATH that runs this checkout's package with the night's
`--now` (and `--allow-private` for `check`: the feeds are on 127.0.0.1). Expressions
are evaluated as GitHub does for `schedule` and `workflow_dispatch`; one the harness
does not know fails the test, so a new expression in nightly.yml gets taught here.

Each test injects one fault and asserts, after each night, what reached the remote,
which issues exist, what was deployed, the run's colour, and that no result was lost.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from factories import bash_step
from fakegithub import REPO, TOKEN, FakeGitHub
from faults.harness import NOW, closed_port, fiche_data, write_fiche
from localserver import LocalServer, Route

from datapedia.store.nightly import in_shard

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = yaml.safe_load((ROOT / ".github" / "workflows" / "nightly.yml").read_text("utf-8"))
JOBS = WORKFLOW["jobs"]
SHARDS = int(WORKFLOW["env"]["SHARDS"])
HEALTHY = [f"gezond-{n}" for n in ("een", "twee", "drie", "vier", "vijf", "zes")]
DOWN = "provider-plat"
PUSH_TOKEN = "ghs_PushTokenVoorDeTest0123"
REAL_GIT = shutil.which("git")

SHIM = """#!/bin/bash
# datapedia for the harness: this checkout's package, the night's clock, local feeds.
cmd="$1"; shift
case "$cmd" in
  check)
    if [ -n "${FAULT_SHARD:-}" ] && [[ " $* " == *" ${FAULT_SHARD}/"* ]]; then
      echo "shard ${FAULT_SHARD} stuk (ingespoten fout)" >&2; exit 2
    fi
    set -- "$@" --allow-private --now "$NIGHT_NOW" ;;
  build)
    if [ -n "${FAULT_BUILD:-}" ]; then echo "mkdocs stuk (ingespoten fout)" >&2; exit 2; fi
    # mkdocs itself is tested elsewhere; here the rendered pages stand in for the HTML.
    "$PYTHON" -m datapedia.cli.main build --render-only --now "$NIGHT_NOW" "$@" || exit $?
    mkdir -p public && cp -R site/generated public/ && exit 0 ;;
  merge|issues) set -- "$@" --now "$NIGHT_NOW" ;;
esac
exec "$PYTHON" -m datapedia.cli.main "$cmd" "$@"
"""

GIT_SHIM = """#!/bin/bash
# git with injected faults: failing fetches, and pushes by others just before ours.
count() { local n; n=$(cat "$1" 2>/dev/null || echo 0); echo "$n"; }
if [ "$1" = fetch ] && [ "$(count "$FAULTS/fetch-fails")" -gt 0 ]; then
  echo $(( $(count "$FAULTS/fetch-fails") - 1 )) > "$FAULTS/fetch-fails"
  echo "fatal: unable to access origin (ingespoten fout)" >&2; exit 128
fi
if [ "$1" = push ] && [ "$(count "$FAULTS/concurrent-pushes")" -gt 0 ]; then
  echo $(( $(count "$FAULTS/concurrent-pushes") - 1 )) > "$FAULTS/concurrent-pushes"
  "$FAULTS/someone-pushes.sh"
fi
# The push token must come as a header in git's own environment, never elsewhere.
if [ "$1" = fetch ] || [ "$1" = push ]; then
  echo "${GIT_CONFIG_KEY_0:-} ${GIT_CONFIG_VALUE_0:+header}" >> "$FAULTS/auth"
fi
exec "$REAL_GIT" "$@"
"""

SOMEONE_PUSHES = """#!/bin/bash
set -e
dir=$(mktemp -d)
"$REAL_GIT" clone -q "$REMOTE" "$dir"
cd "$dir"
echo "een PR van $(date +%s%N)" >> README.md
"$REAL_GIT" -c user.name=mens -c user.email=m@x add README.md
"$REAL_GIT" -c user.name=mens -c user.email=m@x commit -qm "een samengevoegde PR"
"$REAL_GIT" push -q origin HEAD:main
rm -rf "$dir"
"""


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run([REAL_GIT, *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout.strip()


# --- expressions ------------------------------------------------------------------
class Unknown(Exception):
    pass


def evaluate(expression: str, ctx: dict[str, Any]) -> Any:
    """The subset of GitHub's expression language nightly.yml uses."""
    text = expression.strip()
    if text in ("always()", "!cancelled()"):
        return True  # the harness never cancels a run
    if "&&" in text:
        return all(evaluate(part, ctx) for part in text.split("&&"))
    if "||" in text:
        for part in text.split("||"):
            if value := evaluate(part, ctx):
                return value
        return ""
    if match := re.fullmatch(r"(.+?)\s*(==|!=)\s*'([^']*)'", text):
        equal = str(evaluate(match.group(1), ctx)) == match.group(3)
        return equal if match.group(2) == "==" else not equal
    if text == "join(needs.*.result, ' ')":
        return " ".join(need["result"] for need in ctx["needs"].values())
    if re.fullmatch(r"[a-z_]+(\.[A-Za-z0-9_-]+)+", text):
        value: Any = ctx
        for part in text.split("."):
            if not isinstance(value, dict):
                raise Unknown(text)
            value = value.get(part, "")
        return value
    raise Unknown(f"de harness kent de expressie {expression!r} niet")


def fill(value: Any, ctx: dict[str, Any]) -> Any:
    if isinstance(value, str):
        whole = re.fullmatch(r"\$\{\{(.+?)\}\}", value.strip())
        if whole:
            return evaluate(whole.group(1), ctx)
        return re.sub(r"\$\{\{(.+?)\}\}", lambda m: str(evaluate(m.group(1), ctx)), value)
    if isinstance(value, dict):
        return {k: fill(v, ctx) for k, v in value.items()}
    return value


# --- one run of the workflow --------------------------------------------------------
@dataclass
class Run:
    results: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, dict] = field(default_factory=dict)
    artifacts: dict[str, Path] = field(default_factory=dict)
    deployed: Path | None = None
    logs: list[str] = field(default_factory=list)

    @property
    def green(self) -> bool:
        return self.results["uitslag"] == "success"


class Nightly:
    """A repository, its remote, the fake GitHub and the feeds: night after night."""

    def __init__(self, tmp: Path, github: FakeGitHub, feeds: LocalServer, canary: str):
        self.tmp, self.github, self.feeds, self.canary = tmp, github, feeds, canary
        self.remote = tmp / "origin.git"
        self.faults = tmp / "faults"
        self.bin = tmp / "bin"
        for folder in (self.faults, self.bin):
            folder.mkdir()
        for name, text in [("datapedia", SHIM), ("git", GIT_SHIM)]:
            (self.bin / name).write_text(text)
        (self.bin / "gh").write_text('#!/bin/bash\necho "$*" >> "$FAULTS/gh"\n')
        (self.faults / "someone-pushes.sh").write_text(SOMEONE_PUSHES)
        for path in [*self.bin.iterdir(), self.faults / "someone-pushes.sh"]:
            path.chmod(0o755)
        self.night_count = 0
        self.env: dict[str, str] = {}
        self._seed()

    def _seed(self) -> None:
        work = self.tmp / "seed"
        for rel in ("scripts/nightly-commit.sh", "scripts/site-url.sh", "mkdocs.yml"):
            (work / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / rel, work / rel)
        shutil.copytree(ROOT / "site", work / "site", ignore=shutil.ignore_patterns("generated"))
        shutil.copytree(ROOT / "schema", work / "schema")
        for fid in HEALTHY:
            write_fiche(work, self.fiche(fid, f"{self.feeds.base}/data.json"))
        write_fiche(work, self.fiche(DOWN, f"http://127.0.0.1:{closed_port()}/data.json"))
        (work / "README.md").write_text("testrepository\n")
        git("init", "-q", "--bare", "-b", "main", str(self.remote), cwd=self.tmp)
        git("init", "-q", "-b", "main", cwd=work)
        git("add", ".", cwd=work)
        git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start", cwd=work)
        git("push", "-q", str(self.remote), "HEAD:main", cwd=work)

    @staticmethod
    def fiche(fid: str, url: str) -> dict:
        distribution = {"protocol": "json", "url": url, "timestamp_field": "tijd"}
        data = fiche_data(fid, {**distribution, "id_field": "station"})
        data["owner"]["github"] = "@eigenaar"
        return data

    # -- the remote, as a reader sees it
    def show(self, path: str) -> str:
        return git("show", f"main:{path}", cwd=self.remote)

    def history(self, fid: str) -> list[datetime]:
        lines = self.show(f"checks/history/{fid}.jsonl").splitlines()
        return [datetime.fromisoformat(json.loads(line)["checked_at"]) for line in lines]

    def latest(self, fid: str) -> dict:
        return json.loads(self.show(f"checks/{fid}.json"))

    def sha(self) -> str:
        return git("rev-parse", "main", cwd=self.remote)

    def fault(self, name: str, value: int) -> None:
        (self.faults / name).write_text(f"{value}\n")

    # -- a run
    def night(self, **env: str) -> Run:
        self.night_count += 1
        self.now = NOW + timedelta(days=self.night_count)
        run = Run()
        trigger_sha = self.sha()
        for name, job in JOBS.items():
            needs = job.get("needs", [])
            needs = [needs] if isinstance(needs, str) else needs
            ctx = {
                "github": {"ref": "refs/heads/main", "run_attempt": "1", "token": TOKEN},
                "secrets": {"CHECKS_PUSH_TOKEN": PUSH_TOKEN},
                "vars": {},
                "env": dict(WORKFLOW["env"]),
                "needs": {n: {"result": run.results[n], "outputs": run.outputs[n]} for n in needs},
            }
            if "if" in job:
                runs = bool(evaluate(job["if"].strip().removeprefix("${{").removesuffix("}}"), ctx))
            else:
                runs = all(run.results[n] == "success" for n in needs)
            if not runs:
                run.results[name], run.outputs[name] = "skipped", {}
                continue
            matrix = job.get("strategy", {}).get("matrix", {}).get("shard", [None])
            # A matrix runs side by side on GitHub; so it does here.
            with ThreadPoolExecutor(len(matrix)) as pool:
                results = list(
                    pool.map(
                        lambda m: self._job(
                            name, job, {**ctx, "matrix": {"shard": m}}, run, trigger_sha, env
                        ),
                        matrix,
                    )
                )
            run.results[name] = "success" if all(results) else "failure"
        return run

    def _job(self, name, job, ctx, run: Run, trigger_sha: str, faults: dict) -> bool:
        label = f"{name}-{ctx['matrix']['shard']}" if ctx["matrix"]["shard"] else name
        ws = self.tmp / f"nacht{self.night_count}" / label
        ws.mkdir(parents=True)
        files = {k: ws.parent / f"{label}.{k}" for k in ("output", "env", "summary", "path")}
        for path in files.values():
            path.touch()
        job_env = {k: str(v) for k, v in {**ctx["env"], **fill(job.get("env", {}), ctx)}.items()}
        ctx["steps"] = {}
        for step in job["steps"]:
            ctx["env"] = job_env
            if "uses" in step:
                ok = self._uses(step, ctx, ws, run, trigger_sha)
            elif step["run"].startswith("bash scripts/setup.sh"):
                ok = True  # the harness's PATH already has datapedia
            else:
                files["output"].write_text("")
                env = {
                    "PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}",
                    "HOME": str(self.tmp),
                    "PYTHON": sys.executable,
                    "PYTHONPATH": str(ROOT),
                    "REAL_GIT": REAL_GIT,
                    "REMOTE": str(self.remote),
                    "FAULTS": str(self.faults),
                    "NIGHT_NOW": self.now.isoformat(),
                    "DATAPEDIA_CANARY": self.canary,
                    "GX_ANALYTICS_ENABLED": "false",
                    "XDG_CACHE_HOME": str(self.tmp / "cache"),
                    "GITHUB_REPOSITORY": REPO,
                    "GITHUB_REF_NAME": "main",
                    "GITHUB_API_URL": self.github.url,
                    "GITHUB_OUTPUT": str(files["output"]),
                    "GITHUB_ENV": str(files["env"]),
                    "GITHUB_STEP_SUMMARY": str(files["summary"]),
                    "GITHUB_PATH": str(files["path"]),
                    "COMMIT_BACKOFF_S": "0",  # the loop's waits, not slept in a test
                    **job_env,
                    **{k: str(v) for k, v in fill(step.get("env", {}), ctx).items()},
                    **faults,
                }
                done = bash_step(fill(step["run"], ctx), ws, env)
                run.logs.append(f"## {label}/{step.get('name')}: {done.returncode}\n"
                                f"{done.stdout}{done.stderr}")  # fmt: skip
                ok = done.returncode == 0
                for line in files["env"].read_text().splitlines():
                    key, _, value = line.partition("=")
                    job_env[key] = value
                if "id" in step:
                    outputs = dict(
                        line.split("=", 1) for line in files["output"].read_text().splitlines()
                    )
                    ctx["steps"][step["id"]] = {"outputs": outputs}
            if not ok:
                run.outputs[name] = fill(job.get("outputs", {}), ctx)
                return False
        run.outputs[name] = fill(job.get("outputs", {}), ctx)
        return True

    def _uses(self, step, ctx, ws: Path, run: Run, trigger_sha: str) -> bool:
        action = step["uses"].split("@")[0]
        given = fill(step.get("with", {}), ctx)
        if action == "actions/checkout":
            assert given["persist-credentials"] is False  # no token left in .git/config
            git("clone", "-q", str(self.remote), ".", cwd=ws)
            ref = given.get("ref") or trigger_sha
            git("checkout", "-q", ref.removeprefix("refs/heads/"), cwd=ws)
        elif action == "actions/upload-artifact" or action == "actions/upload-pages-artifact":
            name = given.get("name", "github-pages")
            source = ws / given["path"]
            if name in run.artifacts or not source.is_dir() or not any(source.iterdir()):
                return False  # artifact names are immutable within a run (409)
            run.artifacts[name] = self.tmp / "artefacten" / f"{self.night_count}-{name}"
            shutil.copytree(source, run.artifacts[name])
        elif action == "actions/download-artifact":
            for name, folder in run.artifacts.items():
                if fnmatch.fnmatch(name, given["pattern"]):
                    shutil.copytree(folder, ws / given["path"] / name)
        elif action == "actions/deploy-pages":
            run.deployed = run.artifacts["github-pages"]
        else:
            assert action == "actions/setup-python", f"de harness kent {action} niet"
        return True


def body(now) -> bytes:
    rows = [
        {"station": f"s{i}", "tijd": (now - timedelta(minutes=10 * i)).isoformat(), "waarde": i}
        for i in range(1, 4)
    ]
    return json.dumps({"results": rows}).encode()


@pytest.fixture
def nightly(tmp_path):
    github = FakeGitHub(page_size=50)
    state: dict[str, Any] = {}

    def data(_request) -> Route:
        return Route(body=body(state["nightly"].now), content_type="application/json")

    with LocalServer({"/data.json": data}) as feeds, LocalServer({}) as canary:
        state["nightly"] = Nightly(tmp_path, github, feeds, canary.url("/"))
        yield state["nightly"]
    github.server.shutdown()
    github.server.server_close()


def dataset_issues(github: FakeGitHub, fid: str) -> list[dict]:
    marker = f"<!-- datapedia:dataset={fid} -->"
    return [i for i in github.issues.values() if marker in i["body"]]


def assert_night_kept(nightly: Nightly, run: Run, ids: list[str]) -> None:
    """Tonight's line is on the remote for each of these fiches, exactly once."""
    for fid in ids:
        assert nightly.history(fid).count(nightly.now) == 1, (fid, "\n".join(run.logs))


# --- one test per fault ---------------------------------------------------------------
def test_a_quiet_night_then_the_down_provider_gets_one_issue_on_night_two(nightly):
    first = nightly.night()
    assert first.green, "\n".join(first.logs)
    assert_night_kept(nightly, first, [*HEALTHY, DOWN])
    assert nightly.latest(DOWN)["dimensions"]["availability"]["status"] == "fail"
    assert dataset_issues(nightly.github, DOWN) == []  # one failing check is no issue yet
    assert first.deployed is not None and (first.deployed / "generated").is_dir()
    summary = (nightly.tmp / "nacht1" / "site.summary").read_text(encoding="utf-8")
    assert DOWN in summary and "### " not in summary  # the table only; the rest is an artifact
    assert any(name.startswith("rapport-") for name in first.artifacts)
    second = nightly.night()
    assert second.green
    (issue,) = dataset_issues(nightly.github, DOWN)
    assert issue["state"] == "open" and "beschikbaarheid" in issue["body"]
    # the site URL of a scheduled run keeps the repository's path (scripts/site-url.sh)
    page = f"https://datapedia-vlaanderen.github.io/datapedia/generated/datasets/{DOWN}.html"
    assert page in issue["body"]
    # the push token reached git only as a header in its environment
    auth = (nightly.faults / "auth").read_text().splitlines()
    assert auth and all(line == "http.https://github.com/.extraheader header" for line in auth)
    assert PUSH_TOKEN not in "\n".join(first.logs + second.logs)
    for ws in (nightly.tmp / "nacht1").iterdir():
        if (ws / ".git" / "config").exists():
            assert PUSH_TOKEN not in (ws / ".git" / "config").read_text()


def test_concurrent_pushes_during_the_night_are_absorbed(nightly):
    nightly.fault("concurrent-pushes", 2)  # two PRs merged while the nightly pushes
    run = nightly.night()
    assert run.green, "\n".join(run.logs)
    assert_night_kept(nightly, run, [*HEALTHY, DOWN])
    log = git("log", "--format=%s", "main", cwd=nightly.remote).splitlines()
    assert log[0].startswith("Nachtelijke controle") and log.count("een samengevoegde PR") == 2
    assert run.outputs["merge"]["sha"] == nightly.sha()
    assert "<<<<<<<" not in nightly.show(f"checks/history/{DOWN}.jsonl")


def test_a_failing_pull_is_retried_and_a_lost_push_is_red(nightly):
    nightly.fault("fetch-fails", 1)
    run = nightly.night()
    assert run.green and run.outputs["merge"]["pushed"] == "true"
    assert_night_kept(nightly, run, HEALTHY)

    before = nightly.sha()
    nightly.fault("fetch-fails", 99)  # the remote stays out of reach all night
    lost = nightly.night()
    assert not lost.green and lost.results["merge"] == "failure"
    assert nightly.sha() == before  # nothing reached the remote ...
    assert lost.outputs["merge"]["pushed"] == "false"
    # ... so nothing claims otherwise: no site, no issues from results not in the repo
    assert lost.results["site"] == lost.results["issues"] == lost.results["deploy"] == "skipped"
    assert lost.deployed is None

    nightly.fault("fetch-fails", 0)
    after = nightly.night()
    assert after.green
    assert_night_kept(nightly, after, HEALTHY)


def test_a_failing_shard_keeps_the_others_and_opens_one_run_issue(nightly):
    first = nightly.night()
    broken = 2
    in_broken = [f for f in [*HEALTHY, DOWN] if in_shard(f, broken, SHARDS)]
    others = [f for f in [*HEALTHY, DOWN] if f not in in_broken]
    assert in_broken and others  # the fixture's ids spread over the shards
    yesterday = {f: nightly.latest(f) for f in in_broken}
    run = nightly.night(FAULT_SHARD=str(broken))
    assert not run.green and run.results["check"] == "failure"
    assert run.results["merge"] == "success" and run.outputs["merge"]["incomplete"] == "true"
    assert_night_kept(nightly, run, others)
    for fid in in_broken:  # yesterday's diagnosis, not re-checked, nothing invented
        assert nightly.latest(fid) == yesterday[fid]
        assert nightly.now not in nightly.history(fid)
    summary = json.loads(nightly.show("checks/summary.json"))
    assert summary["incomplete"] == {"missing_shards": [broken], "not_rechecked": sorted(in_broken)}
    assert all(not d.get("rechecked", True) for d in summary["datasets"] if d["id"] in in_broken)
    assert run.deployed is not None  # the site shows what was measured
    night_issues = [i for i in nightly.github.issues.values() if "nacht=onvolledig" in i["body"]]
    assert [i["state"] for i in night_issues] == ["open"]
    assert first.green

    healed = nightly.night()
    assert healed.green
    assert_night_kept(nightly, healed, [*HEALTHY, DOWN])
    assert [i["state"] for i in night_issues] == ["closed"]


def test_a_failing_build_still_keeps_results_and_issues_but_ends_red(nightly):
    nightly.night()
    run = nightly.night(FAULT_BUILD="1")
    assert not run.green and run.results["site"] == "failure"
    assert run.results["deploy"] == "skipped" and run.deployed is None
    assert run.results["issues"] == "success"
    assert_night_kept(nightly, run, [*HEALTHY, DOWN])
    assert len(dataset_issues(nightly.github, DOWN)) == 1


def test_an_all_down_provider_is_news_but_no_network_keeps_yesterday(nightly):
    everything = [*HEALTHY, DOWN]
    nightly.night()
    nightly.feeds.stop()  # the provider goes down: every endpoint of every shard refuses
    outage = nightly.night()
    # the canary answers, so this is news (exit 1 per shard), not "no network" (exit 2)
    assert outage.green, "\n".join(outage.logs)
    assert_night_kept(nightly, outage, everything)
    for fid in everything:
        assert nightly.latest(fid)["dimensions"]["availability"]["status"] == "fail"
    assert len(dataset_issues(nightly.github, DOWN)) == 1  # failing for two nights now

    before = {f: nightly.latest(f) for f in everything}
    nightly.canary = f"http://127.0.0.1:{closed_port()}/"  # and now no network at all
    dark = nightly.night()
    assert not dark.green and dark.results["check"] == "failure", "\n".join(dark.logs)
    assert all(nightly.latest(f) == before[f] for f in everything)  # no false outage
    summary = json.loads(nightly.show("checks/summary.json"))
    assert summary["incomplete"]["missing_shards"] == list(range(1, SHARDS + 1))
    assert summary["incomplete"]["not_rechecked"] == sorted(everything)


def test_a_hand_closed_issue_is_not_replaced(nightly):
    nightly.night()
    nightly.night()
    (issue,) = dataset_issues(nightly.github, DOWN)
    issue["state"] = "closed"  # an owner closes it: "known, working on it"
    run = nightly.night()
    assert run.green
    assert dataset_issues(nightly.github, DOWN) == [issue] and issue["state"] == "closed"
    assert_night_kept(nightly, run, [DOWN])


def test_a_rate_limited_sync_stops_cleanly_and_catches_up(nightly):
    nightly.night()
    # GitHub's clock (the Date header) says the primary limit resets in an hour
    server_now = nightly.now + timedelta(days=1)
    throttle = {
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": str(int(server_now.timestamp()) + 3600),
        "Date": format_datetime(server_now, usegmt=True),
    }
    nightly.github.throttle.append((403, throttle))
    run = nightly.night()
    assert not run.green and run.results["issues"] == "failure", "\n".join(run.logs)
    assert run.deployed is not None  # results and site are not held hostage by the API
    assert_night_kept(nightly, run, [*HEALTHY, DOWN])
    assert dataset_issues(nightly.github, DOWN) == []
    writes = [r for r in nightly.github.requests if r.method != "GET"]
    assert len(writes) == 1  # stopped at the throttle, no hammering
    after = nightly.night()
    assert after.green and len(dataset_issues(nightly.github, DOWN)) == 1


# --- merge over the shards that exist (fast, no workflow) ------------------------------
def shard_folder(tmp_path: Path, index: int, text: str | None = None) -> Path:
    folder = tmp_path / f"shard-{index}"
    folder.mkdir()
    (folder / "shard.txt").write_text(text or f"{index}/{SHARDS}\n")
    return folder


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        (["1/4", "1/4"], "twee keer"),
        (["1/3"], "hoort niet bij een nacht van 4"),
        (["5/4"], "hoort niet bij"),
        (["een/vier"], "geen geldige shard.txt"),
    ],
)
def test_merge_refuses_shard_folders_it_cannot_place(tmp_path, texts, message, capsys):
    from datapedia.cli.main import main

    (tmp_path / "fiches").mkdir()
    folders = []
    for n, text in enumerate(texts):
        (tmp_path / str(n)).mkdir()
        folders.append(shard_folder(tmp_path / str(n), 1, text))
    argv = ["--root", str(tmp_path), "merge", "--shards", str(SHARDS), *map(str, folders)]
    assert main([*argv, "--now", NOW.isoformat()]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "checks" / "summary.json").exists()


def test_a_shard_folder_without_proof_of_finishing_is_refused(tmp_path):
    from datapedia.store.nightly import MergeError, shard_of

    (tmp_path / "leeg").mkdir()
    with pytest.raises(MergeError, match="is de shard afgelopen"):
        shard_of(tmp_path / "leeg", SHARDS)
