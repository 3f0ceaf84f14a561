"""``datapedia check``: the only module that knows the order of the steps.

load fiches -> select (--only, --shard) -> probe (unless offline) -> diagnose ->
publish to ``checks/`` in one transaction -> a ``CheckResult``.

It prints nothing and chooses no exit code: the CLI renders the ``Progress`` it is
given, the result and the typed errors (``CheckAborted``, ``CheckInterrupted``).

A run where every probed endpoint failed to even connect (DNS, connection,
blocked address) asks the canary (``datapedia.probe.canary``): when no canary host answers
either, the runner has no network, so the run writes nothing and raises ``CheckAborted``
and the site never shows false outages; when one does, the provider is down, which is news.
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Generator, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from datapedia.model.fiche import Fiche
from datapedia.model.results import Diagnosis, Dimension, DimensionResult, Observation, Status
from datapedia.probe.canary import canary_urls, network_up
from datapedia.store.checks import ChecksStore, Transaction, run_summary, summary_row
from datapedia.store.nightly import in_shard
from datapedia.util.files import atomic_write

if TYPE_CHECKING:
    from datapedia.load.fiches import LoadResult
    from datapedia.probe.quality import QualityPool

QUALITY_POOL_MIN_SAMPLES = 50
PROBE_PROCESSES_MIN_FICHES = 100
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
    canary: list[str] = field(default_factory=lambda: canary_urls(os.environ))


class Progress(Protocol):
    """What a run tells whoever watches it; the CLI draws a bar or prints lines."""

    def start(self, total: int) -> None: ...

    def advance(self, fiche_id: str, overall: Status, problem: str | None = None) -> None:
        """One fiche diagnosed; ``problem`` (Dutch) when its diagnosis raised."""

    def done(self) -> None: ...


class Quiet:
    """A ``Progress`` that shows nothing."""

    def start(self, total: int) -> None:
        pass

    def advance(self, fiche_id: str, overall: Status, problem: str | None = None) -> None:
        pass

    def done(self) -> None:
        pass


@dataclass(frozen=True)
class CheckResult:
    """What a run did. ``summary`` is ``summary.json`` as published (None: nothing selected)."""

    checks_dir: Path
    checked: list[str]
    summary: dict[str, Any] | None
    problems: list = field(default_factory=list)  # invalid fiches, skipped (load.Problem)
    undiagnosed: dict[str, str] = field(default_factory=dict)  # fiche id -> why (Dutch)
    canary_answered: bool | None = None  # None: not asked (some endpoint was reached)

    @property
    def rows(self) -> list[dict[str, Any]]:
        return self.summary["datasets"] if self.summary else []

    @property
    def failed(self) -> bool:
        """At least one dataset fails."""
        return any(row["overall"] == Status.fail.value for row in self.rows)


class Valid(NamedTuple):
    """The valid fiches of a load and the problems of the others."""

    fiches: list[Fiche]
    problems: list


class CheckAborted(Exception):
    """The run cannot proceed and wrote nothing; the message (Dutch) says why."""


class CheckInterrupted(KeyboardInterrupt):
    """Ctrl-C. ``published``: None when the run had not taken the results folder yet,
    True when its ``diagnoses`` were published all the same, False when they were not."""

    def __init__(self, checks_dir: Path, published: bool | None = None, diagnoses: int = 0):
        super().__init__(checks_dir, published, diagnoses)
        self.checks_dir, self.published, self.diagnoses = checks_dir, published, diagnoses


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


# --- the run ------------------------------------------------------------------------
def run_check(
    options: CheckOptions, progress: Progress | None = None, loaded: Valid | None = None
) -> CheckResult:
    """Check the selected fiches and publish the run to ``options.checks_dir``.

    ``loaded``: the repository's valid fiches and problems when the caller loaded them
    already (the CLI does, to show the invalid ones first); only the fiches are kept for
    the run, not their load records. Raises ``CheckAborted`` or ``CheckInterrupted``.
    """
    try:
        fiches, problems = _selected(options, loaded)
        if not fiches:
            return CheckResult(options.checks_dir, [], None, problems)
        ensure_writable(options.checks_dir)
        store = ChecksStore(options.checks_dir)
        run = _Run(options, store, progress or Quiet())
        try:
            # Taken before probing: a second run at the same time stops at once.
            tx = store.begin()
        except OSError as error:
            raise CheckAborted(f"kan niet schrijven in {store.dir}: {error}") from error
    except CheckInterrupted:
        raise
    except KeyboardInterrupt:  # before the run took the results folder
        raise CheckInterrupted(options.checks_dir) from None
    run.diagnose_all(fiches, tx)
    return CheckResult(
        store.dir,
        [f.id for f in fiches],
        run.summary,
        problems,
        run.undiagnosed,
        run.canary_answered,
    )


def valid_fiches(loaded: LoadResult) -> Valid:
    """The fiches a check needs of a load, without the paths and digests of each file
    (10,000 of those held for a whole run, and inherited by every forked probe)."""
    return Valid([item.fiche for item in loaded.fiches], loaded.problems)


def _selected(options: CheckOptions, loaded: Valid | None) -> tuple[list[Fiche], list]:
    if loaded is None:
        from datapedia.load.fiches import load_repository

        loaded = valid_fiches(load_repository(options.root))
    if not loaded.fiches:
        raise CheckAborted(f"geen geldige fiche gevonden in {options.root / 'fiches'}")
    return select(loaded.fiches, options.only, options.shard), loaded.problems


class _Run:
    """One run over the results folder it holds (``tx``): diagnose, stage, publish."""

    tx: Transaction

    def __init__(self, options: CheckOptions, store: ChecksStore, progress: Progress):
        from datapedia.probe.quality import QualityChecker

        self.options, self.store, self.progress = options, store, progress
        self.quality = QualityChecker()
        # Each diagnosis is staged (invisible until commit) as soon as it is made; only a
        # compact row per fiche stays in memory for the summary.
        self.rows: list[dict[str, Any]] = []
        self.network = NetworkSeen()
        self.undiagnosed: dict[str, str] = {}
        self.canary_answered: bool | None = None
        self.summary: dict[str, Any] | None = None

    def diagnose_all(self, fiches: list[Fiche], tx: Transaction) -> None:
        """Probe, diagnose and publish in ``tx``; on any failure the folder is left as it was."""
        self.tx = tx
        try:
            observations = observe(fiches, self.options)
        except BaseException:
            self.tx.rollback()
            raise
        self.progress.start(len(fiches))
        try:
            self._diagnose(fiches, observations)
            self._verify_network()
            summary = run_summary(self.options.now.isoformat(), self.rows)
            self.tx.add_summary(summary)
            self.tx.commit()
            self.summary = summary
        except OSError as error:
            self.tx.rollback()
            raise CheckAborted(f"kan niet schrijven in {self.store.dir}: {error}") from error
        except KeyboardInterrupt:
            published = self.tx.rollback()
            raise CheckInterrupted(self.store.dir, published, len(self.rows)) from None
        except BaseException:
            self.tx.rollback()
            raise
        finally:
            observations.close()  # stops probing processes a failed run left behind
            self.progress.done()
        try:
            if self.options.summary_path:
                data = json.dumps(summary, indent=2).encode() + b"\n"
                atomic_write(self.options.summary_path, data)
        except KeyboardInterrupt:
            raise CheckInterrupted(self.store.dir, True, len(self.rows)) from None

    def _diagnose(self, fiches: list[Fiche], observations) -> None:
        # Fiches wait here, in the order they were probed, while a worker checks their
        # samples; a bounded queue, so memory does not grow with the number of fiches.
        waiting: deque[tuple[Fiche, Observation | None, dict]] = deque()
        with quality_pool(fiches, self.options) as pool:
            for fiche, observation in observations:
                checks = pool.submit(fiche, observation) if pool and observation else {}
                waiting.append((fiche, observation, checks))
                while waiting and (
                    len(waiting) > MAX_WAITING or all(f.done() for f in waiting[0][2].values())
                ):
                    self._finish(*waiting.popleft())
            while waiting:
                self._finish(*waiting.popleft())

    def _finish(self, fiche: Fiche, observation: Observation | None, checks: dict) -> None:
        from datapedia.judge import diagnose

        try:
            history = self.store.read_history(fiche.id)
        except ValueError as error:  # e.g. a merge conflict left in the file
            raise CheckAborted(str(error)) from error
        now, problem = self.options.now, None
        try:
            quality = self.quality.with_checks(checks)
            diagnosis = diagnose(fiche, observation, history, now, quality)
        except Exception as error:  # a bug for one fiche must not cost the others their night
            diagnosis, problem = undiagnosed(fiche.id, observation, now, error)
            self.undiagnosed[fiche.id] = problem
        self.tx.add(diagnosis)
        self.network.note(diagnosis)
        self.rows.append(summary_row(diagnosis))
        self.progress.advance(diagnosis.id, diagnosis.overall, problem)

    def _verify_network(self) -> None:
        if self.options.offline or not self.network.none_reached:
            return
        self.canary_answered = network_up(self.options.canary)
        if not self.canary_answered:
            raise CheckAborted(
                "geen enkel eindpunt was bereikbaar (DNS, verbinding of geblokkeerd adres), "
                f"en niet elke controlehost antwoordde ({', '.join(self.options.canary)}): "
                "deze machine heeft "
                "geen netwerk; checks/ is niet aangepast, "
                "zodat de site geen valse storingen toont."
            )


def quality_pool(
    fiches: list[Fiche], options: CheckOptions
) -> AbstractContextManager[QualityPool | None]:
    """A ``QualityPool`` when enough samples may need frictionless or GX to pay for it.

    Starting a worker costs CPU (a spawned one starts a fresh interpreter) that only
    enough samples repay (measured in bench/RESULTS.md); below that, and on one core,
    they run in-process.
    """
    from datapedia.probe.quality import QualityPool, may_need_libraries

    cores = os.cpu_count() or 1
    samples = sum(1 for f in fiches for d in f.distributions if d.probe and may_need_libraries(d))
    if options.offline or cores < 2 or samples < QUALITY_POOL_MIN_SAMPLES:
        return nullcontext(None)
    return QualityPool(cores - 1)


def undiagnosed(
    fiche_id: str, observation: Observation | None, now: datetime, error: Exception
) -> tuple[Diagnosis, str]:
    """All dimensions unknown, saying why, for a fiche whose diagnosis raised; and why."""
    reason = f"Niet beoordeeld: interne fout bij de diagnose ({type(error).__name__}: {error})."
    result = DimensionResult(status=Status.unknown, summary=reason)
    diagnosis = Diagnosis.build(
        fiche_id,
        now,
        dict.fromkeys(Dimension, result),
        endpoints=observation.endpoints if observation else [],
    )
    return diagnosis, reason
