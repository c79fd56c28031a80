"""Importing helpers keeps NumPy's BLAS to one thread, whatever the environment says."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
BLAS_THREADS = ("import threadpoolctl; "
                "print(max(i['num_threads'] for i in threadpoolctl.threadpool_info() if i['user_api'] == 'blas'))")


def blas_threads_after(code: str) -> int:
    # A fresh process without the test suite's thread variables (conftest.py sets them to 1).
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    out = subprocess.run([sys.executable, "-c", f"{code}; {BLAS_THREADS}"], env=env,
                         capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1])


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: BLAS uses one thread anyway")
def test_importing_helpers_limits_blas_to_one_thread():
    pytest.importorskip("threadpoolctl")
    assert blas_threads_after("import numpy") > 1, "without helpers BLAS would use every core"
    assert blas_threads_after("import helpers") == 1
    assert blas_threads_after("import helpers; helpers.limit_blas_threads(2)") == 2
