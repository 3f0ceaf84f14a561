"""Spread independent, CPU-bound work over the machine's cores.

Rendering 2,000 pages is pure Python: one process uses one core however many the
runner has. Workers are forked, not spawned, so they start in milliseconds with
everything the parent already loaded (templates, fiches, diagnoses); only the items
and the results cross a pipe.
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
    inherited, and so copy every page of the parent into the child (97 MB a probing
    process at 10,000 fiches, 53 MB frozen); frozen, it leaves them alone."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def fork_map(func: Callable[[Item], Result], items: Sequence[Item], min_items: int) -> list[Result]:
    """``[func(item) for item in items]``, on every core when there are ``min_items``.

    ``func`` must be a module-level function (or a ``functools.partial`` of one) and
    its results picklable. Below ``min_items``, on one core, or where forking is not
    safe, it runs in this process: starting workers would cost more than it saves.
    """
    cores = fork_workers(len(items), min_items)
    if cores == 1:
        return [func(item) for item in items]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(cores, mp_context=context) as pool:
        # Eight chunks per core: items differ in cost (a dataset page is 3 × a picture),
        # so a worker that finishes early takes the next chunk instead of idling.
        chunk = math.ceil(len(items) / (8 * cores))
        return list(pool.map(func, items, chunksize=chunk))
