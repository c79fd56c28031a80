"""Shared by the tests: notebook paths, and running a notebook's code in-process."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
STUDENTS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


class NotebookRun:
    """The namespace left by exec'ing a notebook's code cells in order.

    Each cell runs in its own try, as a learner would run them one by one:
    a cell that raises (an unfilled blank, say) is recorded in ``errors`` and
    the next cell still runs. Printed output is captured in ``stdout``.
    """

    def __init__(self, path: Path):
        import matplotlib
        import nbformat

        matplotlib.use("Agg")  # in-process runs draw nothing on screen
        import matplotlib.pyplot as plt

        self.path = path
        self.namespace: dict = {"__name__": "__main__"}
        self.errors: list[tuple[int, BaseException]] = []
        nb = nbformat.read(path, as_version=4)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                try:
                    exec(compile(cell.source, f"<{path.name} cell {index}>", "exec"), self.namespace)
                except Exception as exc:  # recorded; the next cell still runs
                    self.errors.append((index, exc))
                finally:
                    plt.close("all")
        self.stdout = out.getvalue()


_RUNS: dict[Path, NotebookRun] = {}


def notebook_run(path: Path) -> NotebookRun:
    """Run each notebook at most once per test process."""
    if path not in _RUNS:
        _RUNS[path] = NotebookRun(path)
    return _RUNS[path]
