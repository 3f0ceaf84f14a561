"""Run ``datapedia check --offline`` and die (``os._exit``) at a chosen point of the commit.

Used by ``test_interrupt.py`` as ``python crash_child.py ROOT NOW POINT N``:

* ``staging N``: while staging, just before the N-th staged file is written;
* ``journal 0``: with every file staged, just before the journal ``COMMIT`` is written;
* ``rename N``: with the journal written, just before the N-th file is moved into place.

``os._exit`` skips every ``finally`` and ``atexit``: as close to a power cut as a test gets.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

CRASH_EXIT = 86


def arm(point: str, n: int) -> None:
    from datapedia.store import checks as store

    real_replace, real_write_staged = os.replace, store.write_staged
    counts = {"staging": 0, "rename": 0}

    def write_staged(path, data):
        counts["staging"] += 1
        if point == "staging" and counts["staging"] == n:
            os._exit(CRASH_EXIT)
        return real_write_staged(path, data)

    def replace(src, dst, *args, **kwargs):
        src, dst = Path(src), Path(dst)
        staged_src = store.STAGING in src.parts
        staged_dst = store.STAGING in dst.parts
        if staged_dst and dst.name == store.JOURNAL:
            if point == "journal":
                os._exit(CRASH_EXIT)
        elif staged_src:
            counts["rename"] += 1
            if point == "rename" and counts["rename"] == n:
                os._exit(CRASH_EXIT)
        return real_replace(src, dst, *args, **kwargs)

    os.replace = replace  # this child process only exists to crash
    store.write_staged = write_staged


def main() -> int:
    root, now, point, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    arm(point, n)
    from datapedia.cli.main import main as cli_main

    return cli_main(
        ["--root", root, "check", "--offline", "--checks", f"{root}/checks", "--now", now]
        + ["--progress", "plain"]
    )


if __name__ == "__main__":
    sys.exit(main())
