"""Measure the real CLI on N synthetic fiches against a local feed server.

Every step runs as a subprocess of ``.venv/bin/datapedia`` (or ``mkdocs``) and is
measured from outside: wall time; peak RSS from ``os.wait4`` (the kernel's
``ru_maxrss``: the largest single process among that child and the children it
waited for); and the peak memory of all its processes together, sampled from
``/proc`` (``TreeMemory``). The numbers include interpreter start-up and imports, as a
CI job would see them.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import bench_fiches
import bench_server

from datapedia.probe.settings import TRANSPORT

REPO = Path(__file__).resolve().parents[1]
DATAPEDIA = REPO / ".venv" / "bin" / "datapedia"
MKDOCS = REPO / ".venv" / "bin" / "mkdocs"
PYTHON = REPO / ".venv" / "bin" / "python"
PROFILE_STEP = Path(__file__).resolve().parent / "profile_step.py"
# What the check process itself imports; frictionless loads in its worker, and Great
# Expectations only for samples the screen flags.
CHECK_IMPORTS = (
    "import datapedia.pipeline, datapedia.probe.runner, datapedia.judge, datapedia.probe.quality, "
    "datapedia.probe.transport, datapedia.load.fiches, datapedia.store.checks"
)
NOW = "2026-11-23T06:00:00+00:00"
STEP_TIMEOUT_S = 1800.0


@dataclass
class Step:
    name: str
    command: list[str]
    wall_s: float = 0.0
    peak_rss_mb: float = 0.0
    peak_tree_mb: float | None = None
    exit_code: int | None = None
    stdout_tail: str = ""
    stderr_tail: str = ""
    requests: dict = field(default_factory=dict)
    note: str = ""
    crashed: bool = False

    @property
    def ran(self) -> bool:
        """The command finished; exit 1 from check means 'some dataset fails', still a run."""
        return self.exit_code in (0, 1) and not self.crashed


def _tail(text: str, lines: int = 6) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


class TreeMemory:
    """Peak memory of a process and all its descendants together, sampled every 0.2 s.

    ``check`` runs in several processes (forked probing, a quality worker), so the
    largest one (``ru_maxrss``) understates it. Each process counts its proportional
    set size (PSS): pages shared after a fork count once in the sum, not per process.
    Linux only; on other systems, or where ``/proc`` is hidden, it reports None.
    """

    def __init__(self, pid: int, interval_s: float = 0.2):
        self.pid, self.interval_s = pid, interval_s
        self.peak_kb: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> float | None:
        self._stop.set()
        self._thread.join()
        return self.peak_kb / 1024 if self.peak_kb is not None else None

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            total = self._sample()
            if total is not None:
                self.peak_kb = max(self.peak_kb or 0, total)

    def _sample(self) -> int | None:
        children: dict[int, list[int]] = {}
        try:
            for stat in Path("/proc").glob("[0-9]*/stat"):
                try:
                    ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue  # the process ended while we looked
                children.setdefault(ppid, []).append(int(stat.parent.name))
        except OSError:
            return None
        total, todo = 0, [self.pid]
        while todo:
            pid = todo.pop()
            todo += children.get(pid, [])
            try:
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                continue
            total += next(
                (int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")),
                0,
            )
        return total or None


def measure(name: str, command: list[str], env: dict[str, str], cwd: Path) -> Step:
    """Run one command and measure its wall time and peak RSS (stdlib only)."""
    step = Step(name, command)
    logs = cwd / "bench-logs"
    logs.mkdir(exist_ok=True)
    out_path, err_path = logs / f"{_slug(name)}.out", logs / f"{_slug(name)}.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=cwd)
        memory = TreeMemory(process.pid)
        # A watchdog instead of Popen.wait(timeout): os.wait4 is what yields the rusage.
        watchdog = threading.Timer(STEP_TIMEOUT_S, process.kill)
        watchdog.start()
        _, status, usage = os.wait4(process.pid, 0)
        step.wall_s = time.perf_counter() - start
        step.peak_tree_mb = memory.stop()
        watchdog.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
    step.exit_code = process.returncode
    step.peak_rss_mb = usage.ru_maxrss / 1024  # Linux reports KiB
    step.stdout_tail = _tail(out_path.read_text(encoding="utf-8", errors="replace"))
    stderr = err_path.read_text(encoding="utf-8", errors="replace")
    step.stderr_tail = _tail(stderr)
    # An uncaught exception also exits 1, which for check would look like a result.
    step.crashed = "Traceback (most recent call last)" in stderr
    return step


def measure_parallel(named: list[tuple[str, list[str]]], env: dict, cwd: Path) -> list[Step]:
    """Run commands at the same time, each measured on its own."""
    results: dict[str, Step] = {}
    threads = [
        threading.Thread(target=lambda n=n, c=c: results.__setitem__(n, measure(n, c, env, cwd)))
        for n, c in named
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [results[n] for n, _ in named]


def bench_env(out: Path) -> dict[str, str]:
    # Without PYTHONDONTWRITEBYTECODE (set on the build machine): a CI runner or a
    # desk caches compiled modules, and recompiling datapedia costs ~0.15 s a step.
    env = {
        k: v
        for k, v in os.environ.items()
        if "proxy" not in k.lower() and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(
        # A parse cache of its own: validate starts cold and fills it, and check and
        # build then use it, as in the nightly job.
        XDG_CACHE_HOME=str(out / "cache"),
        GX_ANALYTICS_ENABLED="false",
        NO_PROXY="*",
        PYTHONUNBUFFERED="1",
        **{bench_fiches.TELRAAM_KEY_ENV: "bench-dummy-key"},
    )
    return env


# Deleting the previous run's repository (~15,000 files) just before measuring slowed
# every file the steps then created: ext4 without a journal (the build machine's disk)
# skips inodes freed in the last minute, scanning past each one (``recently_deleted``
# in fs/ext4/ialloc.c), and a new file cost ~1 ms instead of ~0.08 ms; check(1000)
# creates 2,000. So an old repository is set aside and deleted after the measurements,
# and a run that starts within a minute of such a deletion waits out the rest of it.
TRASH = ".bench-trash"
DELETIONS_SETTLE_S = 65  # ext4's window is 60 s once the freed inodes are on disk


def set_aside(out: Path) -> None:
    """Move a previous run's repository into the trash, to be deleted after this run."""
    if out.exists():
        trash = out.parent / TRASH
        trash.mkdir(exist_ok=True)
        out.rename(trash / f"{out.name}-{time.time_ns()}")


def empty_trash(parent: Path) -> None:
    trash = parent / TRASH
    if not trash.is_dir():
        return
    for old in trash.iterdir():
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
    os.sync()  # the freed inodes on disk: ext4's 60 s window, not 360 s
    (trash / "emptied").write_text(str(time.time()), encoding="utf-8")


def settle_deletions(parent: Path, log=print) -> float:
    """Wait until our last deletion is DELETIONS_SETTLE_S old; the seconds waited."""
    try:
        emptied = float((parent / TRASH / "emptied").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0.0
    wait = DELETIONS_SETTLE_S - (time.time() - emptied)
    if wait <= 0:
        return 0.0
    log(f"[bench] {wait:.0f} s wachten: de vorige run verwijderde net duizenden bestanden")
    time.sleep(wait)
    return wait


def prepare_repo(out: Path, n: int, base_urls: list[str], rows: int) -> list[str]:
    """A throw-away repository: the real schema/, mkdocs.yml and site/, plus N fiches."""
    notes = []
    set_aside(out)
    out.mkdir(parents=True)
    for name in ("schema", "site"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, out / name, ignore=shutil.ignore_patterns("generated"))
        else:
            notes.append(f"{name}/ ontbreekt in de repo")
    if (REPO / "mkdocs.yml").is_file():
        shutil.copy2(REPO / "mkdocs.yml", out / "mkdocs.yml")
    else:
        notes.append("mkdocs.yml ontbreekt in de repo")
    bench_fiches.write_fiches(out, n, base_urls, units=rows)
    return notes


def calibrate(server: bench_server.FeedServer, count: int, concurrency: int) -> float:
    """Wall time of a bare ``requests`` thread pool making ``count`` GETs: the floor the
    check could reach on this machine with the same client library and concurrency."""
    import requests  # the CLI's HTTP client; imported here to keep start-up light

    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=concurrency, pool_maxsize=concurrency)
    session.mount("http://", adapter)
    urls = server.base_urls()

    def get(i: int) -> int:
        url = f"{urls[i % len(urls)]}/bench/data/tellingen-{i:04d}.json"
        return len(session.get(url, timeout=30).content)

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(get, range(count)))
    elapsed = time.perf_counter() - start
    session.close()
    return elapsed


def renderer_version() -> str:
    """The renderer's code hash, which is part of every page's cache key."""
    code = "from datapedia.publish.outputs import code_version; print(code_version())"
    return subprocess.run([str(PYTHON), "-c", code], capture_output=True, text=True).stdout


def count_diagnoses(checks_dir: Path) -> int:
    return sum(1 for p in checks_dir.glob("bench-*.json"))


@dataclass
class BenchResult:
    n: int
    delay_ms: float
    concurrency: int
    per_host_concurrency: int
    hosts: int
    distributions: int
    rows: int
    steps: list[Step]
    merged_diagnoses: int | None = None
    check_diagnoses: int | None = None
    calibration_s: float | None = None
    notes: list[str] = field(default_factory=list)

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def run_bench(
    n: int,
    out: Path,
    delay_ms: float = 100.0,
    concurrency: int | None = None,
    skip_build: bool = False,
    hosts: int | None = None,
    shards: int = 2,
    profile: bool = False,
    rows: int = bench_server.UNITS,
    log=print,
) -> BenchResult:
    concurrency = concurrency or TRANSPORT.total_concurrency
    # Enough host names that per-host limits together exceed the global one twice over.
    hosts = hosts or min(32, 2 * math.ceil(concurrency / TRANSPORT.per_host_concurrency))
    now = datetime.fromisoformat(NOW)
    out = out.resolve()
    waited = settle_deletions(out.parent, log)
    server = bench_server.start_server(now, delay_ms / 1000, hosts=hosts, rows=rows)
    try:
        notes = prepare_repo(out, n, server.base_urls(), rows)
        if waited:
            notes.append(f"wachtte {waited:.0f} s op de verwijderingen van de vorige run")
        result = BenchResult(
            n=n,
            delay_ms=delay_ms,
            concurrency=concurrency,
            per_host_concurrency=TRANSPORT.per_host_concurrency,
            hosts=hosts,
            distributions=bench_fiches.distribution_count(n),
            rows=rows,
            steps=[],
            notes=notes,
        )
        env = bench_env(out)
        cli = [str(DATAPEDIA), "--root", str(out)]

        def wrap(name: str, command: list[str]) -> list[str]:
            """Under --profile, datapedia steps run through profile_step.py (slower)."""
            if not profile or command[0] != str(DATAPEDIA):
                return command
            (out / "bench-logs").mkdir(exist_ok=True)
            report = out / "bench-logs" / f"{_slug(name)}.profile.txt"
            return [str(PYTHON), str(PROFILE_STEP), str(report), "--", *command[1:]]

        probe = ["--allow-private", "--now", NOW, "--progress", "plain"]

        def run(name: str, command: list[str], counted: bool = False) -> Step:
            log(f"[bench n={n}] {name} ...")
            if counted:
                server.reset()
            step = measure(name, wrap(name, command), env, out)
            if counted:
                step.requests = server.stats()
            log(f"[bench n={n}] {name}: {step.wall_s:.2f} s, exit {step.exit_code}")
            result.steps.append(step)
            return step

        def run_shards(count: int) -> None:
            dirs = [out / "shards" / str(i) for i in range(1, count + 1)]
            log(f"[bench n={n}] {count} shards in parallel ...")
            server.reset()
            commands = []
            for i, folder in enumerate(dirs, 1):
                name = f"check shard {i}/{count}"
                shard = ["--shard", f"{i}/{count}", "--checks", str(folder)]
                commands.append((name, wrap(name, [*cli, "check", *probe, *shard])))
            steps = measure_parallel(commands, env, out)
            steps[0].requests = server.stats()  # all shards together
            result.steps.extend(steps)
            merged = out / "merged"
            run("merge", [*cli, "merge", *map(str, dirs), "--checks", str(merged)])
            result.merged_diagnoses = count_diagnoses(merged)

        run("validate", [*cli, "validate"])
        run("check", [*cli, "check", *probe, "--checks", str(out / "checks")], counted=True)
        result.check_diagnoses = count_diagnoses(out / "checks")
        # The fixed cost every check pays whatever N: importing what it uses.
        run("import check modules", [str(PYTHON), "-c", CHECK_IMPORTS])
        requests_made = (result.step("check").requests or {}).get("total", 0)
        if requests_made:
            log(f"[bench n={n}] calibration: bare requests pool, {requests_made} GETs ...")
            result.calibration_s = calibrate(server, requests_made, concurrency)

        if shards:
            run_shards(shards)
        if not skip_build:
            renderer = renderer_version()
            run("build --render-only", [*cli, "build", "--render-only", "--now", NOW])
            if (out / "mkdocs.yml").is_file():
                run(
                    "mkdocs build",
                    [
                        str(MKDOCS),
                        "build",
                        "-q",
                        "-f",
                        str(out / "mkdocs.yml"),
                        "-d",
                        str(out / "public"),
                    ],
                )
            bench_fiches.touch_description(out, 1, "Gewijzigd voor de incrementele build.")
            run(
                "build --render-only (1 fiche gewijzigd)",
                [*cli, "build", "--render-only", "--now", NOW],
            )
            if renderer_version() != renderer:
                # Every page's key includes the renderer's code: an edit to it in the working
                # tree during the run makes the second build a full one.
                result.notes.append(
                    "De renderer (render.py, plots.py, templates, ...) veranderde tijdens de run: "
                    "de incrementele meting is een volledige herbouw en telt niet."
                )
        return result
    finally:
        server.stop()
        empty_trash(out.parent)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def cpu_probe(iterations: int = 5_000_000) -> float:
    """Seconds for a fixed pure-Python loop. On the build machine the same loop's time
    varied by up to 70 % within minutes: runs are compared with this beside them."""
    start = time.perf_counter()
    total = 0
    for i in range(iterations):
        total += i
    return time.perf_counter() - start


def machine_info(command: str) -> list[str]:
    """What the numbers depend on, for RESULTS.md; taken when the run starts."""
    meminfo = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no", "datapedia"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    python = subprocess.run([str(PYTHON), "-V"], capture_output=True, text=True).stdout.strip()
    return [
        f"- started: {datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- machine: {os.cpu_count()} CPU, {int(meminfo) / 1024 / 1024:.1f} GiB RAM, {python}",
        f"- load average at the start: {load_average()}",
        f"- CPU probe at the start (fixed pure-Python loop; lower is faster): {cpu_probe():.2f} s",
        f"- code: commit {commit}" + (" with uncommitted changes in datapedia/" if dirty else ""),
        f"- command: `{command}`",
    ]


# --- report ---------------------------------------------------------------------


def _fmt(value: float | None, unit: str = "", digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}{unit}"


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def ratios(result: BenchResult) -> list[tuple[str, str, str]]:
    """(what, measured, verdict) rows; a target whose step did not run is n/a."""
    delay = result.delay_ms / 1000
    check, validate = result.step("check"), result.step("validate")
    render, mkdocs = result.step("build --render-only"), result.step("mkdocs build")
    requests = (check.requests or {}).get("total") if check else None
    check_ok = bool(check and check.ran and requests)
    serial = requests * delay if requests else None
    ideal = requests / result.concurrency * delay if requests else None
    check_memory = check.peak_tree_mb if check and check.ran else None
    rows = [
        ("requests the server answered during check", str(requests or "n/a"), ""),
        (
            "peak concurrent requests seen by the server",
            str((check.requests or {}).get("max_inflight", "n/a")) if check else "n/a",
            f"limit {result.concurrency}",
        ),
        ("serial sum of delays (requests x delay)", _fmt(serial, " s"), ""),
        (f"ideal (requests / {result.concurrency} x delay)", _fmt(ideal, " s"), ""),
        (
            f"floor: bare requests pool, same number of GETs, {result.concurrency} threads",
            _fmt(result.calibration_s, " s"),
            _fmt(
                result.calibration_s / ideal if result.calibration_s and ideal else None, "x ideal"
            ),
        ),
        (
            "check / ideal (target <= 2, at n=1000)",
            _fmt(check.wall_s / ideal if check_ok else None, "x"),
            _verdict(check.wall_s <= 2 * ideal if check_ok else None),
        ),
        (
            "serial / check (target >= 20, at n=1000)",
            _fmt(serial / check.wall_s if check_ok else None, "x"),
            _verdict(serial / check.wall_s >= 20 if check_ok else None),
        ),
        (
            "validate wall time (target < 2 s, at n=1000)",
            _fmt(validate.wall_s if validate and validate.ran else None, " s"),
            _verdict(validate.wall_s < 2 if validate and validate.ran else None),
        ),
    ]
    both = render and mkdocs and render.ran and mkdocs.ran
    rows.append(
        (
            "rendering / mkdocs build (target < 10%, at n=1000)",
            _fmt(100 * render.wall_s / mkdocs.wall_s if both else None, " %", 1),
            _verdict(render.wall_s < 0.1 * mkdocs.wall_s if both else None),
        )
    )
    rows.append(
        (
            "check peak memory, all its processes (target < 500 MB, at n=10000)",
            _fmt(check_memory, " MB", 0),
            _verdict(check_memory < 500 if check_memory is not None else None),
        )
    )
    rows.append(
        (
            "diagnoses written by check / merged from shards",
            f"{result.check_diagnoses} / {result.merged_diagnoses}",
            _verdict(result.merged_diagnoses == result.n if result.merged_diagnoses else None),
        )
    )
    return rows


def _step_note(step: Step) -> str:
    if step.note:
        return step.note
    text = step.stdout_tail.splitlines()[-1] if step.stdout_tail else ""
    if not step.ran:
        err = step.stderr_tail.splitlines()[-1] if step.stderr_tail else ""
        text = f"{'crash' if step.crashed else 'error'}: {err or text}"
    return re.sub(r"\s+", " ", text.replace("|", "/"))[:140]


def markdown(result: BenchResult) -> str:
    lines = [
        f"### n = {result.n} fiches, {result.distributions} distributions, "
        f"{result.rows} rows per feed, delay {result.delay_ms:g} ms, "
        f"{result.hosts} loopback hosts, "
        f"concurrency {result.concurrency} (per host {result.per_host_concurrency})",
        "",
        "| step | wall (s) | peak RSS (MB) | peak PSS, all processes (MB) | exit | requests "
        "| last line of output |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for step in result.steps:
        requests = step.requests.get("total", "") if step.requests else ""
        lines.append(
            f"| {step.name} | {step.wall_s:.2f} | {step.peak_rss_mb:.0f} "
            f"| {_fmt(step.peak_tree_mb, '', 0)} | {step.exit_code} "
            f"| {requests} | {_step_note(step)} |"
        )
    lines += ["", "| ratio / target | measured | verdict |", "|---|---:|---|"]
    lines += [f"| {what} | {value} | {verdict} |" for what, value, verdict in ratios(result)]
    if result.notes:
        lines += ["", *(f"- {note}" for note in result.notes)]
    return "\n".join(lines) + "\n"
