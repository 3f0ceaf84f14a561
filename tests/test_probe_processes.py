"""Probing from forked processes: the same observations as threads, hosts kept apart.

The feed servers run as separate processes (``python -m http.server``), not as
threads: a process that forks must have no other thread (``parallel.can_fork``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
from factories import NOW, make_fiche, options, write_fiche

from datapedia import pipeline
from datapedia.cli.check import check_and_print
from datapedia.model.results import Observation
from datapedia.probe import runner as probe_module
from datapedia.probe.runner import probe_all, probe_forked, probe_processes, shares_by_host
from datapedia.probe.transport import Fetcher, FetchPolicy
from datapedia.store.checks import ChecksStore

CSV = "teller;tijdstip;aantal\nT1;2026-11-23T05:00:00+01:00;12\nT2;2026-11-23T04:30:00+01:00;7\n"
POLICY = FetchPolicy(allow_private=True)


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def feeds(tmp_path_factory):
    """Two servers, on 127.0.0.1 and 127.0.0.2, serving the same folder."""
    folder = tmp_path_factory.mktemp("feeds")
    (folder / "tellingen.csv").write_text(CSV, encoding="utf-8")
    (folder / "leeg.csv").write_text("teller;tijdstip;aantal\n", encoding="utf-8")
    servers, bases = [], []
    for host in ("127.0.0.1", "127.0.0.2"):
        port = _free_port(host)
        command = [sys.executable, "-m", "http.server", str(port), "--bind", host]
        servers.append(
            subprocess.Popen(
                command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        )
        bases.append(f"http://{host}:{port}")
    try:
        for base in bases:
            host, port = base.removeprefix("http://").split(":")
            deadline = time.monotonic() + 10
            while True:
                try:
                    socket.create_connection((host, int(port)), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        pytest.fail(f"feed server on {base} did not start")
                    time.sleep(0.05)
        yield bases
    finally:
        for server in servers:
            server.terminate()
            server.wait(10)


def csv_distribution(url: str, **extra) -> dict:
    return {
        "title": "Tellingen",
        "protocol": "csv",
        "url": url,
        "format": "text/csv",
        "timestamp_field": "tijdstip",
        "id_field": "teller",
        **extra,
    }


def feed_fiches(feeds: list[str]) -> list:
    one, two = feeds
    fiches = [
        make_fiche(id=f"telling-{i}", distributions=[csv_distribution(f"{one}/tellingen.csv")])
        for i in range(5)
    ]
    fiches += [
        make_fiche(id=f"andere-{i}", distributions=[csv_distribution(f"{two}/tellingen.csv")])
        for i in range(4)
    ]
    fiches += [
        make_fiche(id="leeg", distributions=[csv_distribution(f"{two}/leeg.csv")]),
        make_fiche(id="weg", distributions=[csv_distribution(f"{one}/bestaat-niet.csv")]),
        make_fiche(
            id="niet-gevraagd",
            distributions=[csv_distribution(f"{one}/tellingen.csv", probe=False)],
        ),
    ]
    return fiches


def comparable(observation: Observation) -> dict:
    data = observation.model_dump(mode="json")
    for endpoint in data["endpoints"]:
        endpoint.pop("latency_ms")  # the one measurement that differs between runs
    return data


def test_forked_probing_gives_what_threads_give(feeds, single_threaded):
    fiches = feed_fiches(feeds)
    with Fetcher(POLICY) as fetcher:
        threaded = {o.fiche_id: comparable(o) for o in probe_all(fiches, fetcher, NOW, {})}
    forked = {o.fiche_id: comparable(o) for o in probe_forked(fiches, POLICY, NOW, {}, 2)}
    assert forked == threaded
    assert len(forked) == len(fiches)
    assert forked["telling-0"]["endpoints"][0]["records"] == 2
    assert forked["weg"]["endpoints"][0]["status_code"] == 404
    assert forked["niet-gevraagd"]["endpoints"] == []
    assert threading.active_count() == 1  # every probing process was joined


def test_a_probe_process_that_dies_costs_only_the_fiches_it_had_not_sent(
    monkeypatch, single_threaded
):
    def dies_after_one(share, fetcher, now, env):
        yield Observation(fiche_id=share[0].id, checked_at=now)
        if share[0].id.startswith("b-"):
            os._exit(7)  # this forked child only
        yield from (Observation(fiche_id=f.id, checked_at=now) for f in share[1:])

    monkeypatch.setattr(probe_module, "probe_all", dies_after_one)
    fiches = [
        make_fiche(id=f"{host}-{i}", distributions=[csv_distribution(f"http://{host}.test/x.csv")])
        for host in ("a", "b")
        for i in range(3)
    ]
    observations = {o.fiche_id: o for o in probe_forked(fiches, POLICY, NOW, {}, 2)}
    assert sorted(observations) == sorted(f.id for f in fiches)
    assert all(not o.endpoints for fid, o in observations.items() if fid.startswith("a-"))
    assert not observations["b-0"].endpoints  # sent before the process died
    for fid in ("b-1", "b-2"):
        (lost,) = observations[fid].endpoints
        assert lost.error == "internal" and "exitcode 7" in lost.error_detail


def test_shares_keep_each_host_in_one_share_and_the_given_order():
    def fiche(fid, *hosts, probe=True):
        urls = [csv_distribution(f"https://{h}/d.csv", probe=probe) for h in hosts]
        return make_fiche(id=fid, distributions=urls)

    # ids in an order in which the hosts alternate, as sorted ids do in practice
    fiches = [
        fiche("01-groot", "GROOT.example"),
        fiche("02-midden", "midden.example"),
        fiche("03-groot", "groot.example"),
        fiche("04-brug", "klein.example", "ander.example"),  # joins two hosts
        fiche("05-groot", "groot.example"),
        fiche("06-midden", "midden.example"),
        fiche("07-klein", "klein.example"),
        fiche("08-groot", "groot.example"),
        fiche("09-ander", "ander.example"),
        fiche("10-stil", "groot.example", probe=False),  # asks nothing: placed anywhere
    ]
    shares = shares_by_host(fiches, 2)
    assert sorted(f.id for share in shares for f in share) == sorted(f.id for f in fiches)
    owner = {}
    for index, share in enumerate(shares):
        assert share == sorted(share, key=lambda f: f.id)  # the given order, kept
        for f in share:
            for d in f.distributions:
                if d.probe:
                    host = d.url.host.lower()
                    assert owner.setdefault(host, index) == index, host
    assert owner["klein.example"] == owner["ander.example"]
    sizes = sorted(len(share) for share in shares)
    assert sizes == [5, 5]  # groot (4) + stil; midden (2) + brug, klein, ander (3)
    assert len(shares_by_host(fiches, 8)) == 4  # no more shares than groups


def test_probe_processes_one_per_core_only_when_it_is_worth_it(monkeypatch, single_threaded):
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert probe_processes(1000, POLICY, min_fiches=100) == 4
    assert probe_processes(99, POLICY, min_fiches=100) == 1
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert probe_processes(1000, POLICY, min_fiches=100) == 1
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert probe_processes(1000, POLICY, min_fiches=100) == 1  # forking is not safe now
    finally:
        stop.set()
        thread.join()


def test_check_probes_from_processes_and_publishes_every_fiche(
    feeds, tmp_path, monkeypatch, single_threaded
):
    for fiche in feed_fiches(feeds):
        write_fiche(tmp_path, **fiche.model_dump(mode="json", exclude_none=True))
    forked_calls = Counter()
    real = probe_module.probe_forked

    def counted(fiches, policy, now, env, processes):
        forked_calls[processes] += 1
        return real(fiches, policy, now, env, processes)

    monkeypatch.setattr(probe_module, "probe_forked", counted)
    monkeypatch.setattr(pipeline, "PROBE_PROCESSES_MIN_FICHES", 2)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    code = check_and_print(options(tmp_path, allow_private=True), bar=False)
    assert forked_calls == {2: 1}
    store = ChecksStore(tmp_path / "checks")
    assert len(store.ids()) == 12
    assert code == 1  # "weg" answers 404
    assert store.read_latest("telling-3").endpoints[0].records == 2
    assert store.read_latest("weg").endpoints[0].status_code == 404
