"""pytest set-up for every run inside the repository (tests/ and nbval over solutions/)."""

import os

# Explorers and quizzes draw their static fallback in tests, exactly as in the
# stored outputs. Set here, before nbval starts its kernels (they inherit it).
os.environ["NNFS_STATIC"] = "1"
