"""``datapedia check`` and ``datapedia merge``: run the checks, fold the shards of a night."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from datapedia.cli.exit_codes import EXIT_BROKEN, EXIT_FAILED, EXIT_OK
from datapedia.cli.parser import run_now
from datapedia.model import words


def check(args: argparse.Namespace) -> int:
    from datapedia.pipeline import CheckInterrupted, CheckOptions, run_check

    def run(checks_dir: Path) -> int:
        return run_check(
            CheckOptions(
                root=args.root,
                checks_dir=checks_dir,
                only=args.only or [],
                now=run_now(args.now),
                offline=args.offline,
                allow_private=args.allow_private,
                shard=args.shard,
                summary_path=args.summary,
                progress=None if args.progress == "auto" else args.progress == "bar",
            )
        )

    if args.checks is not None or not args.offline:
        return run(args.checks or args.root / "checks")
    # Offline every feed is 'not measured': such judgements must never reach checks/,
    # where they would be committed and drive the issues. They go to a scratch folder
    # and only the table is shown.
    with tempfile.TemporaryDirectory(prefix="datapedia-offline-") as scratch:
        try:
            code = run(Path(scratch))
        except CheckInterrupted as interrupt:
            interrupt.kept = "er is niets bewaard (offline zonder --checks)."
            raise
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
