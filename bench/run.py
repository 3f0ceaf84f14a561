"""Benchmark the datapedia CLI on N synthetic fiches: ``python bench/run.py --n 1000``.

See bench/README.md for what is measured and bench/RESULTS.md for the numbers.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV_PYTHON = HERE.parent / ".venv" / "bin" / "python"

# The harness needs the project's environment (pyyaml, datapedia); re-run under it
# when started with another interpreter, so `python bench/run.py` just works.
if Path(sys.prefix).resolve() != VENV_PYTHON.parent.parent.resolve() and VENV_PYTHON.exists():
    os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])

sys.path.insert(0, str(HERE))
import bench_harness  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="number of fiches (default 1000)")
    parser.add_argument("--delay-ms", type=float, default=100.0, help="server delay per request")
    parser.add_argument(
        "--concurrency",
        type=int,
        help="global concurrency for the ideal time (default TRANSPORT.total_concurrency)",
    )
    parser.add_argument("--hosts", type=int, help="loopback host names 127.0.0.1..x")
    parser.add_argument("--skip-build", action="store_true", help="skip rendering and mkdocs")
    parser.add_argument(
        "--shards", type=int, default=2, help="check as this many parallel shards (0: skip)"
    )
    parser.add_argument(
        "--rows", type=int, default=8, help="rows (stations, segments) per synthetic feed"
    )
    parser.add_argument(
        "--profile", action="store_true", help="run datapedia steps under cProfile (slower)"
    )
    parser.add_argument("--out", type=Path, help="throw-away repo (default bench/out/n<N>)")
    args = parser.parse_args(argv)
    out = args.out or HERE / "out" / f"n{args.n}"
    info = bench_harness.machine_info("python bench/run.py " + " ".join(sys.argv[1:]))
    result = bench_harness.run_bench(
        n=args.n,
        out=out,
        delay_ms=args.delay_ms,
        concurrency=args.concurrency,
        skip_build=args.skip_build,
        hosts=args.hosts,
        profile=args.profile,
        shards=args.shards,
        rows=args.rows,
        log=lambda line: print(line, file=sys.stderr, flush=True),
    )
    info.append(f"- load average at the end: {bench_harness.load_average()}")
    info.append(f"- CPU probe at the end: {bench_harness.cpu_probe():.2f} s")
    report = bench_harness.markdown(result) + "\n" + "\n".join(info) + "\n"
    (out / "results.md").write_text(report, encoding="utf-8")
    (out / "results.json").write_text(result.to_json(), encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
