"""The ``fault`` marker and the suite's one-line verdict at the end of every pytest run."""

from __future__ import annotations

import pytest

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
