"""Work in other processes: the steps pass a function and items, never fork themselves.

* ``fork_map``: independent, CPU-bound work (rendering pages, reading fiches) over the
  machine's cores. Workers are forked, not spawned, so they start in milliseconds with
  everything the parent already loaded; only the items and the results cross a pipe.
* ``pool.WorkerPool``: long-lived workers that each set up their state once (a library
  context) and run every call under a CPU and memory budget (``budget``).
* ``bounded.BoundedRunner``: one call in a fresh process under hard CPU and memory
  limits, for work on untrusted input that may never stop or never fit.

It may touch processes, signals and resource limits; it knows nothing of datasets.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def can_fork() -> bool:
    # Forking a process that runs threads can deadlock the child on a lock one of
    # those threads held; rendering runs before any thread starts. Linux only: macOS
    # system libraries are not fork-safe (Python spawns there by default).
    return sys.platform == "linux" and threading.active_count() == 1


def fork_workers(items: int, min_items: int) -> int:
    """How many forked processes ``items`` pieces of work are worth: one per core from
    ``min_items`` on, where forking is safe; else 1, this process."""
    cores = os.cpu_count() or 1
    if items < min_items or cores < 2 or not can_fork():
        return 1
    return cores


@contextmanager
def heap_frozen() -> Iterator[None]:
    """Fork inside this. A child's garbage collector would write to every object it
    inherited, and so copy every page of the parent into the child; frozen, it leaves
    them alone (bench/RESULTS.md has the measurement)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class _Forked:
    """The function a forked worker was started with. Set once, in the worker process
    only (by the pool's initializer), so the parent's state never changes: a step can
    pass any function, closures included, and nothing but items and results is pickled."""

    func: Callable | None = None

    @classmethod
    def adopt(cls, func: Callable) -> None:
        cls.func = func

    @classmethod
    def call(cls, item):
        return cls.func(item)


def fork_map(func: Callable[[Item], Result], items: Sequence[Item], min_items: int) -> list[Result]:
    """``[func(item) for item in items]``, on every core when there are ``min_items``.

    ``func`` may be any function (workers inherit it by forking); items and results
    must be picklable. Below ``min_items``, on one core, or where forking is not
    safe, it runs in this process: starting workers would cost more than it saves.
    """
    cores = fork_workers(len(items), min_items)
    if cores == 1:
        return [func(item) for item in items]
    context = multiprocessing.get_context("fork")
    # Forked processes receive the initializer's arguments by inheritance, unpickled.
    with (
        heap_frozen(),
        ProcessPoolExecutor(
            cores, mp_context=context, initializer=_Forked.adopt, initargs=(func,)
        ) as pool,
    ):
        # Eight chunks per core: items differ in cost (a dataset page costs more than a
        # picture), so a worker that finishes early takes the next chunk instead of idling.
        chunk = math.ceil(len(items) / (8 * cores))
        return list(pool.map(_Forked.call, items, chunksize=chunk))
