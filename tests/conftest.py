"""Fixtures shared by test modules."""

from __future__ import annotations

import threading

import pytest


@pytest.fixture
def single_threaded():
    """A process with no other thread, as `datapedia build` is: forking is then safe.

    tqdm's monitor thread outlives any test that showed a progress bar; stop it.
    """
    from tqdm import tqdm

    if tqdm.monitor is not None:
        tqdm.monitor.exit()
        tqdm.monitor.join()
    assert threading.active_count() == 1, threading.enumerate()
