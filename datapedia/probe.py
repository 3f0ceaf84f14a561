"""The probe step: ask every endpoint of every fiche once and record what came back.

Raw measurements only (``Observation``); judging them is the diagnosis' job. Keys
come from the environment (the fiche names the variable), are sent in a header or
query parameter, and never appear in what is recorded.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime
from urllib.parse import urlencode, urlsplit

from datapedia.fiche import DatasetStatus, Distribution, Fiche
from datapedia.net import Fetcher, FetchResult, redact
from datapedia.probes import ParseContext, ParseError, adapter_for
from datapedia.results import EndpointObservation, Observation

MISSING_KEY = "sleutel ontbreekt: omgevingsvariabele {env} is niet gezet"


def probe_fiche(
    fiche: Fiche, fetcher: Fetcher, now: datetime, env: Mapping[str, str]
) -> Observation:
    """One ``EndpointObservation`` per distribution with ``probe: true``."""
    observation = Observation(fiche_id=fiche.id, checked_at=now)
    if fiche.status == DatasetStatus.ontbrekend:
        return observation
    for index, distribution in enumerate(fiche.distributions):
        if distribution.probe:
            observation.endpoints.append(probe_distribution(index, distribution, fetcher, now, env))
    return observation


def probe_distribution(
    index: int,
    distribution: Distribution,
    fetcher: Fetcher,
    now: datetime,
    env: Mapping[str, str],
) -> EndpointObservation:
    url = str(distribution.url)
    base = EndpointObservation(
        distribution=index,
        title=distribution.title,
        protocol=distribution.protocol.value,
        url=url,
    )
    headers = {"Accept": f"{distribution.format}, */*;q=0.1"}
    secrets: list[str] = []
    auth = distribution.auth
    if auth.env:
        key = env.get(auth.env)
        if not key:
            return base.model_copy(update={"skipped": MISSING_KEY.format(env=auth.env)})
        secrets.append(key)
        if auth.header:
            headers[auth.header] = key
        if auth.param:
            url = with_param(url, auth.param, key)
    try:
        adapter = adapter_for(distribution.protocol)
        result = fetcher.fetch(url, headers=headers, method=adapter.method, secrets=secrets)
        observed = base.model_copy(update=_transport(result))
        if not result.ok:
            return observed
        ctx = ParseContext(now=now, thresholds=fetcher.policy.thresholds)
        body, result.body = result.body or b"", None  # the body is not kept past parsing
        try:
            content = adapter.parse(body, distribution, ctx).fields()
        except ParseError as error:
            content = {"parsed": False, "parse_error": redact(str(error), secrets)}
        except Exception as error:  # a parser bug must not stop the run
            detail = f"onverwachte fout bij het lezen: {type(error).__name__}: {error}"
            content = {"parsed": False, "parse_error": redact(detail, secrets)}
        return observed.model_copy(update=content)
    except Exception as error:  # never let one endpoint take the run down
        return base.model_copy(
            update={
                "error": "internal",
                "error_detail": redact(f"{type(error).__name__}: {error}", secrets),
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
    }


def with_param(url: str, name: str, value: str) -> str:
    """Append one query parameter, keeping the URL as the fiche wrote it."""
    parts = urlsplit(url)
    added = urlencode({name: value})
    return parts._replace(query=f"{parts.query}&{added}" if parts.query else added).geturl()


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
    sample) in memory at once: 653 MB for 10,000 small fiches in the benchmark.
    """
    size = workers or fetcher.policy.thresholds.total_concurrency
    pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="probe")
    pending: set[Future[Observation]] = set()
    queue = iter(fiches)
    try:
        while True:
            for fiche in itertools.islice(queue, 2 * size - len(pending)):
                pending.add(pool.submit(_probe_safely, fiche, fetcher, now, env))
            if not pending:
                break
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
    finally:
        # a consumer that stops early must not wait for feeds nobody will read
        pool.shutdown(wait=True, cancel_futures=True)


def _probe_safely(
    fiche: Fiche, fetcher: Fetcher, now: datetime, env: Mapping[str, str]
) -> Observation:
    try:
        return probe_fiche(fiche, fetcher, now, env)
    except Exception as error:  # one bad fiche never stops the others
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
                    error_detail=f"{type(error).__name__}: {error}",
                )
                for index, d in enumerate(fiche.distributions)
                if d.probe
            ],
        )
