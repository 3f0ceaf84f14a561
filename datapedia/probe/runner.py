"""The probe step: ask every endpoint of every fiche once and record what came back.

Raw measurements only (``Observation``); judging them is the diagnosis' job. Keys
come from the environment (the fiche names the variable), are sent in a header or
query parameter, and never appear in what is recorded.
"""

from __future__ import annotations

import dataclasses
import itertools
import multiprocessing
import signal
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_readable
from multiprocessing.process import BaseProcess
from urllib.parse import urlsplit

from datapedia.model.fiche import DatasetStatus, Distribution, Fiche
from datapedia.model.results import EndpointObservation, Observation
from datapedia.model.thresholds import THRESHOLDS
from datapedia.probe.adapters import ParseContext, adapter_for
from datapedia.probe.keys import request_for
from datapedia.probe.parsing import new_runner, parse_body
from datapedia.probe.transport import (
    ERRORS,
    TRANSIENT_ERRORS,
    Body,
    Fetcher,
    FetchPolicy,
    FetchResult,
    redact,
    redact_all,
)
from datapedia.util.parallel import fork_workers, heap_frozen
from datapedia.util.parallel.bounded import BoundedRunner


def probe_fiche(
    fiche: Fiche,
    fetcher: Fetcher,
    now: datetime,
    env: Mapping[str, str],
    runner: BoundedRunner | None = None,
) -> Observation:
    """One ``EndpointObservation`` per distribution with ``probe: true``.

    ``runner`` parses large bodies under a budget; pass one per probing process so
    that its slots bound them all (``parsing.new_runner``)."""
    observation = Observation(fiche_id=fiche.id, checked_at=now)
    if fiche.status == DatasetStatus.ontbrekend:
        return observation
    runner = runner or new_runner()
    for index, distribution in enumerate(fiche.distributions):
        if distribution.probe:
            observation.endpoints.append(
                probe_distribution(index, distribution, fetcher, now, env, runner)
            )
    return observation


def probe_distribution(
    index: int,
    distribution: Distribution,
    fetcher: Fetcher,
    now: datetime,
    env: Mapping[str, str],
    runner: BoundedRunner | None = None,
) -> EndpointObservation:
    url = str(distribution.url)
    base = EndpointObservation(
        distribution=index,
        title=distribution.title,
        protocol=distribution.protocol.value,
        url=url,
    )
    request = request_for(distribution, fetcher.policy, env)
    if isinstance(request, dict):
        return base.model_copy(update=request)
    url, headers, secrets, hosts = request
    try:
        adapter = adapter_for(distribution.protocol)
        result = fetcher.fetch(
            url, headers=headers, method=adapter.method, secrets=secrets, secret_hosts=hosts
        )
        observed = base.model_copy(update=_transport(result))
        if not result.ok:
            return observed
        ctx = ParseContext(now=now, thresholds=THRESHOLDS)
        body, result.body = result.body or Body(0), None  # parse_body closes it
        content = parse_body(adapter, body, distribution, ctx, runner or new_runner())
        # A server can echo the key anywhere: in a field name, a value, a note.
        return observed.model_copy(update=redact_all(content, secrets))
    except Exception as error:  # never let one endpoint take the run down
        return base.model_copy(
            update={
                "error": "internal",
                "error_detail": redact(f"{type(error).__name__}: {error}", secrets),
                "error_reason": ERRORS["internal"],
            }
        )


def _transport(result: FetchResult) -> dict[str, object]:
    return {
        "url": result.url,
        # reachable: the server answered with an HTTP status (even an error status)
        "reachable": result.status_code is not None,
        "status_code": result.status_code,
        "content_type": result.content_type,
        "latency_ms": result.latency_ms,
        "bytes_read": result.bytes_read,
        "attempts": result.attempts,
        "method": result.method,
        "error": result.error,
        "error_detail": result.error_detail,
        "error_reason": ERRORS.get(result.error, "onbekende fout") if result.error else None,
    }


def probe_all(
    fiches: Iterable[Fiche],
    fetcher: Fetcher,
    now: datetime,
    env: Mapping[str, str],
    workers: int | None = None,
) -> Iterator[Observation]:
    """Probe fiches concurrently; yield each ``Observation`` as soon as it is complete.

    At most twice the worker count is submitted ahead of the consumer: the diagnosis
    is slower than probing, and an unbounded queue kept every observation (with its
    sample) in memory at once (bench/RESULTS.md).
    """
    size = workers or fetcher.policy.settings.total_concurrency
    pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="probe")
    pending: set[Future[Observation]] = set()
    queue = iter(fiches)
    by_id: dict[str, Fiche] = {}
    again: list[Observation] = []  # failed for a reason that may pass: asked once more
    interrupted = False
    runner = new_runner()  # its slots bound the large parses of all these threads
    try:
        while True:
            for fiche in itertools.islice(queue, 2 * size - len(pending)):
                by_id[fiche.id] = fiche
                pending.add(pool.submit(_probe_safely, fiche, fetcher, now, env, runner))
            if not pending:
                break
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                observation = future.result()
                if any(_may_pass_later(e) for e in observation.endpoints):
                    again.append(observation)
                else:
                    by_id.pop(observation.fiche_id, None)
                    yield observation
        # At the end of the run, when the server had the whole run to recover: a
        # blip during the night must not make a dataset "down" until the next one.
        retried = [
            pool.submit(_probe_again, by_id[o.fiche_id], o, fetcher, now, env, runner)
            for o in again
        ]
        for future in retried:
            yield future.result()
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        # a consumer that stops early must not wait for feeds nobody will read; after
        # Ctrl-C not even for the requests in flight (the CLI exits without them)
        pool.shutdown(wait=not interrupted, cancel_futures=True)


def _probe_safely(
    fiche: Fiche,
    fetcher: Fetcher,
    now: datetime,
    env: Mapping[str, str],
    runner: BoundedRunner,
) -> Observation:
    try:
        return probe_fiche(fiche, fetcher, now, env, runner)
    except Exception as error:  # one bad fiche never stops the others
        return _not_probed(fiche, now, f"{type(error).__name__}: {error}")


def _may_pass_later(endpoint: EndpointObservation) -> bool:
    status = endpoint.status_code
    server_error = endpoint.error == "http" and ((status or 0) >= 500 or status == 429)
    return endpoint.error in TRANSIENT_ERRORS or server_error


def _probe_again(
    fiche: Fiche,
    observation: Observation,
    fetcher: Fetcher,
    now: datetime,
    env: Mapping[str, str],
    runner: BoundedRunner,
) -> Observation:
    """The failing endpoints asked once more; the attempts of both rounds are counted."""
    endpoints = []
    for endpoint in observation.endpoints:
        if _may_pass_later(endpoint):
            distribution = fiche.distributions[endpoint.distribution]
            retried = probe_distribution(
                endpoint.distribution, distribution, fetcher, now, env, runner
            )
            attempts = (endpoint.attempts or 0) + (retried.attempts or 0)
            endpoint = retried.model_copy(update={"attempts": attempts})
        endpoints.append(endpoint)
    return observation.model_copy(update={"endpoints": endpoints})


def _not_probed(fiche: Fiche, now: datetime, detail: str) -> Observation:
    """Every probed endpoint of the fiche as an internal error saying why."""
    return Observation(
        fiche_id=fiche.id,
        checked_at=now,
        endpoints=[
            EndpointObservation(
                distribution=index,
                title=d.title,
                protocol=d.protocol.value,
                url=str(d.url),
                error="internal",
                error_detail=detail,
                error_reason=ERRORS["internal"],
            )
            for index, d in enumerate(fiche.distributions)
            if d.probe
        ],
    )


# --- probing from several processes ------------------------------------------------
def probe_processes(fiches: int, policy: FetchPolicy, min_fiches: int) -> int:
    """How many processes should probe: one per core when there is enough to share.

    Every request costs some Python (``requests``, parsing) under the GIL. With 32
    probe threads in the process that diagnoses, every file it opened and every line
    it printed waited for the GIL (bench/RESULTS.md).
    """
    return min(fork_workers(fiches, min_fiches), policy.settings.total_concurrency)


def probe_forked(
    fiches: Sequence[Fiche],
    policy: FetchPolicy,
    now: datetime,
    env: Mapping[str, str],
    processes: int,
) -> Iterator[Observation]:
    """``probe_all`` in up to ``processes`` forked processes, each with its share of
    the fiches (``shares_by_host``) and of the total concurrency; observations come
    back as they complete.

    The processes start now, not at the first ``next()``: call it while no other
    thread runs (see ``parallel.can_fork``). A process that dies costs only the fiches
    it had not sent yet: they come back as internal errors.
    """
    shares = shares_by_host(fiches, processes)
    s = policy.settings
    share_policy = dataclasses.replace(
        policy,
        settings=dataclasses.replace(
            s, total_concurrency=max(1, s.total_concurrency // len(shares))
        ),
    )
    context = multiprocessing.get_context("fork")
    readers: dict[Connection, tuple[BaseProcess, dict[str, Fiche]]] = {}
    with heap_frozen():
        for index, share in enumerate(shares):
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(
                target=_probe_share,
                args=(share, share_policy, now, env, sender),
                name=f"probe-{index + 1}",
                daemon=True,  # never outlives the run
            )
            process.start()
            sender.close()
            readers[receiver] = (process, {fiche.id: fiche for fiche in share})
    return _receive(readers, now)


def shares_by_host(fiches: Sequence[Fiche], count: int) -> list[list[Fiche]]:
    """At most ``count`` shares of the fiches, no server asked from two of them.

    Fiches that share a host (through any probed distribution) stay together, so each
    process keeps the whole per-host limit and a server is asked no harder than by one
    process; only a redirect to another host can make two processes meet there.
    Groups go largest first to the share with the fewest requests.
    """
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    keys = []
    for fiche in fiches:
        hosts = [
            f"host:{(urlsplit(str(d.url)).hostname or '').lower()}"
            for d in fiche.distributions
            if d.probe
        ] or [f"fiche:{fiche.id}"]
        for host in hosts[1:]:
            parent[root(host)] = root(hosts[0])
        keys.append(hosts[0])
    groups: dict[str, list[Fiche]] = {}
    for fiche, key in zip(fiches, keys, strict=True):
        groups.setdefault(root(key), []).append(fiche)
    place: dict[str, int] = {}
    load = [0] * count
    for group in sorted(groups.values(), key=_requests, reverse=True):
        lightest = load.index(min(load))
        place.update((fiche.id, lightest) for fiche in group)
        load[lightest] += _requests(group)
    # Each share keeps the given order, in which hosts alternate: a share that asked
    # one host after the other would wait on each host's limit in turn.
    shares: list[list[Fiche]] = [[] for _ in range(count)]
    for fiche in fiches:
        shares[place[fiche.id]].append(fiche)
    return [share for share in shares if share]


def _requests(fiches: list[Fiche]) -> int:
    return sum(sum(d.probe for d in fiche.distributions) for fiche in fiches) + len(fiches)


def _receive(
    readers: dict[Connection, tuple[BaseProcess, dict[str, Fiche]]], now: datetime
) -> Iterator[Observation]:
    try:
        while readers:
            for receiver in wait_readable(list(readers)):
                process, left = readers[receiver]
                try:
                    observation = receiver.recv()
                except EOFError:  # the process is done, or died
                    del readers[receiver]
                    receiver.close()
                    process.join()
                    detail = f"het probeerproces stopte onverwacht (exitcode {process.exitcode})"
                    for fiche in left.values():
                        yield _not_probed(fiche, now, detail)
                    continue
                left.pop(observation.fiche_id, None)
                yield observation
    finally:
        for receiver, (process, _) in readers.items():  # a consumer that stopped early
            process.terminate()
            receiver.close()
            process.join()


def _probe_share(
    share: list[Fiche],
    policy: FetchPolicy,
    now: datetime,
    env: Mapping[str, str],
    sender: Connection,
) -> None:
    # Ctrl-C is the parent's to handle: it stops these processes in its own time.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with sender, Fetcher(policy) as fetcher:
        for observation in probe_all(share, fetcher, now, env):
            sender.send(observation)
