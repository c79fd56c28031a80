"""The single-source generator: solutions/ -> notebooks/, and its --check mode."""

from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

import helpers.build as build
from nbrun import ROOT, SOLUTIONS

URL = build.repository_url()


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A throw-away course folder with one solution notebook."""
    (tmp_path / "solutions").mkdir()
    (tmp_path / "notebooks").mkdir()
    monkeypatch.setattr(build, "ROOT", tmp_path)
    monkeypatch.setattr(build, "SOLUTIONS", tmp_path / "solutions")
    monkeypatch.setattr(build, "NOTEBOOKS", tmp_path / "notebooks")
    setup = new_code_cell("try:\n    import helpers\nexcept ImportError:\n"
                          "    subprocess.run(['pip', 'old line'])  # colab-install\nimport numpy as np")
    badge = new_markdown_cell("# 99 · Test\n\n[![Open In Colab](https://colab.research.google.com/assets/"
                              "colab-badge.svg)](https://example.org/old)")
    solution = new_code_cell("def step_function(x):\n    \"\"\"doc\"\"\"\n    if True:\n"
                             "        ### BEGIN SOLUTION\n        y = x > 0\n        return y.astype(int)\n"
                             "        ### END SOLUTION")
    solution.outputs = [new_output("stream", name="stdout", text="secret output\n")]
    solution.execution_count = 3
    inline = new_code_cell("def relu_grad(x):\n    return (x > 0).astype(float)  ### BLANK: (x > 0)")
    checks = new_code_cell('check("1.1")\n### BEGIN HIDDEN TESTS\ncheck("1.1", hidden=True)\n### END HIDDEN TESTS')
    only = new_markdown_cell("Solution notes for instructors")
    only.metadata["tags"] = ["solution-only"]
    written = new_markdown_cell("Explain:\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION")
    nb = new_notebook(cells=[setup, badge, solution, inline, checks, only, written])
    path = tmp_path / "solutions" / "99_test.ipynb"
    nbformat.write(nb, path)
    return tmp_path


def _student(course):
    return nbformat.read(course / "notebooks" / "99_test.ipynb", as_version=4)


def test_build_writes_student_version_with_blanks(course):
    stale = build.build()
    assert "notebooks/99_test.ipynb" in stale
    cells = _student(course).cells
    sources = [c.source for c in cells]
    # Block solution -> YOUR CODE HERE + raise, at the region's indentation.
    assert "        # YOUR CODE HERE\n        raise NotImplementedError()" in sources[2]
    assert "y = x > 0" not in sources[2] and "SOLUTION" not in sources[2]
    assert '"""doc"""' in sources[2]
    # Inline blank -> `...`, marker removed.
    assert "(x > 0)" not in sources[3] and "BLANK" not in sources[3]
    # Hidden tests removed, the public check kept.
    assert sources[4] == 'check("1.1")'
    # solution-only cell dropped; markdown answer blanked.
    assert not any("instructors" in s for s in sources)
    assert sources[-1] == "Explain:\nYOUR ANSWER HERE"
    # Outputs and execution counts cleared.
    assert all(c.outputs == [] and c.execution_count is None for c in cells if c.cell_type == "code")


def test_inline_blank_replaces_exactly_the_marked_text(course):
    build.build()
    assert _student(course).cells[3].source == "def relu_grad(x):\n    return ....astype(float)"


def test_links_come_from_pyproject(course):
    build.build()
    student = _student(course)
    solution = nbformat.read(course / "solutions" / "99_test.ipynb", as_version=4)
    path = URL.split("github.com/")[1]
    assert f"colab.research.google.com/github/{path}/blob/main/notebooks/99_test.ipynb" in student.cells[1].source
    assert f"colab.research.google.com/github/{path}/blob/main/solutions/99_test.ipynb" in solution.cells[1].source
    for nb in (student, solution):
        assert f'"nnfs-course @ git+{URL}"' in nb.cells[0].source
        assert "old line" not in nb.cells[0].source


def test_nbgrader_metadata(course):
    build.build()
    for nb in (_student(course), nbformat.read(course / "solutions" / "99_test.ipynb", as_version=4)):
        sol = nb.cells[2].metadata["nbgrader"]
        assert sol["solution"] is True and sol["grade"] is False and sol["schema_version"] == 3
        assert sol["grade_id"] == "solution_cell_2"  # 99_test has no registered exercises
        chk = nb.cells[4].metadata["nbgrader"]
        assert chk["grade"] is True and chk["locked"] is True and chk["points"] == 1
        assert chk["grade_id"] == "check_1_1"
        assert "nbgrader" not in nb.cells[0].metadata
        assert nb.metadata["nnfs"]["notebook"] == "99_test"


def test_check_mode_names_stale_files_and_writes_nothing(course):
    before = (course / "solutions" / "99_test.ipynb").read_text()
    stale = build.build(check_only=True)
    assert stale == ["solutions/99_test.ipynb", "notebooks/99_test.ipynb"]
    assert (course / "solutions" / "99_test.ipynb").read_text() == before
    assert not (course / "notebooks" / "99_test.ipynb").exists()
    build.build()
    assert build.build(check_only=True) == []  # idempotent
    # Editing a solution without regenerating makes the student version stale.
    nb = nbformat.read(course / "solutions" / "99_test.ipynb", as_version=4)
    nb.cells[1].source += "\nA new sentence."
    (course / "solutions" / "99_test.ipynb").write_text(build.dumps(nb))
    assert build.build(check_only=True) == ["notebooks/99_test.ipynb"]


def test_orphan_student_notebook_is_reported(course):
    build.build()
    (course / "notebooks" / "98_gone.ipynb").write_text("{}")
    assert build.build(check_only=True) == ["notebooks/98_gone.ipynb (no solution of that name)"]


@pytest.mark.parametrize("source, message", [
    ("### BEGIN SOLUTION\nx = 1", "without ### END SOLUTION"),
    ("x = 1\n### END SOLUTION", "without ### BEGIN SOLUTION"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "nested"),
    ("y = 2  ### BLANK: 3", "does not occur"),
    ("### BEGIN HIDDEN TESTS\ncheck('1.1')", "without ### END HIDDEN TESTS"),
])
def test_broken_markers_are_build_errors(course, source, message):
    nb = new_notebook(cells=[new_code_cell(source)])
    nbformat.write(nb, course / "solutions" / "99_test.ipynb")
    with pytest.raises(build.BuildError, match=message):
        build.build()


def test_cli_check_passes_on_the_repository():
    result = subprocess.run([sys.executable, "-m", "helpers.build", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


def test_cli_check_fails_and_names_the_file(course, monkeypatch, capsys):
    assert build.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "notebooks/99_test.ipynb" in err


def test_student_notebooks_leak_no_solution():
    for path in SOLUTIONS:
        student = (ROOT / "notebooks" / path.name).read_text(encoding="utf-8")
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "### BLANK", "hidden=True"):
            assert marker not in student, f"{path.name}: {marker!r} leaked into the student version"
        nb = nbformat.reads(student, as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_real_solution_cells_carry_exercise_grade_ids():
    nb = nbformat.read(ROOT / "solutions" / "01_activations.ipynb", as_version=4)
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert "solution_1_2" in ids and "check_1_2" in ids and "check_quiz_01" in ids
    assert len(ids) == len(set(ids)), "nbgrader grade ids must be unique"


def test_inline_blank_takes_the_last_occurrence(course):
    nb = new_notebook(cells=[new_code_cell('quiz_answers = {\n    "q3": 3,  ### BLANK: 3\n}')])
    nbformat.write(nb, course / "solutions" / "99_test.ipynb")
    build.build()
    assert _student(course).cells[0].source == 'quiz_answers = {\n    "q3": ...,\n}'


# ---------------------------------------------------------------------------
# --nbgrader: the export of nbgrader source notebooks (more in test_nbgrader.py)
# ---------------------------------------------------------------------------


def test_nbgrader_export_leaves_solutions_and_notebooks_alone(course, tmp_path):
    build.build()
    before = {p: p.read_bytes() for p in course.glob("*/*.ipynb")}
    assert build.main(["--nbgrader", str(tmp_path / "nbg"), "--assignment", "hw1"]) == 0
    assert {p: p.read_bytes() for p in course.glob("*/*.ipynb")} == before
    source = nbformat.read(tmp_path / "nbg" / "source" / "hw1" / "99_test.ipynb", as_version=4)
    texts = [c.source for c in source.cells]
    assert not any("Solution notes for instructors" in t for t in texts), "solution-only cells are left out"
    written = next(c for c in source.cells if c.source.startswith("Explain:"))
    assert "YOUR ANSWER HERE" in written.source and "Because." not in written.source
    assert "nbgrader" not in written.metadata, "a free-text answer is an ordinary, ungraded cell"
    inline = next(c for c in source.cells if "def relu_grad" in c.source)
    assert "### BLANK: (x > 0)" in inline.source and inline.metadata["nbgrader"]["solution"]
    graded = next(c for c in source.cells if "_nnfs_check" in c.source)
    assert graded.metadata["nbgrader"]["grade_id"] == "check_1_1" and graded.metadata["nbgrader"]["locked"]
    assert "blob/main/notebooks/99_test.ipynb" in texts[1]
    assert all(c.outputs == [] for c in source.cells if c.cell_type == "code")


def test_nbgrader_export_rejects_a_check_cell_with_other_code(course, tmp_path, capsys):
    nb = nbformat.read(course / "solutions" / "99_test.ipynb", as_version=4)
    nb.cells[4].source = 'check("1.1")\nprint("done")'
    nbformat.write(nb, course / "solutions" / "99_test.ipynb")
    assert build.main(["--nbgrader", str(tmp_path / "nbg")]) == 2
    assert "a check cell holds only" in capsys.readouterr().err


def test_nbgrader_export_does_not_mix_with_check(tmp_path):
    with pytest.raises(SystemExit):
        build.main(["--nbgrader", str(tmp_path), "--check"])
