"""How long each solution notebook takes to "Run all", on an idle machine and on a busy one.

    python benchmarks/notebooks.py                      # every solution, idle then busy
    python benchmarks/notebooks.py solutions/07_rnn_language_model.ipynb --reps 3
    python benchmarks/notebooks.py --blas-threads 2     # override helpers' BLAS limit
    python benchmarks/notebooks.py --idle-only          # no busy phase (e.g. to compare threads)

A learner's laptop is rarely idle, and Colab gives two cores that other work shares.
So every notebook runs twice: once on the machine as it is, and once while this
script keeps one busy process per core spinning (started before and stopped after
the busy runs). Printed per notebook: both times, their ratio, and whether it meets
the course's goals: a ratio of at most 3, and at most 30 s idle (60 s for notebook 07).

Each run starts a fresh kernel (not timed) and then times its cells, as "Run all"
does. OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and MKL_NUM_THREADS are removed from
the kernel's environment, so the only BLAS thread limit is the one the course's own
setup cell applies when it imports ``helpers`` (the test suite sets those variables;
a learner's machine does not). ``--blas-threads N`` sets N threads right after the
setup cell instead, to compare. The script prints the machine's load: figures taken
while other programs are busy are not worth much.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import LoadMeter, cpu_name, load_average  # noqa: E402

# Goals of the course (issue 10): seconds idle, and the busy/idle ratio.
IDLE_GOAL = {"07": 60.0}          # by notebook number; the rest: DEFAULT_IDLE_GOAL
DEFAULT_IDLE_GOAL = 30.0
RATIO_GOAL = 3.0
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def spin():
    """Keep one core busy until terminated (pure Python: no BLAS, no threads)."""
    x = 0
    while True:
        x += 1


class BusyMachine:
    """Context manager: one spinning process per core while it is open."""

    def __init__(self, n: int):
        self.n = n
        self.workers: list[multiprocessing.Process] = []

    def __enter__(self):
        self.workers = [multiprocessing.Process(target=spin, daemon=True) for _ in range(self.n)]
        for worker in self.workers:
            worker.start()
        time.sleep(0.5)   # let them get going
        return self

    def __exit__(self, *exc):
        for worker in self.workers:
            worker.terminate()
        for worker in self.workers:
            worker.join()


def run_notebook(path: Path, blas_threads: int | None) -> float:
    """Seconds to run all code cells of the notebook at path in a fresh kernel."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    if blas_threads is not None:
        # Right after the setup cell, which has imported helpers and set its limit.
        cell = nbformat.v4.new_code_cell(f"import helpers; helpers.limit_blas_threads({blas_threads})")
        nb.cells.insert(1, cell)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    # The kernel's own start-up warnings would bury the table; errors still raise here.
    with client.setup_kernel(stderr=subprocess.DEVNULL):
        start = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        return time.perf_counter() - start


def time_all(paths, reps, blas_threads):
    """Median seconds per notebook over reps runs: dict path -> seconds."""
    return {p: statistics.median(run_notebook(p, blas_threads) for _ in range(reps)) for p in paths}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="solution notebooks to time (default: all of solutions/)")
    parser.add_argument("--reps", type=int, default=1, help="runs per notebook and phase (median)")
    parser.add_argument("--busy", type=int, default=os.cpu_count(),
                        help="busy processes in the second phase (default: one per core)")
    parser.add_argument("--blas-threads", type=int, default=None,
                        help="BLAS threads set after the setup cell (default: what helpers sets)")
    parser.add_argument("--idle-only", action="store_true", help="skip the busy phase")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((REPO / "solutions").glob("[0-9][0-9]_*.ipynb"))

    # The kernels inherit this environment: static figures as in the stored outputs,
    # and no thread-count variables, so only the course's own limit applies.
    os.environ["NNFS_STATIC"] = "1"
    for variable in THREAD_VARIABLES:
        os.environ.pop(variable, None)

    print("Solution notebooks, seconds to run all cells (fresh kernel, start-up not timed)")
    print(f"machine: {cpu_name()}, {os.cpu_count()} cores; Python {platform.python_version()}; "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(not set)')}")
    print("BLAS threads: " + (f"{args.blas_threads} (--blas-threads)" if args.blas_threads
                              else "as the setup cell leaves them (helpers.limit_blas_threads)"))
    print(f"load average before: {load_average()}")

    with LoadMeter(exclude_children=True) as load:
        idle = time_all(paths, args.reps, args.blas_threads)
        if not args.idle_only:
            with BusyMachine(args.busy):
                busy = time_all(paths, args.reps, args.blas_threads)
    others = load.others()
    print(f"load average after: {load_average()}; other programs used "
          + (f"{100 * others:.0f}%" if others is not None else "an unknown share")
          + " of the CPU time meanwhile (near 0% = quiet; more makes these figures unreliable)")
    print(f"median of {args.reps} run(s); busy = {args.busy} spinning processes started by this script\n")
    if args.idle_only:
        for path in paths:
            print(f"{path.stem:<32} {idle[path]:8.1f} s idle")
        return 0

    print(f"{'notebook':<32} {'idle s':>8} {'busy s':>8} {'ratio':>7}  goals")
    all_met = True
    for path in paths:
        limit = IDLE_GOAL.get(path.name[:2], DEFAULT_IDLE_GOAL)
        ratio = busy[path] / idle[path]
        met = ratio <= RATIO_GOAL and idle[path] < limit
        all_met &= met
        print(f"{path.stem:<32} {idle[path]:8.1f} {busy[path]:8.1f} {ratio:6.1f}x  "
              f"{'met' if met else 'NOT met'} (ratio <= {RATIO_GOAL:g}, idle < {limit:g} s)")
    print(f"\nall goals {'met' if all_met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
