"""`make test-all`: every check the course has, then one table of what passed.

    .venv/bin/python tests/matrix.py          (what `make test-all` runs)

1. `make test`: the whole suite in .venv, as on a learner's machine (skipped
   with SKIP_TEST=1, for CI, which has just run it).
2. The BLAS kernels: tests/test_portability.py re-runs the solutions under the
   other OpenBLAS kernels (marked `portability`, so `make test` leaves it out).
3. The version matrix: the nox sessions of noxfile.py (Pythons, NumPy, Colab),
   except the tests-3.X session of .venv's own Python, which `make test` covers.

Each step runs even when an earlier one failed; the exit status is 1 if any
step or session failed (skipped ones do not count: the table says why).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUT = ROOT / "build" / "matrix"   # nox's report and each session's versions
JOBS = os.environ.get("JOBS", "2")


def run(command: list[str]) -> tuple[int, float]:
    """Run command in the repository, its output going to ours; (exit status, minutes)."""
    print(f"\n==> {' '.join(command)}", flush=True)
    start = time.monotonic()
    status = subprocess.run(command, cwd=ROOT).returncode
    return status, (time.monotonic() - start) / 60


def kernel_rows(junit: Path, status: int, minutes: float) -> list[tuple[str, str, float, str]]:
    """One row per BLAS kernel, read from pytest's JUnit XML report."""
    if not junit.exists():
        return [("BLAS kernels", "failed", minutes, f"pytest exited with {status}, no report")]
    rows = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        kernel = case.get("name", "").partition("[")[2].rstrip("]")
        seconds = float(case.get("time", 0)) / 60
        skipped = case.find("skipped")
        if case.find("failure") is not None or case.find("error") is not None:
            rows.append((f"kernel {kernel}", "failed", seconds, "outputs differ: see the log above"))
        elif skipped is not None:
            reason = skipped.get("message", "").removeprefix("pytest.skip: ")
            rows.append((f"kernel {kernel}", "skipped", seconds, reason))
        else:
            rows.append((f"kernel {kernel}", "success", seconds, "nbval over solutions/"))
    return rows


def nox_rows(report: Path, status: int, minutes: float) -> list[tuple[str, str, float, str]]:
    """One row per nox session, read from its JSON report and the versions each wrote."""
    if not report.exists():
        return [("nox", "failed", minutes, f"nox exited with {status}, no report")]
    rows = []
    for session in json.loads(report.read_text())["sessions"]:
        name = (session.get("signatures") or [session["name"]])[0]
        versions = OUT / f"{name}.versions"
        note = versions.read_text().strip() if versions.exists() else ""
        if session["result"] != "success":
            note = session.get("reason") or note
        rows.append((name, session["result"], (session.get("duration") or 0) / 60, note))
    return rows


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*"):
        old.unlink()
    rows = []

    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    if os.environ.get("SKIP_TEST") == "1":
        rows.append(("make test", "skipped", 0.0, "SKIP_TEST=1: run just before (CI)"))
    else:
        status, minutes = run(["make", "--no-print-directory", "test"])
        rows.append(("make test", "success" if status == 0 else "failed", minutes,
                     f"the whole suite in .venv (Python {python})"))

    junit = OUT / "kernels.xml"
    status, minutes = run([str(BIN / "python"), "-m", "pytest", "-n", JOBS, "-p", "no:cacheprovider",
                           "-m", "portability", f"--junitxml={junit}", "tests/test_portability.py"])
    rows += kernel_rows(junit, status, minutes)

    listing = subprocess.run([str(BIN / "nox"), "--list", "--json"], cwd=ROOT, capture_output=True, text=True)
    sessions = [s["session"] for s in json.loads(listing.stdout or "[]")]
    own = f"tests-{python}"
    if own in sessions:
        rows.append((own, "skipped", 0.0, "the Python of .venv: `make test` covers it"))
    report = OUT / "nox.json"
    status, minutes = run([str(BIN / "nox"), "--report", str(report), "--sessions",
                           *[s for s in sessions if s != own]])
    rows += nox_rows(report, status, minutes)

    width = max(len(r[0]) for r in rows)
    print("\n" + "=" * 30 + " make test-all " + "=" * 30)
    print(f"{'check':<{width}}  {'result':<8} {'min':>5}  notes")
    for name, result, minutes, note in rows:
        print(f"{name:<{width}}  {result:<8} {minutes:5.1f}  {note}")
    failed = [r[0] for r in rows if r[1] not in ("success", "skipped")]
    skipped = sum(r[1] == "skipped" for r in rows)
    print(f"test-all: {len(rows) - len(failed) - skipped} passed, {len(failed)} failed, {skipped} skipped")
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
