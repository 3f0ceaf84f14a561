"""fork_map: the same results as a list comprehension, on all cores only when safe."""

from __future__ import annotations

import os
import threading

from datapedia.util import parallel
from datapedia.util.parallel import fork_map


def _square_and_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def test_results_keep_their_order_and_come_from_workers(monkeypatch, single_threaded):
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    results = fork_map(_square_and_pid, list(range(50)), min_items=10)
    assert [r for r, _ in results] == [n * n for n in range(50)]
    assert os.getpid() not in {pid for _, pid in results}


def test_small_batches_and_single_cores_stay_in_process(monkeypatch):
    assert {pid for _, pid in fork_map(_square_and_pid, [1, 2, 3], min_items=10)} == {os.getpid()}
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 1)
    results = fork_map(_square_and_pid, list(range(50)), min_items=10)
    assert {pid for _, pid in results} == {os.getpid()}


def test_no_fork_while_another_thread_runs(monkeypatch):
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        results = fork_map(_square_and_pid, list(range(50)), min_items=10)
    finally:
        stop.set()
        thread.join()
    assert {pid for _, pid in results} == {os.getpid()}
