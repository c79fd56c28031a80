"""The stored outputs do not depend on the CPU: nbval re-runs every solution under other BLAS kernels.

A learner's laptop, Colab and the CI machine pick different OpenBLAS kernels (SSE3,
AVX2, AVX-512), and those round the last bit of a matrix product differently. A
printed number that changes with that last bit is a bug in the notebook (a demo in
a chaotic regime, an error size printed to too many digits), so each kernel below
must reproduce every stored output exactly as `make test`'s own nbval run does.

OpenBLAS reads OPENBLAS_CORETYPE once, when NumPy loads it, so every kernel gets
its own pytest process running nbval with the same sanitizers as `make test`.
These runs are slow (every notebook once per kernel), so they carry the
`portability` marker: `make test-all` runs them, `make test` leaves them out.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nbrun import ROOT

pytestmark = pytest.mark.portability

# Kernel name -> the /proc/cpuinfo flags the CPU needs to run it.
KERNELS = {
    "Prescott": {"pni"},                                   # SSE3: any x86-64 CPU since 2004
    "Haswell": {"avx2", "fma"},                            # AVX2: most laptops
    "SkylakeX": {"avx512f", "avx512dq", "avx512bw", "avx512vl"},  # AVX-512: many servers
}

# The names OpenBLAS reports for them: NumPy's OpenBLAS runs the Prescott kernel
# for the old 32-bit names too, and reports the first of them (Katmai).
KERNEL_NAMES = {"Prescott": {"prescott", "katmai"}, "Haswell": {"haswell"}, "SkylakeX": {"skylakex"}}


def cpu_flags() -> set[str]:
    """The CPU's feature flags (Linux x86 only; empty elsewhere)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    match = re.search(r"^flags\s*:(.*)$", text, re.M)
    return set(match.group(1).split()) if match else set()


def blas_kernel(env: dict[str, str] | None = None) -> str | None:
    """The OpenBLAS kernel NumPy uses in a fresh process with env (None: not OpenBLAS)."""
    code = ("import numpy, threadpoolctl\n"
            "blas = [i for i in threadpoolctl.threadpool_info() if i['internal_api'] == 'openblas']\n"
            "print(blas[0].get('architecture') if blas else '')")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    return out.stdout.strip() or None if out.returncode == 0 else None


def failed_cells(output: str) -> str:
    """nbval's report cut down to each failing cell's name and its stored/obtained diff."""
    output = re.sub(r"\x1b\[[0-9;]*m", "", output)            # no colour codes
    report = output[output.find("= FAILURES ="):] if "= FAILURES =" in output else output
    parts = []
    for header, body in re.findall(r"^(_{3,} .+? _{3,})\n(.*?)(?=^_{3,} |^=+ short test summary|\Z)",
                                   report, re.S | re.M):
        diff = body[body.find("Traceback:"):] if "Traceback:" in body else body
        parts.append(f"{header}\n{diff.strip()}")
    text = "\n".join(parts) or report
    return text[:8000] + ("\n[... cut]" if len(text) > 8000 else "")


@pytest.mark.parametrize("kernel", sorted(KERNELS))
def test_stored_outputs_hold_under_kernel(kernel):
    pytest.importorskip("threadpoolctl", reason="needed to see which BLAS NumPy uses")
    missing = KERNELS[kernel] - cpu_flags()
    if missing:
        pytest.skip(f"this CPU cannot run the {kernel} kernel (no {', '.join(sorted(missing))})")
    # Skip the kernel `make test` itself uses here: its nbval run already compared it.
    default = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    if kernel.lower() == (os.environ.get("OPENBLAS_CORETYPE") or blas_kernel(default) or "").lower():
        pytest.skip(f"{kernel} is the kernel of this run: the ordinary nbval run checks it")
    env = {**os.environ, "OPENBLAS_CORETYPE": kernel}
    used = blas_kernel(env)
    if used is None:
        pytest.skip("NumPy does not use OpenBLAS here, so OPENBLAS_CORETYPE picks nothing")
    assert used.lower() in KERNEL_NAMES[kernel], f"asked OpenBLAS for {kernel}, it runs {used}"

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-q",
         "--nbval", "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"),
         str(ROOT / "solutions")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    summary = result.stdout.strip().splitlines()[-1:] or ["(no output)"]
    assert result.returncode == 0, (
        f"with OPENBLAS_CORETYPE={kernel} the solutions print something else than their "
        f"stored outputs ({summary[0]}); a printed number depends on rounding:\n"
        + failed_cells(result.stdout + result.stderr))
