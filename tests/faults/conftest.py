"""The ``fault`` marker, the suite's one-line verdict at the end of every pytest run, and the
healthy fiches' judgement without a fault that every fault case compares against."""

from __future__ import annotations

import pytest

from .harness import HEALTHY_IDS, run_scenario

_OUTCOMES: dict[str, str] = {}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "fault: a fault-injection test (counted in the 'fault-injectie' summary line)"
    )


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "fault" not in report.keywords:
        return
    if report.when == "call" or report.outcome != "passed":
        if hasattr(report, "wasxfail"):
            outcome = "xfailed" if report.skipped else "xpassed"
        else:
            outcome = report.outcome  # passed, failed or skipped
        # A setup skip or error decides; a teardown error overrides a passed call.
        if _OUTCOMES.get(report.nodeid) in (None, "passed"):
            _OUTCOMES[report.nodeid] = outcome


def pytest_terminal_summary(terminalreporter) -> None:
    if not _OUTCOMES:
        return
    counts = {k: 0 for k in ("passed", "failed", "skipped", "xfailed", "xpassed")}
    for outcome in _OUTCOMES.values():
        counts[outcome] += 1
    tried = len(_OUTCOMES) - counts["skipped"]
    line = f"fault-injectie: {tried} fouten geprobeerd, {counts['passed']} overleefd"
    extras = []
    if counts["xfailed"]:
        extras.append(f"{counts['xfailed']} gekende bug(s) (xfail)")
    if counts["failed"] + counts["xpassed"]:
        extras.append(f"{counts['failed'] + counts['xpassed']} niet overleefd")
    if counts["skipped"]:
        extras.append(f"{counts['skipped']} overgeslagen")
    terminalreporter.write_line(line + (f" ({', '.join(extras)})" if extras else ""))


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """The healthy fiches' judgement in a run without any fault."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        outcome = run_scenario(tmp_path_factory.mktemp("baseline"), monkeypatch, {})
    assert outcome.code in (0, 1), outcome.stderr
    statuses = {fid: outcome.statuses(fid) for fid in HEALTHY_IDS}
    for fid in HEALTHY_IDS:
        # The baseline itself must be healthy, or "unaffected" would prove nothing.
        assert statuses[fid]["availability"] == ("ok", ["BES-01"])
        assert statuses[fid]["timeliness"][0] == "ok"
        assert statuses[fid]["coverage"][0] == "ok"
    return statuses
