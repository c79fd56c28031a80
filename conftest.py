"""pytest set-up for every run inside the repository (tests/ and nbval over solutions/)."""

import os

# Explorers and quizzes draw their static fallback in tests, exactly as in the
# stored outputs. Set here, before nbval starts its kernels (they inherit it).
os.environ["NNFS_STATIC"] = "1"

# One BLAS thread per process: the test run already keeps both cores busy
# (pytest-xdist workers and their notebook kernels), and small matrix products
# get much slower, not faster, when BLAS threads fight over cores.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
