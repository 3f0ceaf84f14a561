"""Long-lived worker processes, each with state it sets up once, running calls under a budget.

A step hands over a ``setup`` (called once per worker, e.g. to make a library
context) and then submits ``func(state, *args)`` calls. Workers are forked where that
is safe (no other thread yet), else spawned. A worker that dies breaks the pool: the
calls it held fail, ``submit`` returns None from then on and the step does the rest
itself.
"""

from __future__ import annotations

import functools
import multiprocessing
import signal
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Generic, TypeVar

from datapedia.util.parallel import can_fork, heap_frozen
from datapedia.util.parallel.budget import Budget, budget

State = TypeVar("State")


class WorkerPool(Generic[State]):
    """``workers`` processes; call ``submit`` from the thread that made the pool."""

    def __init__(self, workers: int, setup: Callable[[], State], limits: Budget):
        # Forked where that is safe (no thread yet): a spawned worker first spends a
        # good half second of CPU starting Python and importing the package.
        context = multiprocessing.get_context("fork" if can_fork() else "spawn")
        self.start_method = context.get_start_method()
        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            workers, mp_context=context, initializer=_ignore_ctrl_c
        )
        self._setup = setup
        self._limits = limits
        self._started = False

    @property
    def broken(self) -> bool:
        """Whether a worker died (or the pool was closed): calls run in-process then."""
        return self._pool is None

    def submit(self, func: Callable[..., Any], *args: Any) -> Future | None:
        """``func(state, *args)`` in a worker, or None when the pool is broken."""
        if self._pool is None:
            return None
        call = functools.partial(_call, self._setup, self._limits, func)
        try:
            if self._started:
                return self._pool.submit(call, *args)
            # Forked workers start at the first submit, before the pool starts its thread.
            with heap_frozen():
                future = self._pool.submit(call, *args)
            self._started = True
            return future
        except BrokenProcessPool:
            self.close()
            return None

    def close(self, wait: bool = True) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> WorkerPool[State]:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        # After Ctrl-C no call is waited for: a worker may still be setting up.
        self.close(wait=not (kind and issubclass(kind, KeyboardInterrupt)))


@functools.cache
def _state_of(setup: Callable[[], Any]) -> Any:
    """The worker's state, made by its first call (one per worker process and setup)."""
    return setup()


def _call(setup: Callable[[], Any], limits: Budget, func: Callable[..., Any], *args: Any) -> Any:
    with budget(limits):
        return func(_state_of(setup), *args)


def _ignore_ctrl_c() -> None:
    """Ctrl-C reaches every process of the terminal; the run stops these in its own time
    instead of each printing a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
