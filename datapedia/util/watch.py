"""Re-render the site's Markdown when a fiche or ``checks/`` changes (``datapedia serve``).

mkdocs watches only its own ``site/`` folder; the pages there are made from the fiches
and ``checks/``. A thread compares the files' sizes and modification times once a
second and renders again when they differ; mkdocs then sees the new pages and reloads
the browser.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

POLL_S = 1.0


def fingerprint(folders: Iterable[Path]) -> frozenset[tuple[str, int, int]]:
    """(path, mtime, size) of every file under ``folders``; missing folders count as empty."""
    seen = set()
    for folder in folders:
        for path in Path(folder).rglob("*"):
            try:
                stat = path.stat()
            except OSError:  # removed while we looked
                continue
            if path.is_file():
                seen.add((os.fspath(path), stat.st_mtime_ns, stat.st_size))
    return frozenset(seen)


class RenderOnChange:
    """Calls ``render`` after each ``poll`` that finds the files under ``folders`` changed."""

    def __init__(self, folders: list[Path], render: Callable[[], object]):
        self.folders, self.render = folders, render
        self.seen = fingerprint(folders)

    def poll(self) -> bool:
        current = fingerprint(self.folders)
        if current == self.seen:
            return False
        self.seen = current
        self.render()
        return True

    def start(self) -> Callable[[], None]:
        """Poll every ``POLL_S`` in a thread; returns the function that stops it."""
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(POLL_S):
                self.poll()

        thread = threading.Thread(target=loop, name="datapedia-volg", daemon=True)
        thread.start()

        def end() -> None:
            stop.set()
            thread.join()  # a render in progress finishes before serve returns

        return end
