"""A throw-away repository, the fault servers and one pipeline run around a fault.

Every feed fault runs the real pipeline (``run_check``) on three fiches served by one
local server: two healthy ones and the faulty one. Around the run it snapshots the
temporary tree, pre-seeds ``checks/`` with a previous night and remembers the secrets,
so each test can assert that the fault stayed contained.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import factories
import yaml
from localserver import LocalServer, Route

from datapedia.model.results import Diagnosis, Dimension, DimensionResult, Status
from datapedia.probe import transport as net
from datapedia.probe.transport import addresses
from datapedia.store.checks import ChecksStore

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
YESTERDAY = NOW - timedelta(days=1)
SCHEMA_LINE = "# yaml-language-server: $schema=../../schema/fiche.schema.json\n"
JSON = "application/json"

# Small timeouts, one quick retry and a small size cap keep every fault well under a second
# or two; the numbers the diagnosis judges by stay the published ones.
FAST = net.TransportSettings(
    connect_timeout_s=1.0,
    read_timeout_s=0.5,
    total_timeout_s=2.5,
    retries=1,
    backoff_s=0.01,
    max_redirects=3,
    max_bytes=256 * 1024,
    memory_bytes=64 * 1024,  # bodies above this are spooled to disk (see the large-body faults)
)

# Fake keys: they must be sent to the local server and never appear in any output.
TELRAAM_ENV, TELRAAM_SECRET = "TELRAAM_API_KEY", "sk-test-SECRET-123"
HEALTHY_ENV, HEALTHY_SECRET = "GEZOND_API_KEY", "sk-test-SECRET-456"
SECRETS = (TELRAAM_SECRET, HEALTHY_SECRET)

# Names the patched resolver answers itself; no DNS query ever leaves for them.
PUBLIC_NAME = "publiek.datapedia.test"  # "public" but served by the local server
PRIVATE_NAME = "intern.datapedia.test"  # resolves to a private address
PRIVATE_IP = "10.0.0.7"

HEALTHY_IDS = ("gezond-json", "gezond-sleutel")
FAULT_ID = "defecte-feed"


def fiche_data(fiche_id: str, distribution: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """A valid fiche (open licence, documented, a claimed standard with evidence)."""
    fault = {
        "id": fiche_id,
        "title": f"Dataset {fiche_id}",
        "description": "Een dataset voor de fault-injectietests.",
        "update_frequency": "PT1H",
        "distributions": [{"title": "Eindpunt", "format": JSON, "download": True, **distribution}],
    }
    return factories.fiche_data(**(fault | overrides))


def write_secret_hosts(root: Path) -> None:
    """The maintainers' map: the test keys may go to the local server only."""
    path = root / "config" / "geheimen.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    hosts = {name: ["127.0.0.1"] for name in (TELRAAM_ENV, HEALTHY_ENV)}
    path.write_text(yaml.safe_dump(hosts), encoding="utf-8")


def write_fiche(root: Path, data: dict[str, Any]) -> Path:
    return factories.write_fiche_data(root, data)


def healthy_json_body() -> bytes:
    rows = [
        {"station": f"s{i}", "tijd": (NOW - timedelta(minutes=10 * i)).isoformat(), "waarde": i}
        for i in range(1, 4)
    ]
    return json.dumps({"results": rows}).encode()


def healthy_fiches(base: str) -> list[dict[str, Any]]:
    units = {"expected_units": {"count": 3}}
    return [
        fiche_data(
            HEALTHY_IDS[0],
            {"protocol": "json", "url": f"{base}/gezond/data.json", "timestamp_field": "tijd",
             "id_field": "station"},
            **units,
        ),
        fiche_data(
            HEALTHY_IDS[1],
            {
                "protocol": "json",
                "url": f"{base}/gezond/sleutel.json",
                "timestamp_field": "tijd",
                "id_field": "station",
                "auth": {"kind": "api-key", "env": HEALTHY_ENV, "param": "api_key",
                         "documentation": "https://example.org/sleutel"},
            },
            **units,
        ),
    ]  # fmt: skip


def healthy_routes() -> dict[str, Route]:
    body = healthy_json_body()
    return {
        "/gezond/data.json": Route(body=body, content_type=JSON),
        "/gezond/sleutel.json": Route(body=body, content_type=JSON),
    }


def seed_previous_night(checks_dir: Path, ids: list[str]) -> dict[str, bytes]:
    """One committed night per fiche; returns each history file's first line (bytes)."""
    store = ChecksStore(checks_dir)
    tx = store.begin()
    for fid in ids:
        dims = {
            d: DimensionResult(status=Status.ok, summary="Gisteren in orde.") for d in Dimension
        }
        tx.add(Diagnosis.build(fid, YESTERDAY, dims))
    tx.add_summary({"checked_at": YESTERDAY.isoformat(), "exit_code": 0})
    tx.commit()
    return {fid: store.history_path(fid).read_bytes() for fid in ids}


def tree(root: Path, exclude: str | None = None) -> dict[str, str]:
    """Every file under ``root`` (but ``exclude``) with a hash of its content."""
    found = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if exclude and (rel == exclude or rel.startswith(exclude + "/")):
            continue
        if path.is_symlink() or path.is_file():
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "->"
        else:
            found[rel + "/"] = ""
    return found


def leaks(texts: dict[str, bytes], forbidden: tuple[str, ...]) -> list[str]:
    """Where any forbidden string (or its %-encoded form) shows up."""
    from urllib.parse import quote

    found = []
    for name, data in texts.items():
        for secret in forbidden:
            for form in {secret, quote(secret, safe="")}:
                if form.encode() in data:
                    found.append(f"{secret!r} in {name}")
    return found


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RawServer:
    """A TCP server on 127.0.0.1 that answers every connection with fixed bytes, then closes.

    For what ``LocalServer`` (a well-behaved HTTP server) cannot send: a status line
    that is not HTTP, no answer at all, hundreds of headers. With ``drip_s`` it sends
    one byte every ``drip_s`` seconds until the client hangs up, and ``sent`` counts
    the bytes each connection took: how long a client listened, counted, not timed.
    """

    def __init__(self, reply: bytes, drip_s: float = 0.0) -> None:
        self.reply = reply
        self.drip_s = drip_s
        self.connections = 0
        self.sent: list[int] = []
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.05)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(1.0)
                with contextlib.suppress(OSError):
                    conn.recv(65536)  # the request; its content does not matter
                    if self.drip_s:
                        self._drip(conn)
                    else:
                        conn.sendall(self.reply)

    def _drip(self, conn: socket.socket) -> None:
        self.sent.append(0)
        for byte in self.reply:
            if self._stop.wait(self.drip_s):
                return
            conn.sendall(bytes([byte]))  # raises once the client has closed
            self.sent[-1] += 1

    def __enter__(self) -> RawServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._sock.close()


def fake_resolver(real_getaddrinfo):
    """``.invalid`` never resolves and the two test names resolve locally: no DNS traffic."""

    def resolve(host, port, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name.endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        mapped = {PUBLIC_NAME: "127.0.0.1", PRIVATE_NAME: PRIVATE_IP}.get(name)
        if mapped:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (mapped, int(port or 80)))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    return resolve


def fast_policy(monkeypatch, settings: net.TransportSettings = FAST) -> None:
    """``run_check`` builds its own FetchPolicy; give it the FAST transport settings."""
    monkeypatch.setattr(net, "FetchPolicy", functools.partial(net.FetchPolicy, settings=settings))


def loopback_counts_as_public(monkeypatch) -> None:
    """The local server plays a public host: only 127.0.0.1 is let through the guard."""
    real = addresses.blocked
    monkeypatch.setattr(addresses, "blocked", lambda ip: str(ip) != "127.0.0.1" and real(ip))


@dataclass
class Repo:
    """A temporary repository root with its checks/ folder and an empty working directory."""

    root: Path
    seeded: dict[str, bytes] = field(default_factory=dict)

    @property
    def checks(self) -> Path:
        return self.root / "checks"

    def check_files(self) -> dict[str, bytes]:
        return {
            p.relative_to(self.root).as_posix(): p.read_bytes()
            for p in sorted(self.checks.rglob("*"))
            if p.is_file()
        }


# --- one run of the pipeline around a fault ----------------------------------------------
@dataclass
class Outcome:
    """Everything a fault test asserts on, gathered around one ``run_check``."""

    code: int
    stdout: str
    stderr: str
    repo: Repo
    before: dict[str, str]
    after: dict[str, str]
    requests: list[Any]
    diagnoses: dict[str, Diagnosis]
    raw_sent: list[int] = field(default_factory=list)  # bytes per connection to a dripping server

    def outputs(self) -> dict[str, bytes]:
        return {"stdout": self.stdout.encode(), "stderr": self.stderr.encode(),
                **self.repo.check_files()}  # fmt: skip

    def statuses(self, fiche_id: str) -> dict[str, tuple[str, list[str]]]:
        dims = self.diagnoses[fiche_id].dimensions
        return {k.value: (v.status.value, v.findings) for k, v in dims.items()}


def run_scenario(
    root: Path,
    monkeypatch,
    fault_routes: dict[str, Any],
    fault_fiche: Callable[[dict[str, str]], dict[str, Any]] | None = None,
    *,
    guarded: bool = False,
    unset_env: tuple[str, ...] = (),
    extra: Callable[[], list[dict[str, Any]]] | None = None,
    raw: bytes | None = None,
    drip_s: float = 0.0,
    settings: net.TransportSettings = FAST,
) -> Outcome:
    """Serve the healthy fiches (and a faulty one), seed last night, run the check once."""
    import contextlib
    import io

    from datapedia.cli.check import check_and_print
    from datapedia.pipeline import CheckOptions

    monkeypatch.setenv(TELRAAM_ENV, TELRAAM_SECRET)
    monkeypatch.setenv(HEALTHY_ENV, HEALTHY_SECRET)
    for name in unset_env:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(socket, "getaddrinfo", fake_resolver(socket.getaddrinfo))
    fast_policy(monkeypatch, settings)
    # A relative path written by any step would land here and show up in the tree diff.
    cwd = root / "cwd"
    cwd.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(cwd)
    repo = Repo(root)
    with (
        LocalServer({**healthy_routes(), **fault_routes}) as server,
        RawServer(raw or b"", drip_s) as raw_server,
    ):
        urls = {
            "raw": raw_server.base,
            "base": server.base,
            "public": f"http://{PUBLIC_NAME}:{server.port}",
            "closed": str(closed_port()),
        }
        fiches = healthy_fiches(server.base)
        if fault_fiche is not None:
            fiches.append(fault_fiche(urls))
        if extra is not None:  # fiches served elsewhere (their own servers)
            fiches += extra()
        write_secret_hosts(root)
        for data in fiches:
            write_fiche(root, data)
        repo.seeded = seed_previous_night(repo.checks, [f["id"] for f in fiches])
        before = tree(root, exclude="checks")
        if guarded:
            loopback_counts_as_public(monkeypatch)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = check_and_print(
                CheckOptions(
                    root=root,
                    checks_dir=repo.checks,
                    only=[],
                    now=NOW,
                    allow_private=not guarded,
                ),
                bar=False,
            )
        requests = list(server.requests)
        raw_sent = list(raw_server.sent)
    store = ChecksStore(repo.checks)
    diagnoses = {f["id"]: store.read_latest(f["id"]) for f in fiches}
    return Outcome(
        code=code,
        stdout=out.getvalue(),
        stderr=err.getvalue(),
        repo=repo,
        before=before,
        after=tree(root, exclude="checks"),
        requests=requests,
        diagnoses=diagnoses,
        raw_sent=raw_sent,
    )


def offline_check(root: Path, now: str) -> list[str]:
    """``datapedia check --offline`` into the repository's own checks/ (named explicitly:
    without --checks an offline check keeps nothing)."""
    return [
        "--root",
        str(root),
        "check",
        "--offline",
        "--checks",
        str(root / "checks"),
        "--now",
        now,
    ]


# --- a repository of two good fiches, and the CLI that must survive what is added ------
GOOD_IDS = ("goed-een", "goed-twee")
# The maintainers' map (config/geheimen.yml): which key may go to which host.
GOOD_SECRET_HOSTS = "TELRAAM_API_KEY: [telraam-api.net]\n"


def good_repo(tmp_path: Path) -> Path:
    """A repository with the two fiches of ``GOOD_IDS``, both valid."""
    root = tmp_path / "repo"
    (root / "config").mkdir(parents=True)
    (root / "config" / "geheimen.yml").write_text(GOOD_SECRET_HOSTS, encoding="utf-8")
    for fid in GOOD_IDS:
        write_fiche(
            root, fiche_data(fid, {"protocol": "json", "url": f"https://example.org/{fid}"})
        )
    return root


def survive(argv: list[str]) -> int:
    """The CLI's exit code; a traceback is the failure the fault suites look for."""
    from datapedia.cli.main import main as cli_main

    try:
        return cli_main(argv)
    except Exception as error:
        raise AssertionError(
            f"datapedia {argv[2]} died: {type(error).__name__}: {error}"
        ) from error
