"""fork_map: the same results as a list comprehension, on all cores only when safe;
worker pools and bounded calls: what they cost is bounded, and a call over it says so."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from datapedia.util import parallel
from datapedia.util.parallel import fork_map
from datapedia.util.parallel.bounded import BoundedRunner, WorkerDied
from datapedia.util.parallel.budget import Budget, OverBudget
from datapedia.util.parallel.pool import WorkerPool


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


# --- worker pools and bounded calls ------------------------------------------------
def _made() -> list[int]:
    return [os.getpid()]


def _state_and_sigint(state: list[int]) -> tuple[list[int], object]:
    return state, signal.getsignal(signal.SIGINT)


def _spin(state: object) -> None:
    started = time.process_time()
    while time.process_time() < started + 30:  # CPU seconds: the budget is 1
        pass


def test_a_worker_sets_up_once_and_leaves_ctrl_c_to_the_run(single_threaded):
    with WorkerPool(1, _made, Budget(60, 1024**3)) as workers:
        first, handler = workers.submit(_state_and_sigint).result(timeout=60)
        second, _ = workers.submit(_state_and_sigint).result(timeout=60)
    assert first == second and first != [os.getpid()]  # one state, made in the worker
    assert handler == signal.SIG_IGN


def test_a_call_over_its_budget_raises_and_the_worker_lives_on(single_threaded):
    with WorkerPool(1, _made, Budget(1, 1024**3)) as workers:
        with pytest.raises(OverBudget, match="rekentijd"):
            workers.submit(_spin).result(timeout=60)
        assert workers.submit(_state_and_sigint).result(timeout=60)[0]
        assert not workers.broken


def _length(payload: bytes, extra: int) -> int:
    return len(payload) + extra


def _allocate(payload: bytes) -> int:
    return len(bytearray(512 * 1024 * 1024))


def _busy(payload: bytes) -> None:
    while True:  # pure Python: the soft limit's signal lands between two bytecodes
        pass


def _busy_in_c(payload: bytes) -> None:
    signal.signal(signal.SIGXCPU, signal.SIG_IGN)  # as if it never returned to Python
    while True:
        pass


def _refuse(payload: bytes) -> None:
    raise ValueError(payload.decode())


def _die(payload: bytes) -> None:
    os._exit(3)


def test_a_bounded_call_answers_from_another_process():
    runner = BoundedRunner(Budget(30, 256 * 1024**2))
    assert runner.run(_length, b"x" * 3_000_000, 1) == 3_000_001
    with pytest.raises(ValueError, match="kapot"):
        runner.run(_refuse, b"kapot")


@pytest.mark.parametrize("func", [_busy, _busy_in_c, _allocate], ids=["cpu", "cpu-in-c", "memory"])
def test_a_bounded_call_over_its_budget_is_over_budget(func):
    runner = BoundedRunner(Budget(1, 64 * 1024**2))
    with pytest.raises(OverBudget, match="rekentijd|geheugen"):
        runner.run(func, b"")


def test_a_bounded_process_that_dies_is_reported():
    with pytest.raises(WorkerDied, match="exitcode 3"):
        BoundedRunner(Budget(30, 256 * 1024**2)).run(_die, b"")


def _count_company(payload: bytes) -> int:
    """How many calls are inside at once, seen from one of them (a file each)."""
    folder = Path(payload.decode())
    mine = folder / str(os.getpid())
    mine.touch()
    time.sleep(0.3)  # long enough for any other call that may start to be seen
    company = len(list(folder.iterdir()))
    mine.unlink()
    return company


def test_bounded_calls_take_turns_for_the_slots(tmp_path):
    """Two slots: of six calls from six threads, never more than two processes at once."""
    runner = BoundedRunner(Budget(30, 256 * 1024**2), slots=2)
    payload = str(tmp_path).encode()
    with ThreadPoolExecutor(6) as threads:
        seen = list(threads.map(lambda _: runner.run(_count_company, payload), range(6)))
    assert max(seen) <= 2 and len(seen) == 6


def _run_from_here(answers) -> None:
    answers.put(BoundedRunner(Budget(30, 256 * 1024**2)).run(_length, b"abc", 1))


def test_a_daemonic_process_can_make_bounded_calls(single_threaded):
    """Probing processes are daemonic (they never outlive the run), and multiprocessing
    refuses them children of its own: the bounded call starts a plain subprocess."""
    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    probing = context.Process(target=_run_from_here, args=(answers,), daemon=True)
    probing.start()
    try:
        assert answers.get(timeout=60) == 4
    finally:
        probing.join()
