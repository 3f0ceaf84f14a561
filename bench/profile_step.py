"""Run one ``datapedia`` command under cProfile: ``profile_step.py OUT.txt -- ARGS``.

Writes the 30 functions with the highest cumulative time to OUT.txt (and the raw
stats to OUT.prof), so a slow step in the benchmark table says where its time goes.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
from pathlib import Path

from datapedia.cli.main import main

if __name__ == "__main__":
    out, args = Path(sys.argv[1]), sys.argv[3:]
    profiler = cProfile.Profile()
    try:
        code = profiler.runcall(main, args)
    finally:
        profiler.dump_stats(out.with_suffix(".prof"))
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(30)
        out.write_text(text.getvalue(), encoding="utf-8")
    sys.exit(code)
