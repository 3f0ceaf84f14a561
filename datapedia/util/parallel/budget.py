"""What one call may cost in a worker process: CPU seconds and address space.

``budget`` sets soft limits for a block and restores them afterwards, so a long-lived
worker lives on after a call that went over; ``limit_this_process`` sets hard ones in
a process that exists for one call only. Either way a call over its CPU time raises
``OverBudget`` and an allocation beyond the address space raises ``MemoryError``.
"""

from __future__ import annotations

import contextlib
import math
import os
import resource
import signal
from collections.abc import Iterator
from dataclasses import dataclass

# What a fresh process gets beyond its soft CPU limit before the kernel kills it: the
# signal at the soft limit only lands between two bytecodes, and a C loop may not end.
HARD_CPU_GRACE_S = 2


class OverBudget(Exception):
    """A call used up its CPU time or memory (message in Dutch)."""


@dataclass(frozen=True)
class Budget:
    """CPU seconds and bytes of address space on top of what the process holds already."""

    cpu_s: int
    memory_bytes: int

    def cpu_text(self) -> str:
        return f"meer dan {self.cpu_s} s rekentijd"

    def memory_text(self) -> str:
        return f"meer dan {self.memory_bytes // (1024 * 1024)} MB geheugen"


@contextlib.contextmanager
def budget(limits: Budget) -> Iterator[None]:
    """Soft CPU and address-space limits for what runs inside, in this process.

    The CPU limit counts from what the process used so far, and its signal raises
    ``OverBudget`` in the main thread (pure Python code is interrupted between two
    bytecodes); the address-space limit makes an allocation fail with MemoryError.
    Both go back to what they were afterwards.
    """
    old_cpu = resource.getrlimit(resource.RLIMIT_CPU)
    old_as = resource.getrlimit(resource.RLIMIT_AS)
    old_handler = signal.getsignal(signal.SIGXCPU)
    _raise_on_cpu_signal(limits)
    soft_cpu = _cpu_used() + limits.cpu_s
    resource.setrlimit(resource.RLIMIT_CPU, (_capped(soft_cpu, old_cpu[1]), old_cpu[1]))
    vm = address_space()
    if vm is not None:
        soft_as = _capped(vm + limits.memory_bytes, old_as[1])
        resource.setrlimit(resource.RLIMIT_AS, (soft_as, old_as[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_CPU, old_cpu)
        resource.setrlimit(resource.RLIMIT_AS, old_as)
        signal.signal(signal.SIGXCPU, old_handler)


def limit_this_process(limits: Budget) -> None:
    """Hard limits for a process that runs one call and exits: they cannot be raised
    again, and past the CPU limit plus a grace the kernel kills the process."""
    _raise_on_cpu_signal(limits)
    soft_cpu = _cpu_used() + limits.cpu_s
    resource.setrlimit(resource.RLIMIT_CPU, (soft_cpu, soft_cpu + HARD_CPU_GRACE_S))
    vm = address_space()
    if vm is not None:
        total = vm + limits.memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (total, total))


def _raise_on_cpu_signal(limits: Budget) -> None:
    def over(_signum: int, _frame: object) -> None:
        raise OverBudget(limits.cpu_text())

    signal.signal(signal.SIGXCPU, over)


def _cpu_used() -> int:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return math.ceil(usage.ru_utime + usage.ru_stime)


def _capped(soft: int, hard: int) -> int:
    return soft if hard == resource.RLIM_INFINITY else min(soft, hard)


def address_space() -> int | None:
    """Bytes of address space this process maps now (Linux), or None."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None
