"""Test-suite hooks: the catalogue's summary line at the end of every run."""

from __future__ import annotations

_wrong = {"rejected": 0, "total": 0}


def pytest_runtest_logreport(report):
    # Runs in the controlling process, also under pytest-xdist.
    if report.when == "call" and "test_wrong_rejected[" in report.nodeid:
        _wrong["total"] += 1
        _wrong["rejected"] += report.passed


def pytest_terminal_summary(terminalreporter):
    if _wrong["total"]:
        terminalreporter.write_line(
            f"wrong implementations rejected by the public check: {_wrong['rejected']}/{_wrong['total']}")
