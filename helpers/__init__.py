"""Neural Networks from Scratch: the course's helper package.

What a notebook imports from here is plumbing (printing, loading data,
plotting, checking); the neural-network code itself is what you write, and
the reference versions of it live in ``helpers.nn``.

Importing it also limits NumPy's BLAS to one thread (see ``limit_blas_threads``).
"""


def limit_blas_threads(n: int = 1):
    """Let NumPy's BLAS (OpenBLAS, MKL, ...) use at most n threads; return the limiter.

    The course multiplies small matrices, microseconds of work each. Spread over
    several threads, a product spends much of its time waiting for the slowest
    thread, and when other programs keep the cores busy (a laptop is rarely idle)
    those waits add up: on a busy 2-core machine notebook 07 took minutes with two
    BLAS threads and 20 s with one. On an idle machine one thread is about as
    fast (benchmarks/README.md has the figures). For your own large experiments,
    ``limit_blas_threads(os.cpu_count())`` gives BLAS all the cores again.
    Without threadpoolctl installed this does nothing and returns None.
    """
    import numpy  # noqa: F401  (loads the BLAS library, so that threadpoolctl finds it)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return threadpool_limits(limits=n, user_api="blas")


limit_blas_threads(1)

from .checking import check  # noqa: E402  (the limit comes first, before anything computes)
from .data import Standardizer, load_iris, load_spiral, one_hot, train_test_split
from .display import print_vec
from .hints import hint
from .quiz import check_quiz, show_quiz
from .widgets import explore, widgets_available

__all__ = [
    "print_vec", "check", "hint", "show_quiz", "check_quiz", "explore", "widgets_available",
    "load_iris", "load_spiral", "one_hot", "train_test_split", "Standardizer", "limit_blas_threads",
]
__version__ = "0.1.0"
