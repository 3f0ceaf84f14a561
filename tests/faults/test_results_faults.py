"""Issue #18, finding 9: what readers of ``checks/`` survive (build, report).

A corrupt result file and a ``checks/`` the reader may not write to (with a leftover
``.staging/`` of a run that was killed) must never stop the site or the report: the
bad file is set aside with a warning and everything else is shown.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from datapedia.model.results import Diagnosis, Dimension, DimensionResult, Status
from datapedia.store.checks import ChecksStore

from .harness import GOOD_IDS, NOW, good_repo, survive


def _seeded(tmp_path: Path) -> Path:
    root = good_repo(tmp_path)
    store = ChecksStore(root / "checks")
    tx = store.begin()
    for fid in GOOD_IDS:
        dims = {d: DimensionResult(status=Status.ok, summary="In orde.") for d in Dimension}
        tx.add(Diagnosis.build(fid, NOW, dims))
    tx.commit()
    return root


@pytest.mark.fault
def test_a_corrupt_result_file_is_quarantined_and_the_rest_builds(tmp_path, capsys):
    root = _seeded(tmp_path)
    bad, good = GOOD_IDS
    (root / "checks" / f"{bad}.json").write_text('{"id": "goed-een", "overall": ', "utf-8")

    code = survive(["--root", str(root), "build", "--render-only", "--now", NOW.isoformat()])
    out, err = capsys.readouterr()
    assert code == 1, out + err  # reported, not fatal (exit 2 meant "nothing was built")
    assert f"{bad}.json: geen geldige diagnose" in err and "overgeslagen" in err
    pages = root / "site" / "generated" / "datasets"
    assert sorted(p.stem for p in pages.glob("*.md")) == sorted(GOOD_IDS)
    assert "In orde." in (pages / f"{good}.md").read_text(encoding="utf-8")

    assert survive(["--root", str(root), "report"]) in (0, 1)
    out, _ = capsys.readouterr()
    assert good in out


@pytest.mark.fault
def test_a_read_only_checks_with_a_leftover_staging_is_read(tmp_path, capsys, monkeypatch):
    root = _seeded(tmp_path)
    checks = root / "checks"
    leftover = checks / ".staging" / "history"
    leftover.mkdir(parents=True)
    (leftover / f"{GOOD_IDS[0]}.jsonl").write_text("half geschreven", "utf-8")
    # The tests run as root, for whom chmod changes nothing: a read-only mount is
    # played by refusing every open for writing under checks/.
    real_open = os.open
    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT

    def read_only(path, flags, *args, **kwargs):
        if Path(path).is_relative_to(checks) and flags & writing:
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    before = sorted(p.relative_to(checks).as_posix() for p in checks.rglob("*"))

    code = survive(["--root", str(root), "build", "--render-only", "--now", NOW.isoformat()])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert survive(["--root", str(root), "report"]) in (0, 1)
    assert sorted(p.relative_to(checks).as_posix() for p in checks.rglob("*")) == before
    pages = root / "site" / "generated" / "datasets"
    assert sorted(p.stem for p in pages.glob("*.md")) == sorted(GOOD_IDS)
