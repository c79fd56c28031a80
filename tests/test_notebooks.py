"""House-style lint of the solution notebooks (course guide §3, §7, §8)."""

from __future__ import annotations

import re

import nbformat
import pytest

from nbrun import ROOT, SOLUTIONS

NOTEBOOKS = {p.stem: nbformat.read(p, as_version=4) for p in SOLUTIONS}
MAGIC = re.compile(r"^\s*[%!]", re.M)


@pytest.fixture(params=sorted(NOTEBOOKS), ids=sorted(NOTEBOOKS))
def nb(request):
    return request.param, NOTEBOOKS[request.param]


def test_there_are_notebooks():
    assert "01_activations" in NOTEBOOKS


def test_template_order(nb):
    name, notebook = nb
    first, title = notebook.cells[0], notebook.cells[1]
    assert first.cell_type == "code" and "setup" in first.metadata.get("tags", []), "setup cell comes first"
    assert "# colab-install" in first.source and "np.set_printoptions" in first.source
    assert "default_rng(" in first.source, "the setup cell makes a seeded generator"
    assert title.cell_type == "markdown" and title.source.startswith(f"# {name[:2]} · ")
    assert "colab-badge.svg" in title.source
    for part in ("Prerequisites", "Time"):
        assert part in title.source, f"the title cell states {part}"
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    for heading in ("## Check your understanding", "## Summary", "## Going further"):
        assert heading in text, f"missing section {heading!r}"


def test_exercise_statements_precede_their_checks(nb):
    name, notebook = nb
    number = str(int(name[:2]))
    for i, cell in enumerate(notebook.cells):
        m = re.match(r'check\("(\d+\.\d+)"\)', cell.source) if cell.cell_type == "code" else None
        if m:
            assert m.group(1).split(".")[0] == number
            before = "\n".join(c.source for c in notebook.cells[max(0, i - 3):i] if c.cell_type == "markdown")
            assert f"Exercise {m.group(1)}" in before, f"no 'Exercise {m.group(1)}' statement just above its check"


def test_no_magics_no_todo_no_global_seed(nb):
    name, notebook = nb
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not MAGIC.search(cell.source), f"{name}: IPython magic or shell escape in {cell.source[:60]!r}"
            assert "np.random.seed" not in cell.source, f"{name}: use a seeded np.random.Generator"
        assert "TODO" not in cell.source, f"{name}: TODO left in a cell"


def test_outputs_are_stored_and_clean(nb):
    name, notebook = nb
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), f"{name}: run it with `make execute`"
    for cell in code:
        tags = cell.metadata.get("tags", [])
        for out in cell.outputs:
            assert out.output_type != "error", f"{name}: a stored error output"
            data = out.get("data", {})
            if "image/png" in data or "application/vnd.jupyter.widget-view+json" in data:
                assert "nbval-ignore-output" in tags, f"{name}: picture cell not tagged nbval-ignore-output"
            text = out.get("text", "") + str(data.get("text/plain", ""))
            assert not re.search(r"0x[0-9a-f]{6,}|/tmp/|/home/|/work/", text), f"{name}: machine-specific output"
            if out.output_type == "stream":
                assert out.name != "stderr" or "nbval-ignore-output" in tags, f"{name}: stderr output (a warning?)"


def test_nbgrader_ids_unique(nb):
    name, notebook = nb
    ids = [c.metadata["nbgrader"]["grade_id"] for c in notebook.cells if "nbgrader" in c.metadata]
    assert ids and len(ids) == len(set(ids)), f"{name}: nbgrader grade ids must be unique"


def test_student_and_solution_pair_up():
    students = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert students == sorted(p.name for p in SOLUTIONS)


def test_nbval_catches_a_changed_printed_result(tmp_path):
    """CI's nbval run compares printed output: a changed number must fail it."""
    import subprocess
    import sys

    nb = nbformat.read(ROOT / "solutions" / "01_activations.ipynb", as_version=4)
    target = next(c for c in nb.cells if c.cell_type == "code" and "print_vec(\"u: total input\"" in c.source)
    assert target.outputs[0].text == "*** u: total input ***\n-0.5\n"
    target.outputs[0].text = "*** u: total input ***\n-0.4\n"
    nb.cells = nb.cells[: nb.cells.index(target) + 1]          # the first cells are enough
    path = tmp_path / "01_tampered.ipynb"
    nbformat.write(nb, path)
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--nbval", "-q",
                             "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"),
                             str(path)], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "1 failed" in result.stdout
