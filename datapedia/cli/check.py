"""``datapedia check`` and ``datapedia merge``: run the checks, fold the shards of a night.

The library (``datapedia.pipeline``) returns a ``CheckResult`` or raises; here it is
shown: the invalid fiches, the progress (a bar or lines), the table and the exit code.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from datapedia.cli.exit_codes import EXIT_BROKEN, EXIT_FAILED, EXIT_OK
from datapedia.cli.parser import run_now
from datapedia.model import words
from datapedia.model.results import Dimension, Status

if TYPE_CHECKING:
    from datapedia.pipeline import CheckInterrupted, CheckOptions

# At most this many plain progress lines per run.
PROGRESS_LINES = 100


class Interrupted(KeyboardInterrupt):
    """Ctrl-C; ``kept`` says (in Dutch) what of the run is in the results folder."""

    def __init__(self, kept: str):
        super().__init__(kept)
        self.kept = kept


class Lines:
    """'[3/12] id: status' lines for CI logs, at most ``PROGRESS_LINES`` of them: the
    table at the end lists every dataset, and a log of a line per fiche helped nobody."""

    def __init__(self) -> None:
        self.total = self.count = 0
        self.every = 1

    def start(self, total: int) -> None:
        self.total, self.count = total, 0
        self.every = math.ceil(total / PROGRESS_LINES) or 1

    def advance(self, fiche_id: str, overall: Status, problem: str | None = None) -> None:
        _say_problem(fiche_id, problem)
        self.count += 1
        if self.count % self.every == 0 or self.count == self.total:
            print(f"[{self.count}/{self.total}] {fiche_id}: {overall.value}", flush=True)

    def done(self) -> None:
        pass


class Bar:
    """A tqdm bar on stderr, started when the run starts (after it forked its probes)."""

    def __init__(self) -> None:
        self.bar: Any = None

    def start(self, total: int) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=total, unit="dataset", file=sys.stderr)

    def advance(self, fiche_id: str, overall: Status, problem: str | None = None) -> None:
        _say_problem(fiche_id, problem)
        self.bar.set_postfix_str(f"{fiche_id}: {overall.value}")
        self.bar.update()

    def done(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _say_problem(fiche_id: str, problem: str | None) -> None:
    if problem:
        print(f"datapedia check: {fiche_id}: {problem}", file=sys.stderr)


def progress_for(bar: bool | None) -> Bar | Lines:
    """``bar`` None: a bar on a terminal, lines otherwise (CI logs)."""
    return Bar() if (bar if bar is not None else sys.stderr.isatty()) else Lines()


def print_table(summary: dict[str, Any]) -> None:
    datasets = summary["datasets"]
    headers = ["dataset", "totaal"] + [d.label for d in Dimension]
    rows = [
        [d["id"], d["overall"]] + [d["dimensions"][k.value] for k in Dimension] for d in datasets
    ]
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    for row in [headers, ["-" * w for w in widths], *rows]:
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    counts = ", ".join(f"{summary['counts'][s.value]} {s.label}" for s in Status)
    print(f"{words.count(len(datasets), 'dataset')}: {counts}.")


def kept(interrupt: CheckInterrupted) -> str:
    """What of an interrupted run is in the results folder (Dutch)."""
    folder, diagnoses = interrupt.checks_dir, words.count(interrupt.diagnoses, "diagnose")
    if interrupt.published is None:
        return f"{folder} is niet aangepast."
    if interrupt.published:
        return f"{diagnoses} van deze run bewaard in {folder}."
    return f"{folder} is niet aangepast; {diagnoses} van deze run niet bewaard."


def check_and_print(options: CheckOptions, bar: bool | None = None, kept_instead: str = "") -> int:
    """One ``datapedia check`` run: the invalid fiches, progress, the table; an exit code.
    ``kept_instead``: what to say on Ctrl-C instead of what the run kept."""
    from datapedia.cli.problems import print_problems
    from datapedia.load.fiches import load_repository
    from datapedia.pipeline import CheckAborted, CheckInterrupted, run_check, valid_fiches

    try:
        try:
            loaded = valid_fiches(load_repository(options.root))
            print_problems(loaded.problems, "ongeldige fiches worden overgeslagen")
            result = run_check(options, progress_for(bar), loaded)
        except CheckInterrupted:
            raise
        except KeyboardInterrupt:  # before the run took the results folder
            raise CheckInterrupted(options.checks_dir) from None
        if result.summary is None:
            print("Geen fiches in deze selectie; niets te doen.")
            return EXIT_OK
        try:
            print_table(result.summary)
        except KeyboardInterrupt:
            raise CheckInterrupted(result.checks_dir, True, len(result.checked)) from None
    except CheckAborted as error:
        print(f"datapedia check: {error}", file=sys.stderr)
        return EXIT_BROKEN
    except CheckInterrupted as interrupt:
        raise Interrupted(kept_instead or kept(interrupt)) from None
    return EXIT_FAILED if result.failed else EXIT_OK


def check(args: argparse.Namespace) -> int:
    from datapedia.pipeline import CheckOptions

    options = CheckOptions(
        root=args.root,
        checks_dir=args.checks or args.root / "checks",
        only=args.only or [],
        now=run_now(args.now),
        offline=args.offline,
        allow_private=args.allow_private,
        shard=args.shard,
        summary_path=args.summary,
    )
    bar = None if args.progress == "auto" else args.progress == "bar"
    if args.checks is not None or not args.offline:
        return check_and_print(options, bar)
    # Offline every feed is 'not measured': such judgements must never reach checks/,
    # where they would be committed and drive the issues. They go to a scratch folder
    # and only the table is shown.
    with tempfile.TemporaryDirectory(prefix="datapedia-offline-") as scratch:
        options.checks_dir = Path(scratch)
        code = check_and_print(options, bar, "er is niets bewaard (offline zonder --checks).")
    print(
        "Offline: er is niets bewaard, checks/ is niet aangepast. "
        "Geef --checks MAP om deze diagnoses te bewaren."
    )
    return code


def merge(args: argparse.Namespace) -> int:
    from datapedia.store.checks import merge_shards

    checks = args.checks or args.root / "checks"
    folders = [Path(p) for p in args.shards]
    if args.count is None:
        print(f"{words.count(merge_shards(folders, checks), 'diagnose')} samengevoegd")
        return EXIT_OK
    from datapedia.load.fiches import load_repository
    from datapedia.store.nightly import MergeError, merge_night

    ids = [loaded.fiche.id for loaded in load_repository(args.root).fiches]
    try:
        night = merge_night(folders, checks, ids, args.count, run_now(args.now))
    except MergeError as error:
        print(f"datapedia merge: {error}", file=sys.stderr)
        return EXIT_BROKEN
    print(f"{words.count(night.merged, 'diagnose')} samengevoegd")
    if night.complete:
        return EXIT_OK
    print(
        "nachtelijke controle onvolledig: geen resultaat van shard "
        f"{', '.join(map(str, night.missing_shards))}; niet opnieuw gecontroleerd (vorige "
        f"diagnose blijft): {words.count(len(night.not_rechecked), 'dataset')}.",
        file=sys.stderr,
    )
    return EXIT_FAILED
