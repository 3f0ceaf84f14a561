"""``datapedia check``: the only module that knows the order of the steps.

load fiches -> select (--only, --shard) -> probe (unless offline) -> diagnose ->
publish to ``checks/`` in one transaction -> print a summary.

A run where every probed endpoint failed to even connect (DNS, connection,
blocked address) asks the canary (``datapedia.probe.canary``): when no canary host answers
either, the runner has no network, so the run writes nothing and exits 2 and the site
never shows false outages; when one does, the provider is down, which is news (exit 1).
"""

from __future__ import annotations

import json
import math
import os
import sys
import zlib
from collections import deque
from collections.abc import Generator, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from datapedia.model.fiche import Fiche
from datapedia.model.results import Diagnosis, Dimension, DimensionResult, Observation, Status
from datapedia.model.words import count as count_of
from datapedia.probe.canary import canary_urls, network_up
from datapedia.store.checks import ChecksStore, summary_document
from datapedia.util.files import atomic_write

if TYPE_CHECKING:
    from datapedia.probe.quality import QualityPool

from datapedia.cli.exit_codes import EXIT_BROKEN, EXIT_FAILED, EXIT_OK

QUALITY_POOL_MIN_SAMPLES = 50
PROBE_PROCESSES_MIN_FICHES = 100
PROGRESS_LINES = 100
MAX_WAITING = 64  # fiches probed and waiting for a worker to check their samples
NO_NETWORK_ERRORS = frozenset({"dns", "connect", "blocked_address"})


@dataclass
class CheckOptions:
    root: Path
    checks_dir: Path
    only: list[str]
    now: datetime
    offline: bool = False
    allow_private: bool = False
    shard: str | None = None
    summary_path: Path | None = None
    progress: bool | None = None  # None: a bar on a terminal, plain lines otherwise
    canary: list[str] = field(default_factory=lambda: canary_urls(os.environ))


class CheckAborted(Exception):
    """The run cannot proceed; the message (Dutch) says why. Exit code 2."""


class CheckInterrupted(KeyboardInterrupt):
    """Ctrl-C; ``kept`` says (in Dutch) what of the run is in the results folder."""

    def __init__(self, kept: str):
        super().__init__(kept)
        self.kept = kept


# --- selection ----------------------------------------------------------------------
def parse_shard(text: str) -> tuple[int, int]:
    """'2/4' -> (2, 4); 1-based."""
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise CheckAborted(f"--shard verwacht i/n, bv. 1/4; niet {text!r}") from None
    if not 1 <= index <= count:
        raise CheckAborted(f"--shard {text}: i moet tussen 1 en n liggen")
    return index, count


def in_shard(fiche_id: str, index: int, count: int) -> bool:
    # crc32, not hash(): it must be the same in every process and on every runner.
    return zlib.crc32(fiche_id.encode()) % count == index - 1


def select(fiches: list[Fiche], only: list[str], shard: str | None) -> list[Fiche]:
    if only:
        known = {f.id for f in fiches}
        unknown = [fid for fid in only if fid not in known]
        if unknown:
            raise CheckAborted(
                f"onbekende of ongeldige fiche-id(s) bij --only: {', '.join(unknown)}"
            )
        fiches = [f for f in fiches if f.id in only]
    if shard:
        index, count = parse_shard(shard)
        fiches = [f for f in fiches if in_shard(f.id, index, count)]
    return sorted(fiches, key=lambda f: f.id)


def load(root: Path) -> list[Fiche]:
    from datapedia.cli.problems import print_problems
    from datapedia.load.fiches import load_repository

    result = load_repository(root)
    print_problems(result.problems, "ongeldige fiches worden overgeslagen")
    if not result.fiches:
        raise CheckAborted(f"geen geldige fiche gevonden in {root / 'fiches'}")
    return [loaded.fiche for loaded in result.fiches]


def ensure_writable(checks_dir: Path) -> None:
    existing = checks_dir
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not (existing.is_dir() and os.access(existing, os.W_OK | os.X_OK)):
        raise CheckAborted(f"kan niet schrijven in {checks_dir}")


# --- probing ------------------------------------------------------------------------
def observe(
    fiches: list[Fiche], options: CheckOptions
) -> Generator[tuple[Fiche, Observation | None], None, None]:
    """(fiche, observation) as probes complete; observation None when offline.

    Probing processes, where there are several, start at this call: before the run
    starts any thread (a progress bar, the quality pool), so forking is safe.
    """
    if options.offline:
        return ((fiche, None) for fiche in fiches)
    from datapedia.load.geheimen import load_secret_hosts
    from datapedia.probe.runner import probe_all, probe_forked, probe_processes
    from datapedia.probe.transport import Fetcher, FetchPolicy

    by_id = {f.id: f for f in fiches}
    secret_hosts = load_secret_hosts(options.root).hosts
    policy = FetchPolicy(allow_private=options.allow_private, secret_hosts=secret_hosts)
    processes = probe_processes(len(fiches), policy, PROBE_PROCESSES_MIN_FICHES)
    if processes > 1:
        forked = probe_forked(fiches, policy, options.now, os.environ, processes)
        return ((by_id[o.fiche_id], o) for o in forked)

    def in_threads() -> Iterator[tuple[Fiche, Observation]]:
        with Fetcher(policy) as fetcher:
            for observation in probe_all(fiches, fetcher, options.now, os.environ):
                yield by_id[observation.fiche_id], observation

    return in_threads()


class NetworkSeen:
    """Whether any probed endpoint got as far as an HTTP exchange, tallied per fiche."""

    def __init__(self) -> None:
        self.probed = 0
        self.reached = False

    def note(self, diagnosis: Diagnosis) -> None:
        probed = [e for e in diagnosis.endpoints if not e.skipped]
        self.probed += len(probed)
        self.reached |= any(e.reachable or e.error not in NO_NETWORK_ERRORS for e in probed)

    @property
    def none_reached(self) -> bool:
        return self.probed > 0 and not self.reached


# --- reporting ----------------------------------------------------------------------
class Progress:
    """A tqdm bar on a terminal (or when asked); '[3/12] id: status' lines in CI logs,
    at most ``PROGRESS_LINES`` of them: the table at the end lists every dataset, and
    a line per fiche made a log of 10,000 lines and cost check(1000) 0.4 s of prints."""

    def __init__(self, total: int, bar: bool | None):
        self.total, self.done = total, 0
        self.every = math.ceil(total / PROGRESS_LINES) or 1
        self.bar = None
        if bar if bar is not None else sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="dataset", file=sys.stderr)

    def step(self, diagnosis: Diagnosis) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.set_postfix_str(f"{diagnosis.id}: {diagnosis.overall.value}")
            self.bar.update()
        elif self.done % self.every == 0 or self.done == self.total:
            print(
                f"[{self.done}/{self.total}] {diagnosis.id}: {diagnosis.overall.value}", flush=True
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def summary_row(diagnosis: Diagnosis) -> dict[str, Any]:
    return {
        "id": diagnosis.id,
        "overall": diagnosis.overall.value,
        "dimensions": {k.value: v.status.value for k, v in diagnosis.dimensions.items()},
    }


def print_table(summary: dict[str, Any]) -> None:
    datasets = summary["datasets"]
    headers = ["dataset", "totaal"] + [d.label for d in Dimension]
    rows = [
        [d["id"], d["overall"]] + [d["dimensions"][k.value] for k in Dimension] for d in datasets
    ]
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    for row in [headers, ["-" * w for w in widths], *rows]:
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    counts = summary["counts"]
    print(
        f"{count_of(len(datasets), 'dataset')}: {counts['ok']} in orde, {counts['warn']} aandacht, "
        f"{counts['fail']} probleem, {counts['unknown']} onbekend."
    )


# --- the run ------------------------------------------------------------------------
def run_check(options: CheckOptions) -> int:
    try:
        return _run(options)
    except CheckAborted as error:
        print(f"datapedia check: {error}", file=sys.stderr)
        return EXIT_BROKEN
    except CheckInterrupted:
        raise
    except KeyboardInterrupt:  # before the run took the results folder
        raise CheckInterrupted(f"{options.checks_dir} is niet aangepast.") from None


def _run(options: CheckOptions) -> int:
    from datapedia.judge import diagnose
    from datapedia.probe.quality import QualityChecker

    fiches = select(load(options.root), options.only, options.shard)
    if not fiches:
        print("Geen fiches in deze selectie; niets te doen.")
        return EXIT_OK
    ensure_writable(options.checks_dir)
    store = ChecksStore(options.checks_dir)
    quality = QualityChecker()
    try:
        # Taken before probing: a second run at the same time stops at once.
        tx = store.begin()
    except OSError as error:
        raise CheckAborted(f"kan niet schrijven in {store.dir}: {error}") from error
    try:
        observations = observe(fiches, options)
    except BaseException:
        tx.rollback()
        raise
    progress = Progress(len(fiches), options.progress)
    # Each diagnosis is staged (invisible until commit) as soon as it is made; only a
    # compact row per fiche stays in memory for the summary and the table.
    rows: list[dict[str, Any]] = []
    network = NetworkSeen()

    def finish(fiche: Fiche, observation: Observation | None, checks: dict) -> None:
        try:
            history = store.read_history(fiche.id)
        except ValueError as error:  # e.g. a merge conflict left in the file
            raise CheckAborted(str(error)) from error
        try:
            diagnosis = diagnose(
                fiche, observation, history, options.now, quality.with_checks(checks)
            )
        except Exception as error:  # a bug for one fiche must not cost the others their night
            diagnosis = undiagnosed(fiche.id, observation, options.now, error)
        tx.add(diagnosis)
        network.note(diagnosis)
        rows.append(summary_row(diagnosis))
        progress.step(diagnosis)

    # Fiches wait here, in the order they were probed, while a worker checks their
    # samples; a bounded queue, so memory does not grow with the number of fiches.
    waiting: deque[tuple[Fiche, Observation | None, dict]] = deque()
    try:
        with quality_pool(fiches, options) as pool:
            for fiche, observation in observations:
                checks = pool.submit(fiche, observation) if pool and observation else {}
                waiting.append((fiche, observation, checks))
                while waiting and (
                    len(waiting) > MAX_WAITING or all(f.done() for f in waiting[0][2].values())
                ):
                    finish(*waiting.popleft())
            while waiting:
                finish(*waiting.popleft())
        if not options.offline and network.none_reached and not network_up(options.canary):
            raise CheckAborted(
                "geen enkel eindpunt was bereikbaar (DNS, verbinding of geblokkeerd adres), "
                f"en niet elke controlehost antwoordde ({', '.join(options.canary)}): "
                "deze machine heeft "
                "geen netwerk; checks/ is niet aangepast, "
                "zodat de site geen valse storingen toont."
            )
        code = EXIT_FAILED if any(r["overall"] == Status.fail.value for r in rows) else EXIT_OK
        summary = summary_document(options.now.isoformat(), code, rows)
        tx.add_summary(summary)
        tx.commit()
    except OSError as error:
        tx.rollback()
        raise CheckAborted(f"kan niet schrijven in {store.dir}: {error}") from error
    except KeyboardInterrupt:
        kept = _kept(tx.rollback(), len(rows), store.dir)
        raise CheckInterrupted(kept) from None
    except BaseException:
        tx.rollback()
        raise
    finally:
        observations.close()  # stops probing processes a failed run left behind
        progress.close()
    try:
        if options.summary_path:
            atomic_write(options.summary_path, json.dumps(summary, indent=2).encode() + b"\n")
        print_table(summary)
    except KeyboardInterrupt:
        raise CheckInterrupted(_kept(True, len(rows), store.dir)) from None
    return code


def _kept(published: bool, diagnoses: int, checks_dir: Path) -> str:
    if published:
        return f"{count_of(diagnoses, 'diagnose')} van deze run bewaard in {checks_dir}."
    lost = count_of(diagnoses, "diagnose")
    return f"{checks_dir} is niet aangepast; {lost} van deze run niet bewaard."


def quality_pool(
    fiches: list[Fiche], options: CheckOptions
) -> AbstractContextManager[QualityPool | None]:
    """A ``QualityPool`` when enough samples may need frictionless or GX to pay for it.

    Starting a worker costs up to ~0.6 s of CPU (a spawned one starts a fresh
    interpreter), the price of ~50 CSV samples; below that, and on one core, they run
    in-process.
    """
    from datapedia.probe.quality import QualityPool, may_need_libraries

    cores = os.cpu_count() or 1
    samples = sum(1 for f in fiches for d in f.distributions if d.probe and may_need_libraries(d))
    if options.offline or cores < 2 or samples < QUALITY_POOL_MIN_SAMPLES:
        return nullcontext(None)
    return QualityPool(cores - 1)


def undiagnosed(
    fiche_id: str, observation: Observation | None, now: datetime, error: Exception
) -> Diagnosis:
    """All dimensions unknown, saying why, for a fiche whose diagnosis raised."""
    reason = f"Niet beoordeeld: interne fout bij de diagnose ({type(error).__name__}: {error})."
    print(f"datapedia check: {fiche_id}: {reason}", file=sys.stderr)
    result = DimensionResult(status=Status.unknown, summary=reason)
    return Diagnosis.build(
        fiche_id,
        now,
        dict.fromkeys(Dimension, result),
        endpoints=observation.endpoints if observation else [],
    )
