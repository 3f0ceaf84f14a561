"""Fixtures shared by test modules."""

from __future__ import annotations

import threading

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_cache_home(tmp_path_factory):
    """The parse cache (datapedia.load.cache.FicheCache) of every test lives in a temporary
    folder, never in the home folder of the machine running the tests."""
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache-home")))
    yield
    patch.undo()


@pytest.fixture(autouse=True, scope="session")
def _canary_without_internet():
    """The no-network canary (datapedia.probe.canary) asks a closed local port, never the
    internet; a test that needs a live canary sets DATAPEDIA_CANARY itself."""
    patch = pytest.MonkeyPatch()
    patch.setenv("DATAPEDIA_CANARY", "http://127.0.0.1:9/")
    yield
    patch.undo()


@pytest.fixture
def single_threaded():
    """A process with no other thread, as `datapedia build` is: forking is then safe.

    tqdm's monitor thread outlives any test that showed a progress bar; stop it,
    whichever tqdm class started it (Great Expectations uses its own).
    """
    from tqdm.std import TMonitor

    for thread in threading.enumerate():
        if isinstance(thread, TMonitor):
            thread.exit()
            thread.join()
    assert threading.active_count() == 1, threading.enumerate()
