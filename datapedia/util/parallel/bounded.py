"""One call on untrusted input in a fresh process under hard CPU and memory limits.

``BoundedRunner.run(func, payload, *args)`` starts a process, sends it ``payload``
(raw bytes, not pickled: it may be tens of megabytes; or an open file, which the
process reads itself, so the caller never holds it in memory), and returns what
``func(payload, *args)`` returned, or raises what it raised. A call over its CPU time
or address space raises ``OverBudget``; a process that dies otherwise raises
``WorkerDied``. The process is a fresh interpreter (fork and exec at once), not a
fork of the caller: the caller may run threads, and a fork could inherit a lock one of
them held. At most ``slots`` such processes run at once per runner, so the memory they
may take together is ``slots`` times the budget.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import IO, Any

from datapedia.util.parallel.budget import Budget, OverBudget, limit_this_process

# Time to wait beyond the CPU budget before a silent process is stopped: starting
# Python and the payload's transfer are not CPU time of the call itself.
_WALL_GRACE_S = 30
# The child's first lines: the caller's import path, then this module's ``serve``.
_CHILD = (
    "import pickle, sys; sys.path[:0] = pickle.load(sys.stdin.buffer); "
    "from datapedia.util.parallel.bounded import serve; serve()"
)


class WorkerDied(Exception):
    """The process stopped without an answer, for another reason than its budget."""


class BoundedRunner:
    def __init__(self, limits: Budget, slots: int = 1):
        self.limits = limits
        self._slots = threading.BoundedSemaphore(slots)

    def run(self, func: Callable[..., Any], payload: bytes | IO[bytes], *args: Any) -> Any:
        """``func(payload_bytes, *args)`` in a fresh process; ``func`` must be importable.
        A file ``payload`` is read by the process from its current position."""
        fd = None if isinstance(payload, bytes) else payload.fileno()
        header = pickle.dumps(sys.path) + pickle.dumps((self.limits, func, args, fd))
        with self._slots:
            # A plain subprocess, not multiprocessing: a daemonic process (a forked
            # probing process is one) may not start multiprocessing children.
            child = subprocess.Popen(
                [sys.executable, "-c", _CHILD],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                pass_fds=() if fd is None else (fd,),
            )
            try:
                assert child.stdin is not None
                child.stdin.write(header)
                data = payload if fd is None else b""
                out, _ = child.communicate(data, timeout=self.limits.cpu_s + _WALL_GRACE_S)
            except (subprocess.TimeoutExpired, BrokenPipeError):
                child.kill()
                out, _ = child.communicate()
            finally:
                if child.poll() is None:
                    child.kill()
                child.wait()
        del payload
        answer = _answer(out)
        if answer is None:
            raise _death(child.returncode, self.limits)
        kind, value = answer
        if kind == "ok":
            return value
        if kind == "over":
            raise OverBudget(value)
        raise value


def _answer(out: bytes) -> tuple[str, Any] | None:
    # Our own child's answer, pickled from values it built (as multiprocessing's are):
    # the untrusted body is data inside it, never pickle opcodes.
    try:
        return pickle.loads(out) if out else None  # noqa: S301
    except Exception:  # cut off mid-answer
        return None


def _death(returncode: int | None, limits: Budget) -> Exception:
    if returncode in (-signal.SIGKILL, -signal.SIGXCPU, None):
        # The kernel's kill past the hard CPU limit, or ours past the wall-clock wait.
        return OverBudget(limits.cpu_text())
    return WorkerDied(f"werkproces stopte onverwacht (exitcode {returncode})")


def serve() -> None:
    """The child's side: read the call and the payload from stdin, answer on stdout."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the caller's to handle
    answer = os.fdopen(os.dup(1), "wb")
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # a stray print cannot garble the answer
    limits, func, args, fd = pickle.load(sys.stdin.buffer)  # noqa: S301 - from the caller
    try:
        limit_this_process(limits)
        with os.fdopen(fd, "rb") if fd is not None else sys.stdin.buffer as source:
            payload = source.read()
        result: tuple[str, Any] = ("ok", func(payload, *args))
    except OverBudget as error:
        result = ("over", str(error))
    except MemoryError:
        result = ("over", limits.memory_text())
    except Exception as error:
        result = ("raised", error)
    try:
        data = pickle.dumps(result)
    except Exception as error:  # an answer that does not pickle
        data = pickle.dumps(("raised", WorkerDied(f"{type(error).__name__}: {error}")))
    with answer:
        answer.write(data)
