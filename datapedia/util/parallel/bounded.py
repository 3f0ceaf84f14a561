"""One call on untrusted input in a fresh process under hard CPU and memory limits.

``BoundedRunner.run(func, payload, *args)`` starts a process, sends it ``payload``
(raw bytes, not pickled: it may be tens of megabytes), and returns what
``func(payload, *args)`` returned, or raises what it raised. A call over its CPU time
or address space raises ``OverBudget``; a process that dies otherwise raises
``WorkerDied``. The process is spawned, not forked: the caller may run threads (a
fork could inherit a lock one of them held). At most ``slots`` such processes run at
once per runner, so the memory they may take together is ``slots`` times the budget.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from datapedia.util.parallel.budget import Budget, OverBudget, limit_this_process

# Time to wait beyond the CPU budget before a silent process is stopped: starting
# Python and the payload's transfer are not CPU time of the call itself.
_WALL_GRACE_S = 30


class WorkerDied(Exception):
    """The process stopped without an answer, for another reason than its budget."""


class BoundedRunner:
    def __init__(self, limits: Budget, slots: int = 1):
        self.limits = limits
        self._slots = threading.BoundedSemaphore(slots)

    def run(self, func: Callable[..., Any], payload: bytes, *args: Any) -> Any:
        context = multiprocessing.get_context("spawn")
        with self._slots:
            receiver, sender = context.Pipe()
            process = context.Process(
                target=_serve, args=(sender, self.limits, func, args), daemon=True
            )
            process.start()
            sender.close()
            try:
                receiver.send_bytes(payload)
                del payload
                answer = _answer(receiver, self.limits)
            finally:
                receiver.close()
                if process.is_alive():
                    process.kill()
                process.join()
        if answer is None:
            raise _death(process.exitcode, self.limits)
        kind, value = answer
        if kind == "ok":
            return value
        if kind == "over":
            raise OverBudget(value)
        raise value


def _answer(receiver: Connection, limits: Budget) -> tuple[str, Any] | None:
    """The process's answer, or None when it died or stayed silent past its time."""
    if not receiver.poll(limits.cpu_s + _WALL_GRACE_S):
        return None
    try:
        return receiver.recv()
    except (EOFError, OSError):
        return None


def _death(exitcode: int | None, limits: Budget) -> Exception:
    if exitcode in (-signal.SIGKILL, -signal.SIGXCPU, None):
        # The kernel's kill past the hard CPU limit, or ours past the wall-clock wait.
        return OverBudget(limits.cpu_text())
    return WorkerDied(f"werkproces stopte onverwacht (exitcode {exitcode})")


def _serve(sender: Connection, limits: Budget, func: Callable[..., Any], args: tuple) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the caller's to handle
    try:
        limit_this_process(limits)
        result: tuple[str, Any] = ("ok", func(sender.recv_bytes(), *args))
    except OverBudget as error:
        result = ("over", str(error))
    except MemoryError:
        result = ("over", limits.memory_text())
    except Exception as error:
        result = ("raised", error)
    try:
        sender.send(result)
    except Exception as error:  # an answer that does not pickle, or no memory left to
        sender.send(("raised", WorkerDied(f"{type(error).__name__}: {error}")))
